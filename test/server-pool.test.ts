import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StructureResult } from '../src/structure/index.js';
import { WorkerPool } from '../src/server/pool.js';
import { renderLabSheet } from '../scripts/make-ocr-testset.js';
import { errorCodeOf } from './error-code.js';

let pool: WorkerPool;
let sheet: Buffer;
const ct = readFileSync(join(import.meta.dirname, 'fixtures', 'reports', 'ct.txt'), 'utf8');

beforeAll(async () => {
  sheet = (await renderLabSheet(31)).png;
  pool = new WorkerPool({ threads: 1 });
  await pool.run({ op: 'ready' }, 120_000);
});

afterAll(async () => {
  await pool.close();
});

describe('WorkerPool media lane', () => {
  it('reads an image in its own lane and structures its pages in the model thread, charging one page', async () => {
    expect(pool.stats()).toMatchObject({ threads: 1, mediaThreads: 1 });
    const { value, units } = await pool.run({ op: 'structure', input: { bytes: new Uint8Array(sheet), expect: 'image', maxPages: 1 }, type: 'auto', format: 'native' }, 120_000);
    const result = value as StructureResult;
    expect(units).toBe(1);
    expect(result.type.type).toBe('lab');
    const items = (result.fields as { items?: Array<{ name: { value: string; page?: number } }> }).items ?? [];
    expect(items.length).toBeGreaterThan(5);
    expect(items[0]!.name.page).toBe(1);
  });

  it('keeps text calls moving while a photo is read', async () => {
    const photo = pool.run({ op: 'structure', input: { bytes: new Uint8Array(sheet), expect: 'image', maxPages: 1 }, type: 'auto', format: 'native' }, 120_000);
    let photoDone = false;
    void photo.then(() => { photoDone = true; });
    const text = await pool.run({ op: 'structure', input: { text: ct, maxPages: 1 }, type: 'auto', format: 'native' }, 120_000);
    expect((text.value as StructureResult).type.type).toBe('ct');
    expect(photoDone).toBe(false);
    await photo;
  });

  it('refuses bytes that are not the promised kind before any OCR', async () => {
    const task = { op: 'structure', input: { bytes: new Uint8Array(sheet), expect: 'pdf', maxPages: 5 }, type: 'auto', format: 'native' } as const;
    expect(await errorCodeOf(pool.run(task, 30_000))).toBe('CORRUPT_PDF');
  });
});
