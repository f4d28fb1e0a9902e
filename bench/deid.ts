/**
 * De-identification benchmark: per-record latency (p50/p99) of `deidentifyText` in mask and surrogate
 * mode on the generated held-out records (~200 characters each), one core, 5 s each after warm-up; then one lab-sheet
 * image through `deidentifyImage` (OCR included). Run with `npx tsx bench/deid.ts` after
 * `npx tsx scripts/make-deid-testset.ts` (reads data/deid/test.jsonl).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { deidentifyImage, deidentifyText } from '../src/deid/index.js';
import { getOcrEngine } from '../src/ocr/index.js';
import { renderDeidSheet } from '../scripts/make-deid-testset.js';

const texts = readFileSync('data/deid/test.jsonl', 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
const chars = texts.reduce((n, t) => n + Array.from(t).length, 0) / texts.length;

function measure(mode: 'mask' | 'surrogate'): { p50Ms: number; p99Ms: number; records: number } {
  for (let i = 0; i < 200; i++) deidentifyText(texts[i % texts.length]!, { mode });
  const times: number[] = [];
  const started = performance.now();
  while (performance.now() - started < 5000) {
    for (const text of texts) {
      const t0 = performance.now();
      deidentifyText(text, { mode });
      times.push(performance.now() - t0);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 1000) / 1000;
  return { p50Ms: at(0.5), p99Ms: at(0.99), records: times.length };
}

const firstStarted = performance.now();
deidentifyText(texts[0]!);
const firstCallMs = Math.round(performance.now() - firstStarted);
const mask = measure('mask');
const surrogate = measure('surrogate');
const sheet = await renderDeidSheet();
await getOcrEngine();
const imageTimes: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await deidentifyImage(sheet.png);
  imageTimes.push(performance.now() - t0);
}
imageTimes.sort((a, b) => a - b);
console.log(JSON.stringify({
  machine: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), node ${process.version}`,
  charsPerRecord: Math.round(chars),
  firstCallMs,
  mask,
  surrogate,
  image: { size: `${sheet.width}x${sheet.height}`, medianMs: Math.round(imageTimes[1]!), includes: 'OCR (engine preloaded) + detection + barcode scan + PNG encode' },
}));
