/**
 * Tumour-attribute benchmark: CPU time of `extractTumour` alone (rules as hints + candidates + scoring) per imaging
 * report, on the held-out slice's texts (data/tumour/holdout.jsonl, written by `npm run data:tumour`), one report
 * at a time after warm-up; or on one report read from a file, `--text FILE` (e.g. bench/fixtures/ct-1000.txt, the CT
 * report of the structure benchmark), 20 × rounds times. CPU time, not wall time, so other processes on the machine
 * inflate it less.
 *
 *   npx tsx bench/tumour.ts [--rounds 20] [--text FILE]        (npm run bench:tumour)
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MedDocument } from '../src/document/document.js';
import { sourceOf } from '../src/fields/source.js';
import { extractTumour } from '../src/fields/tumour.js';
import { PACKAGE_ROOT } from '../src/resources.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(option('--rounds') ?? 20);
const file = option('--text');
const texts = file
  ? Array.from({ length: 20 }, () => readFileSync(file, 'utf8'))
  : readFileSync(join(PACKAGE_ROOT, 'data', 'tumour', 'holdout.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => (JSON.parse(l) as { text: string }).text);
const sources = texts.map((t) => sourceOf(new MedDocument(t)));

const load = process.cpuUsage();
extractTumour(sources[0]!);
const loaded = process.cpuUsage(load);
const loadMs = (loaded.user + loaded.system) / 1000;
for (let k = 0; k < 3; k++) for (const s of sources) extractTumour(s);

const perReport: number[] = [];
for (let round = 0; round < rounds; round++) {
  for (const s of sources) {
    const c0 = process.cpuUsage();
    extractTumour(s);
    const c = process.cpuUsage(c0);
    perReport.push((c.user + c.system) / 1000);
  }
}
perReport.sort((a, b) => a - b);
const at = (p: number): number => Math.round(perReport[Math.min(perReport.length - 1, Math.floor((p / 100) * perReport.length))]! * 1000) / 1000;
const mean = perReport.reduce((a, b) => a + b, 0) / perReport.length;
console.log(JSON.stringify({
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model,
  reports: file ? `${file} × ${texts.length}` : texts.length,
  meanCharacters: Math.round(texts.reduce((a, t) => a + t.length, 0) / texts.length),
  firstCallCpuMs: Math.round(loadMs),
  cpuMsPerReport: { mean: Math.round(mean * 1000) / 1000, p50: at(50), p95: at(95), p99: at(99) },
}, null, 2));
