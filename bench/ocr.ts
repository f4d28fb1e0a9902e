/**
 * OCR benchmark on the generated test set (data/ocr from `npm run data:ocr`), side by side with Debian's
 * tesseract (chi_sim, --psm 1 with orientation detection) when it is installed: character error rate,
 * lab items fully right, seconds per image; then digital-PDF pages per second and peak RSS. The images and the PDF
 * are read by bench/ocr-deployed.mjs in plain node on dist/ (`npm run build` first), as the CLI and the server run.
 *
 *   npm run bench:ocr [-- --limit N] [-- --no-tesseract] [-- --dir data/ocr-hard]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { labRows } from '../src/layout/lab.js';
import { getLinker } from '../src/linking/index.js';
import { tableRows } from '../src/layout/index.js';
import type { OcrPage } from '../src/ocr/types.js';
import { PACKAGE_ROOT } from '../src/resources.js';
import type { LabItemTruth, TestCase } from '../scripts/make-ocr-testset.js';
import { makePdf, type PdfText } from '../test/fixtures/ocr/pdf.js';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit');
const limit = limitAt >= 0 ? Number(args[limitAt + 1]) : Infinity;
const dirAt = args.indexOf('--dir');
const dir = dirAt >= 0 ? join(PACKAGE_ROOT, args[dirAt + 1]!) : join(PACKAGE_ROOT, 'data', 'ocr');
const truthFile = join(dir, 'truth.jsonl');
if (!existsSync(truthFile)) {
  console.error(`No test set in ${dir}: run \`npm run data:ocr\` (or \`npm run data:ocr -- --hard\`) first.`);
  process.exit(1);
}
const cases = readFileSync(truthFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TestCase).slice(0, limit);
const hasTesseract = !args.includes('--no-tesseract') && spawnSync('tesseract', ['--version']).status === 0;

function squash(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\s+/g, '');
}

function editDistance(a: string[], b: string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Whether name, result, flag, unit and range appear in this order in one text line (whitespace ignored). */
function itemInLine(item: LabItemTruth, line: string): boolean {
  let at = 0;
  for (const part of [item.name, item.result, ...(item.flag ? [item.flag] : []), item.unit, item.range]) {
    const found = line.indexOf(squash(part), at);
    if (found < 0) return false;
    if (part === item.result && !item.flag) {
      const rest = line.slice(found + part.length, line.indexOf(squash(item.unit), found + part.length));
      if (/[↑↓]/.test(rest)) return false;
    }
    at = found + squash(part).length;
  }
  return true;
}

function itemKey(i: { name: string; result: string; unit: string | null; range: string | null; flag: string | null }): string {
  return [squash(i.name), squash(i.result), squash(i.unit ?? ''), squash(i.range ?? ''), i.flag ?? ''].join('|');
}

interface Tally { distance: number; length: number; items: number; structured: number; inLine: number; seconds: number; cpuSeconds: number; images: number }
const empty = (): Tally => ({ distance: 0, length: 0, items: 0, structured: 0, inLine: 0, seconds: 0, cpuSeconds: 0, images: 0 });
const tallies = new Map<string, Tally>();
function tally(engine: string, group: string): Tally {
  const key = `${engine}\t${group}`;
  if (!tallies.has(key)) tallies.set(key, empty());
  return tallies.get(key)!;
}

function record(engine: string, c: TestCase, text: string, lines: string[], structured: Set<string> | null, seconds: number, cpuSeconds: number): void {
  const truth = [...squash(c.text)];
  const distance = editDistance(truth, [...squash(text)]);
  const found = c.items.filter((item) => lines.some((line) => itemInLine(item, line))).length;
  const right = structured ? c.items.filter((item) => structured.has(itemKey(item))).length : 0;
  // The harder set's variants (perspective90, curl0, dim180) are tallied per kind.
  const kind = c.variant === 'clean' ? 'clean' : c.variant.startsWith('photo') ? 'photo' : c.variant.replace(/\d+$/, '');
  for (const group of [kind, 'all']) {
    const t = tally(engine, group);
    t.distance += distance;
    t.length += truth.length;
    t.items += c.items.length;
    t.inLine += found;
    t.structured += right;
    t.seconds += seconds;
    t.cpuSeconds += cpuSeconds;
    t.images++;
  }
}

// OCR and PDF run in a child process on the build output, as deployed (see bench/ocr-deployed.mjs).
const deployed = join(PACKAGE_ROOT, 'dist', 'ocr', 'engine.js');
const newestSource = Math.max(...['ocr', 'ingest'].flatMap((d) => readdirSync(join(PACKAGE_ROOT, 'src', d)).map((f) => statSync(join(PACKAGE_ROOT, 'src', d, f)).mtimeMs)));
if (!existsSync(deployed) || statSync(deployed).mtimeMs < newestSource) {
  console.error('dist/ is missing or older than src/ocr or src/ingest: run `npm run build` first.');
  process.exit(1);
}

