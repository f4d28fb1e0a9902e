import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { labelIn } from '../cli/commands/ner.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { buildPipeline } from '../pipeline/default.js';
import { isSchemeName, SCHEMES, type SchemeName } from '../taxonomy/taxonomy.js';
import { PRFCounter } from './metrics.js';

interface LabelledSpan { start: number; end: number; type: string }

/**
 * Where the strict errors come from: a predicted span with the gold span but another label
 * (wrongType), one overlapping gold spans with other bounds (wrongBoundary), one overlapping no
 * gold span (spurious); and gold spans no prediction overlaps (missed).
 */
interface ErrorCounts { wrongType: number; wrongBoundary: number; spurious: number; missed: number }

function countErrors(gold: LabelledSpan[], predicted: LabelledSpan[], counts: ErrorCounts): void {
  const same = (a: LabelledSpan, b: LabelledSpan): boolean => a.start === b.start && a.end === b.end;
  const overlaps = (a: LabelledSpan, b: LabelledSpan): boolean => a.start < b.end && b.start < a.end;
  for (const p of predicted) {
    if (gold.some((g) => same(g, p) && g.type === p.type)) continue;
    if (gold.some((g) => same(g, p))) counts.wrongType++;
    else if (gold.some((g) => overlaps(g, p))) counts.wrongBoundary++;
    else counts.spurious++;
  }
  for (const g of gold) if (!predicted.some((p) => overlaps(g, p))) counts.missed++;
}

interface GoldRow {
  text: string;
  entities?: Array<{ start: number; end: number; type: string }>;
}

/**
 * `medstruct eval ner --data FILE.jsonl --scheme S [--model native]`: strict span match (same start, end and label),
 * per label and micro-averaged, with a breakdown of the errors by kind. Offsets in the data are code
 * points, end exclusive.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data', 'scheme', 'model']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval ner needs --data FILE.jsonl');
  const scheme = stringOption(args, 'scheme', 'native')!;
  if (!isSchemeName(scheme)) throw new MedstructError('INVALID_ARGUMENT', `--scheme must be one of ${SCHEMES.join(', ')}`);
  const rows = readJsonl<GoldRow>(data);
  // --model native scores the native pipeline's unified types mapped to the scheme's labels (cross-corpus check).
  const model = stringOption(args, 'model', scheme)!;
  if (model !== scheme && model !== 'native') throw new MedstructError('INVALID_ARGUMENT', '--model must be the scheme itself or native');
  const pipeline = buildPipeline({ scheme: model as SchemeName });
  const counter = new PRFCounter();
  const errors: ErrorCounts = { wrongType: 0, wrongBoundary: 0, spurious: 0, missed: 0 };
  const started = performance.now();
  let chars = 0;
  for (const row of rows) {
    const doc = pipeline.run(new MedDocument(row.text));
    chars += doc.length;
    const predicted: Array<[string, string]> = [];
    const predictedSpans: LabelledSpan[] = [];
    for (const e of doc.entities) {
      const label = labelIn(scheme, e, model as SchemeName);
      if (label !== null) {
        predicted.push([label, `${e.start}:${e.end}`]);
        predictedSpans.push({ start: e.start, end: e.end, type: label });
      }
    }
    counter.add((row.entities ?? []).map((e) => [e.type, `${e.start}:${e.end}`]), predicted);
    countErrors(row.entities ?? [], predictedSpans, errors);
  }
  const seconds = (performance.now() - started) / 1000;
  const micro = counter.micro();
  console.log(JSON.stringify({ scheme, model, documents: rows.length, characters: chars, seconds: Math.round(seconds * 100) / 100, perType: counter.perLabel(), errors, micro }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1 }));
  return 0;
}
