import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { assertKnownOptions, flag, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { deidentifyImage } from '../deid/image.js';
import { detectPhi } from '../deid/text.js';
import type { PhiSpan } from '../deid/types.js';
import { MedstructError } from '../errors.js';
import { PRFCounter } from './metrics.js';

interface GoldRow {
  text: string;
  spans?: Array<{ start: number; end: number; type: string }>;
}

interface TypeCounts { gold: number; masked: number; predicted: number; correct: number }

const round = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * `medstruct eval deid --data FILE.jsonl`: rows `{text, spans:[{start,end,type}]}` (code points).
 * Recall per gold type = share of gold PHI spans whose every character is covered by a detected span
 * (what masking needs); precision per detected type = share of detected spans that overlap gold PHI.
 * `strict` is exact-boundary, same-type P/R/F. The last line holds the micro figures.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['errors']);
  assertKnownOptions(args, ['data', 'images', 'errors']);
  const images = stringOption(args, 'images');
  if (images) return runImages(images, flag(args, 'errors'));
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval deid needs --data FILE.jsonl or --images FILE.jsonl');
  const rows = readJsonl<GoldRow>(data);
  const showErrors = flag(args, 'errors');
  const counts = new Map<string, TypeCounts>();
  const slot = (type: string): TypeCounts => {
    let c = counts.get(type);
    if (!c) { c = { gold: 0, masked: 0, predicted: 0, correct: 0 }; counts.set(type, c); }
    return c;
  };
  const strict = new PRFCounter();
  const started = performance.now();
  let chars = 0;
  for (const row of rows) {
    const gold = row.spans ?? [];
    const predicted = detectPhi(row.text, { mask: ['all'] });
    const length = Array.from(row.text).length;
    chars += length;
    const covered = new Uint8Array(length);
    for (const p of predicted) covered.fill(1, p.start, p.end);
    for (const g of gold) {
      const c = slot(g.type);
      c.gold++;
      let all = true;
      for (let i = g.start; i < g.end; i++) if (!covered[i]) all = false;
      if (all) c.masked++;
      else if (showErrors) console.log(JSON.stringify({ miss: g, text: Array.from(row.text).slice(g.start, g.end).join('') }));
    }
    for (const p of predicted) {
      const c = slot(p.type);
      c.predicted++;
      if (gold.some((g) => p.start < g.end && g.start < p.end)) c.correct++;
      else if (showErrors) console.log(JSON.stringify({ falsePositive: { type: p.type, text: p.text, start: p.start } }));
    }
    strict.add(gold.map((g) => [g.type, `${g.start}:${g.end}`]), predicted.map((p) => [p.type, `${p.start}:${p.end}`]));
  }
  const perType: Record<string, TypeCounts & { recall: number | null; precision: number | null }> = {};
  const total: TypeCounts = { gold: 0, masked: 0, predicted: 0, correct: 0 };
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type)!;
    perType[type] = { ...c, recall: c.gold ? round(c.masked / c.gold) : null, precision: c.predicted ? round(c.correct / c.predicted) : null };
    total.gold += c.gold; total.masked += c.masked; total.predicted += c.predicted; total.correct += c.correct;
  }
  const recall = total.gold ? round(total.masked / total.gold) : 0;
  const precision = total.predicted ? round(total.correct / total.predicted) : 0;
  const f1 = recall + precision ? round((2 * recall * precision) / (recall + precision)) : 0;
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ documents: rows.length, characters: chars, seconds: round(seconds), perType, strict: { perType: strict.perLabel(), micro: strict.micro() } }, null, 2));
  console.log(JSON.stringify({ recall, precision, f1, strictF1: strict.micro().f1 }));
  return 0;
}

interface ImageRow { file: string; phi: string[]; clinical: string[]; codes?: Array<[number, number, number, number]> }

/** Share of the ink (grey < 128 on the original) inside the box [x, y, w, h] that barcode boxes cover. */
function inkCovered(gray: { data: Buffer; width: number }, box: [number, number, number, number], spans: PhiSpan[]): number {
  const [x0, y0, w, h] = box;
  const rects = spans.filter((s) => s.type === 'barcode').flatMap((s) => s.polygons ?? []).map((p) => [p[0][0], p[0][1], p[2][0], p[2][1]] as const);
  let ink = 0, inside = 0;
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      if (gray.data[y * gray.width + x]! >= 128) continue;
      ink++;
      if (rects.some(([a, b, c, d]) => x >= a && x < c && y >= b && y < d)) inside++;
    }
  }
  return ink === 0 ? 1 : inside / ink;
}

/**
 * `medstruct eval deid --images FILE.jsonl`: rows `{file, phi:[…], clinical:[…]}`. Each image is masked
 * with `deidentifyImage`, then read back by the project's OCR: a PHI string still readable is a leak,
 * a clinical string no longer readable is a loss. Also counts PHI readable on the original (the ceiling)
 * and, where rows give `codes` boxes, the codes whose ink is at least 99 % covered by barcode boxes.
 */
async function runImages(path: string, showErrors: boolean): Promise<number> {
  const { ocrImage } = await import('../ocr/index.js');
  const rows = readJsonl<ImageRow>(path);
  const readText = async (bytes: Buffer): Promise<string> => (await ocrImage(bytes)).pages.flatMap((p) => p.lines.map((l) => l.text)).join('\n').replace(/[\s·•]/g, '');
  let planted = 0, readableBefore = 0, leaked = 0, clinical = 0, kept = 0, regions = 0, codes = 0, codesCovered = 0;
  const started = performance.now();
  for (const row of rows) {
    const bytes = readFileSync(row.file);
    const before = await readText(bytes);
    const masked = await deidentifyImage(bytes);
    const after = await readText(masked.image);
    regions += masked.spans.filter((s) => s.type === 'barcode').length;
    const gray = row.codes ? await sharp(bytes).greyscale().raw().toBuffer({ resolveWithObject: true }) : null;
    for (const box of row.codes ?? []) {
      codes++;
      if (inkCovered({ data: gray!.data, width: gray!.info.width }, box, masked.spans) >= 0.99) codesCovered++;
      else if (showErrors) console.log(JSON.stringify({ codeNotCovered: box, file: row.file }));
    }
    for (const phi of row.phi) {
      planted++;
      if (before.includes(phi)) readableBefore++;
      if (after.includes(phi)) {
        leaked++;
        if (showErrors) console.log(JSON.stringify({ leak: phi, file: row.file }));
      }
    }
    for (const item of row.clinical) {
      clinical++;
      if (after.includes(item)) kept++;
      else if (showErrors) console.log(JSON.stringify({ lost: item, file: row.file }));
    }
  }
  const seconds = round((performance.now() - started) / 1000);
  const summary = { images: rows.length, phiPlanted: planted, phiReadableBefore: readableBefore, phiReadableAfter: leaked, clinicalStrings: clinical, clinicalReadableAfter: kept, barcodeRegions: regions, codesPlanted: codes, codesCovered, seconds };
  console.log(JSON.stringify(summary, null, 2));
  console.log(JSON.stringify({ phiLeakRate: planted ? round(leaked / planted) : 0, clinicalKeptRate: clinical ? round(kept / clinical) : 0 }));
  return 0;
}
