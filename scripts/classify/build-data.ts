/**
 * Builds the classifier's training and held-out sets from the shared corpora:
 *   npx tsx scripts/classify/build-data.ts
 * → data/classify/train.jsonl, data/classify/heldout.jsonl and its real-report part heldout-real.jsonl
 * (`{text, type, subtype?, source, kind}`).
 * A document goes to the held-out slice when a stable hash of its text falls in the last tenth; its
 * fragments and OCR-noised copies follow it, so nothing held out is ever trained on.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReportType } from '../../src/classify/types.js';
import { PACKAGE_ROOT } from '../../src/resources.js';
import { imagingModality, type LabelledDoc, readCcksDischarge, readOtherTexts, readSamples, readTumourReports, readYiduHistories } from './corpus.js';
import { frameImaging, type Rng, seededRng, syntheticDocs } from './synthetic.js';

export interface Example {
  text: string;
  type: ReportType;
  subtype?: string;
  source: string;
  kind: 'document' | 'fragment' | 'ocr';
}

/** FNV-1a over the text without whitespace: stable across runs, machines and re-formatting. */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const ch of text.replace(/\s+/g, '').slice(0, 400)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const isHeldOut = (text: string): boolean => stableHash(text) % 10 === 0;

function sentencesOf(text: string): string[] {
  return text.split(/(?<=[。；;！!？?\n])/).map((s) => s.trim()).filter((s) => s.length >= 4);
}

/** Up to `count` passages of 1-3 consecutive sentences, each at least `minLength` characters. */
function fragmentsOf(text: string, count: number, rng: Rng, minLength: number): string[] {
  const sentences = sentencesOf(text);
  if (sentences.length < 2) return [];
  const out = new Set<string>();
  for (let k = 0; k < count * 3 && out.size < count; k++) {
    const start = Math.floor(rng() * sentences.length);
    const len = 1 + Math.floor(rng() * 3);
    const piece = sentences.slice(start, start + len).join('');
    if (piece.length >= minLength && piece.length < text.length * 0.9) out.add(piece);
  }
  return [...out];
}

const CLINICAL_NOTE_TYPES = new Set<ReportType>(['admission', 'discharge', 'outpatient', 'progress_note']);
const NARRATIVE = /患者|入院|出院|就诊|出现|予|给予|行|术后|我院|外院|诉|查体|治疗|天前|月前|年前|\d{4}[-年.]/;

/**
 * A passage cut from a clinical note that is only a quoted exam result ("肝S2、3多发结节，考虑肝硬化结节")
 * reads as that exam's report, not as the note: such fragments are left out of both slices.
 */
function quotesAnotherReport(type: ReportType, passage: string): boolean {
  return CLINICAL_NOTE_TYPES.has(type) && !NARRATIVE.test(passage) && imagingModality(passage) !== null;
}

const OCR_CONFUSIONS: Record<string, string> = { '0': 'O', '1': 'l', '：': ':', '，': ',', '。': '.', '未': '末', '已': '己', '日': '曰', '人': '入', '大': '太', '常': '堂' };

/** Simulated OCR: broken lines, spaced-out characters, dropped and confused characters. */
function ocrNoise(text: string, rng: Rng): string {
  let out = '';
  let col = 0;
  for (const ch of text) {
    const r = rng();
    if (r < 0.02) continue;
    out += r < 0.05 ? (OCR_CONFUSIONS[ch] ?? ch) : ch;
    if (rng() < 0.03) out += ' ';
    col = ch === '\n' ? 0 : col + 1;
    if (col > 18 && rng() < 0.08) { out += '\n'; col = 0; }
  }
  return out;
}

function main(): void {
  const rng = seededRng(20241121);
  const real: LabelledDoc[] = [
    ...readSamples(),
    ...readCcksDischarge(),
    ...readYiduHistories(),
    ...readTumourReports(),
    ...readOtherTexts(1200),
  ];
  const { docs: synthetic, writer } = syntheticDocs(400, 7);
  const framed = real.filter((d) => ['ct', 'mri', 'ultrasound', 'xray', 'mammography', 'endoscopy'].includes(d.type) && rng() < 0.5)
    .map((d) => frameImaging(d, writer)).filter((d): d is LabelledDoc => d !== null);

  const train: Example[] = [];
  const heldout: Example[] = [];
  const seen = new Set<string>();
  for (const doc of [...real, ...framed, ...synthetic]) {
    const key = doc.text.replace(/\s+/g, '');
    if (seen.has(key)) continue;
    seen.add(key);
    const heldOut = isHeldOut(doc.text);
    const target = heldOut ? heldout : train;
    // Held-out fragments are passages a user could classify (a finding, a conclusion), not a bare clause.
    const minFragment = heldOut ? 20 : 8;
    const subtype = (doc as { subtype?: string }).subtype;
    const base = { type: doc.type, source: doc.source, ...(subtype ? { subtype } : {}) };
    target.push({ text: doc.text, kind: 'document', ...base });
    if (doc.type === 'other') continue;
    const passages = doc.fragmentParts ?? [{ text: doc.text, type: doc.type }];
    for (const part of passages) {
      for (const piece of fragmentsOf(part.text, 2, rng, minFragment)) {
        if (quotesAnotherReport(part.type, piece)) continue;
        target.push({ text: piece, type: part.type, source: doc.source, kind: 'fragment' });
      }
    }
    if (doc.fragmentParts) {
      for (const part of doc.fragmentParts) if (part.text.trim().length >= minFragment) target.push({ text: part.text.trim(), type: part.type, source: doc.source, kind: 'fragment' });
    }
    if (rng() < 0.3) target.push({ text: ocrNoise(doc.text, rng), kind: 'ocr', ...base });
  }
  const write = (name: string, rows: Example[]): void => {
    const path = `${PACKAGE_ROOT}/data/classify/${name}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  };
  write('train.jsonl', train);
  write('heldout.jsonl', heldout);
  // Real reports only (shared corpora, not templates, not template-framed): the headline figure.
  write('heldout-real.jsonl', heldout.filter((r) => !r.source.startsWith('synthetic:') && !r.source.startsWith('framed:')));
  const count = (rows: Example[]): Record<string, number> => rows.reduce<Record<string, number>>((acc, r) => { acc[r.type] = (acc[r.type] ?? 0) + 1; return acc; }, {});
  console.log(JSON.stringify({ train: train.length, heldout: heldout.length, trainTypes: count(train), heldoutTypes: count(heldout) }));
}

main();