// Digital PDF pages: a 20-page report in the text layer, read once cold, then warm.
const texts: PdfText[] = [{ x: 60, y: 60, size: 16, text: '体检报告 第一部分 一般检查' }];
for (let r = 0; r < 30; r++) {
  texts.push({ x: 60, y: 100 + r * 22, size: 10, text: `项目${r + 1} 血红蛋白` }, { x: 250, y: 100 + r * 22, size: 10, text: `${120 + r}` }, { x: 320, y: 100 + r * 22, size: 10, text: 'g/L' }, { x: 420, y: 100 + r * 22, size: 10, text: '130-175' });
}
const scratch = mkdtempSync(join(tmpdir(), 'medstruct-bench-ocr-'));
const pdfFile = join(scratch, 'report.pdf');
writeFileSync(pdfFile, makePdf(Array.from({ length: 20 }, () => ({ texts }))));
const child = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bench', 'ocr-deployed.mjs'), String(Math.min(2, cpus().length)), pdfFile, '5', ...cases.map((c) => join(dir, c.file))], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
rmSync(scratch, { recursive: true, force: true });
if (child.status !== 0) {
  console.error(`bench/ocr-deployed.mjs failed (${child.status ?? child.signal})`);
  process.exit(1);
}
const replies = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as { page: OcrPage; seconds: number; cpuSeconds: number } & { msPerPdfPage: number; sampledRss: number; peakRss: number });
const { msPerPdfPage, sampledRss, peakRss } = replies.pop()!;
const read = cases.map((c, i) => ({ c, ...replies[i]! }));

if (hasTesseract) {
  for (const c of cases) {
    const t0 = performance.now();
    // bash's `time` reports the child's CPU seconds (user, system) on stderr.
    const run = spawnSync('bash', ['-c', 'TIMEFORMAT="%3U %3S"; time tesseract "$0" stdout -l chi_sim --psm 1 2>/dev/null', join(dir, c.file)], { encoding: 'utf8' });
    const tSeconds = (performance.now() - t0) / 1000;
    const [user, system] = run.stderr.trim().split(/\s+/).slice(-2).map(Number);
    const out = run.stdout;
    record('tesseract', c, out, out.split('\n').map(squash), null, tSeconds, (user ?? 0) + (system ?? 0));
  }
}

// Lab rows are scored here, outside the measured process: their units are checked against the analyte's usual
// unit from the knowledge graph (as the lab field step does), which the OCR figures should not carry.
const linker = getLinker();
const expectedUnit = (name: string, abbreviation: string | null): string | null =>
  (linker.lookupLabAnalyte(name) ?? (abbreviation ? linker.lookupLabAnalyte(abbreviation) : null))?.unit ?? null;
const failures: string[] = [];
for (const { c, page, seconds, cpuSeconds } of read) {
  const rows = tableRows(page).map((r) => squash(r.cells.map((cell) => cell.text).join('')));
  const structured = new Set(labRows(page, { expectedUnit }).map((r) => itemKey(r)));
  record('medstruct', c, page.lines.map((l) => l.text).join('\n'), rows, structured, seconds, cpuSeconds);
  for (const item of c.items) if (!structured.has(itemKey(item))) failures.push(`${c.file}: expected ${itemKey(item)}`);
}

const percent = (n: number, d: number): string => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
console.log(`OCR benchmark — ${cases.length} images, ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log('');
console.log('| engine | images | CER | lab items fully right (structured rows) | lab items found in one text line | wall s/image | CPU s/image |');
console.log('|---|---|---|---|---|---|---|');
for (const [key, t] of [...tallies.entries()].sort()) {
  const [name, group] = key.split('\t');
  console.log(`| ${name} (${group}) | ${t.images} | ${percent(t.distance, t.length)} | ${name === 'medstruct' ? `${percent(t.structured, t.items)} (${t.structured}/${t.items})` : '–'} | ${percent(t.inLine, t.items)} (${t.inLine}/${t.items}) | ${(t.seconds / t.images).toFixed(2)} | ${(t.cpuSeconds / t.images).toFixed(2)} |`);
}
console.log('');
console.log(`Digital PDF: ${msPerPdfPage.toFixed(1)} ms per page (text layer, 20-page PDF, warm). Peak RSS with OCR loaded, after the images and the PDF: ${(peakRss / 1048576).toFixed(0)} MB (kernel high-water mark; ${(sampledRss / 1048576).toFixed(0)} MB sampled after each step).`);
if (failures.length > 0) {
  console.log('');
  console.log(`Lab items not fully right (${failures.length}):`);
  for (const f of failures.slice(0, 40)) console.log(`  ${f}`);
}
