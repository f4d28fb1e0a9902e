import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MedstructError } from '../src/errors.js';
import { OcrEngine, OcrPool, type OcrPage } from '../src/ocr/index.js';
import { renderLabSheet } from '../scripts/make-ocr-testset.js';
import { errorCodeOf } from './error-code.js';

/** Small lab-sheet crops (the header and two items at 60 %): each reads in a fraction of a second. */
let images: Buffer[];
let inProcess: OcrPage[];
let pool: OcrPool;

async function crop(seed: number): Promise<Buffer> {
  const sheet = await renderLabSheet(seed, 2);
  return sharp(sheet.png).extract({ left: 0, top: 200, width: sheet.width, height: 260 }).resize(Math.round(sheet.width * 0.6)).png().toBuffer();
}

function summary(page: OcrPage): Array<{ text: string; x: number; y: number }> {
  return page.lines.map((l) => ({ text: l.text, x: Math.round(l.polygon[0][0]), y: Math.round(l.polygon[0][1]) }));
}


beforeAll(async () => {
  images = await Promise.all([crop(21), crop(22)]);
  const engine = await OcrEngine.create({ threads: 1 });
  inProcess = [];
  for (const image of images) inProcess.push(await engine.read(image));
  pool = new OcrPool({ workers: 2, threadsPerWorker: 1 });
});

afterAll(async () => {
  await pool.close();
});

describe('OcrPool', () => {
  it('reads concurrent requests in worker threads exactly as the engine does in process', async () => {
    expect(inProcess[0]!.lines.some((l) => l.text.includes('项目名称'))).toBe(true);
    const order = [0, 1, 1, 0];
    const pages = await Promise.all(order.map((k) => pool.read(images[k]!)));
    pages.forEach((page, i) => {
      const expected = inProcess[order[i]!]!;
      expect([page.width, page.height, page.rotation]).toEqual([expected.width, expected.height, expected.rotation]);
      expect(summary(page)).toEqual(summary(expected));
      page.lines.forEach((line, k) => expect(line.confidence).toBeCloseTo(expected.lines[k]!.confidence, 3));
    });
  });

  it('answers a bad image with CORRUPT_IMAGE and a blank one with an empty page, then keeps serving', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    const broken = Buffer.concat([jpeg.subarray(0, 24), Buffer.alloc(300, 9)]);
    const [bad, blank, good] = await Promise.allSettled([pool.read(broken), pool.read(jpeg), pool.read(images[0]!)]);
    expect(bad.status === 'rejected' && bad.reason instanceof MedstructError && bad.reason.code).toBe('CORRUPT_IMAGE');
    expect(blank.status === 'fulfilled' && blank.value.lines).toEqual([]);
    expect(good.status === 'fulfilled' && summary(good.value)).toEqual(summary(inProcess[0]!));
  });

  it('stops a read past its time limit with TIMEOUT and replaces the worker', async () => {
    expect(await errorCodeOf(pool.read(images[1]!, {}, { timeoutMs: 5 }))).toBe('TIMEOUT');
    // The terminated worker's slot gets a fresh worker (it loads the models again).
    const pages = await Promise.all([pool.read(images[1]!), pool.read(images[0]!)]);
    expect(summary(pages[0]!)).toEqual(summary(inProcess[1]!));
    expect(summary(pages[1]!)).toEqual(summary(inProcess[0]!));
  });

  it('stops a read when the caller aborts, and refuses work once closed', async () => {
    const side = new OcrPool({ workers: 1 });
    const caller = new AbortController();
    const aborted = side.read(images[0]!, {}, { signal: caller.signal }).then(() => 'read', (error: Error) => error.message);
    caller.abort(new Error('client went away'));
    expect(await aborted).toBe('client went away');
    await side.close();
    expect(await errorCodeOf(side.read(images[0]!))).toBe('INTERNAL');
  });

  it('lets the process exit by itself after close (no handle left open)', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { OcrPool } from './src/ocr/index.ts';
      const pool = new OcrPool({ workers: 1, threadsPerWorker: 1 });
      const image = readFileSync(0);
      const page = await pool.read(image);
      // A read still running when the pool closes is cancelled, not left hanging.
      const pending = pool.read(image).then(() => 'read', (e) => e.code);
      await pool.close();
      console.log(JSON.stringify({ lines: page.lines.length, pending: await pending }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { input: images[0], encoding: 'utf8', timeout: 30_000 });
    expect(r.signal, 'the process hung after close').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ lines: inProcess[0]!.lines.length, pending: 'INTERNAL' });
  });
});
