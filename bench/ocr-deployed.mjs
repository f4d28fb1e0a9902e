/**
 * The measured half of bench/ocr.ts: reads the images and the PDF with the build output (dist/) in plain
 * node, as the CLI and the server do. Under tsx its loader rewrites pdf.js's 3 MB of modules and keeps
 * their source maps, which alone adds 250–370 MB of RSS that a deployed process never has.
 *
 *   node bench/ocr-deployed.mjs THREADS PDF-FILE PDF-RUNS IMAGE...
 *
 * Prints one JSON line per image ({ file, page, seconds, cpuSeconds }), then { msPerPdfPage, sampledRss, peakRss }.
 */
import { readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const { OcrEngine } = await import(new URL('ocr/index.js', dist).href);
const { ingestPages } = await import(new URL('ingest/index.js', dist).href);
const [threads, pdfFile, pdfRuns, ...images] = process.argv.slice(2);
const print = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);

const engine = await OcrEngine.create({ threads: Number(threads) });
await engine.read(readFileSync(images[0]));
let sampledRss = process.memoryUsage().rss;
for (const file of images) {
  const bytes = readFileSync(file);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const page = await engine.read(bytes);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
  print({ file, page, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
}

const pdf = readFileSync(pdfFile);
const { pages } = await ingestPages(pdf);
const pdfStarted = performance.now();
for (let i = 0; i < Number(pdfRuns); i++) await ingestPages(pdf);
const msPerPdfPage = (performance.now() - pdfStarted) / (Number(pdfRuns) * pages.length);
sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
// The kernel's high-water mark also catches peaks between samples (inside a detection run).
print({ msPerPdfPage, sampledRss, peakRss: process.resourceUsage().maxRSS * 1024 });
