/**
 * Structure benchmark: latency of `structureDocument` (classify → sections → entities → attributes → relations →
 * linking → fields) on ~1,000-character reports (admission record, CT report, lab sheet in bench/fixtures),
 * one document at a time on one core, after warm-up. Reports p50/p95/p99 of wall time and of this process' CPU
 * time per document (CPU time is what one dedicated core spends when other processes share the machine).
 *
 *   npx tsx bench/structure.ts [--seconds 10]
 *   npx tsx bench/structure.ts --stages [--rounds 50]   CPU time of each pipeline stage alone, per document and per report
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MedDocument } from '../src/document/document.js';
import { buildPipeline } from '../src/pipeline/default.js';
import { PACKAGE_ROOT } from '../src/resources.js';
import { structureDocument } from '../src/structure/index.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 100) / 100;
}

/**
 * CPU milliseconds of each stage of the report pipeline, each stage timed alone: per document over all
 * reports, and per report (the document construction, normalization and sentence split as `document`).
 */
function stageProfile(reports: Array<{ name: string; text: string }>, rounds: number): { mean: Record<string, number>; byReport: Record<string, Record<string, number>> } {
  const stages = buildPipeline({ report: true }).stages;
  const totals = new Map<string, number>();
  const perReport = reports.map(() => new Map<string, number>());
  const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;
  for (let round = 0; round < rounds + 10; round++) {
    reports.forEach((report, r) => {
      const record = (name: string, ms: number): void => {
        if (round < 10) return;
        if (name !== 'document') totals.set(name, (totals.get(name) ?? 0) + ms);
        perReport[r]!.set(name, (perReport[r]!.get(name) ?? 0) + ms);
      };
      let c0 = process.cpuUsage();
      const doc = new MedDocument(report.text);
      record('document', cpuMs(process.cpuUsage(c0)));
      for (const stage of stages) {
        c0 = process.cpuUsage();
        stage.process(doc);
        record(stage.name, cpuMs(process.cpuUsage(c0)));
      }
    });
  }
  const perDocument = (map: Map<string, number>, documents: number): Record<string, number> =>
    Object.fromEntries([...map].map(([name, ms]) => [name, Math.round((ms / documents) * 100) / 100]));
  return {
    mean: perDocument(totals, rounds * reports.length),
    byReport: Object.fromEntries(reports.map((report, r) => [report.name, perDocument(perReport[r]!, rounds)])),
  };
}

function main(): void {
  const seconds = Number(option('seconds', '10'));
  const dir = join(PACKAGE_ROOT, 'bench', 'fixtures');
  const reports = readdirSync(dir).filter((f) => f.endsWith('-1000.txt')).sort().map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
  if (process.argv.includes('--stages')) {
    const { mean, byReport } = stageProfile(reports, Number(option('rounds', '50')));
    console.log(JSON.stringify({ date: new Date().toISOString(), cpuMsPerDocument: mean, cpuMsByReport: byReport }, null, 2));
    return;
  }
  const loadStart = performance.now();
  for (const r of reports) structureDocument(new MedDocument(r.text));
  const firstPassMs = performance.now() - loadStart;
  // Warm up the JIT, then time one document at a time until `seconds` elapse.
  for (let k = 0; k < 20; k++) for (const r of reports) structureDocument(new MedDocument(r.text));
  const wall: number[] = [];
  const cpu: number[] = [];
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (const r of reports) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      structureDocument(new MedDocument(r.text));
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  console.log(JSON.stringify({
    reports: reports.map((r) => ({ file: `bench/fixtures/${r.name}`, chars: Array.from(r.text).length })),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    date: new Date().toISOString(),
    firstPassMs: Math.round(firstPassMs),
    documents: wall.length,
    wallMs: { p50: percentile(wall, 50), p95: percentile(wall, 95), p99: percentile(wall, 99) },
    cpuMs: { p50: percentile(cpu, 50), p95: percentile(cpu, 95), p99: percentile(cpu, 99) },
    rssMB: Math.round(process.memoryUsage().rss / 1e6),
  }, null, 2));
}

main();
