import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { labelIn } from '../cli/commands/ner.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { buildPipeline } from '../pipeline/default.js';
import { isSchemeName, SCHEMES } from '../taxonomy/taxonomy.js';
import { PRFCounter } from './metrics.js';

interface GoldRow {
  text: string;
  entities?: Array<{ start: number; end: number; type: string }>;
}

/**
 * `medstruct eval ner --data FILE.jsonl --scheme S`: strict span match (same start, end and label),
 * per label and micro-averaged. Offsets in the data are code points, end exclusive.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data', 'scheme']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval ner needs --data FILE.jsonl');
  const scheme = stringOption(args, 'scheme', 'native')!;
  if (!isSchemeName(scheme)) throw new MedstructError('INVALID_ARGUMENT', `--scheme must be one of ${SCHEMES.join(', ')}`);
  const rows = readJsonl<GoldRow>(data);
  const pipeline = buildPipeline({ scheme });
  const counter = new PRFCounter();
  const started = performance.now();
  let chars = 0;
  for (const row of rows) {
    const doc = pipeline.run(new MedDocument(row.text));
    chars += doc.length;
    const predicted: Array<[string, string]> = [];
    for (const e of doc.entities) {
      const label = labelIn(scheme, e, scheme);
      if (label !== null) predicted.push([label, `${e.start}:${e.end}`]);
    }
    counter.add((row.entities ?? []).map((e) => [e.type, `${e.start}:${e.end}`]), predicted);
  }
  const seconds = (performance.now() - started) / 1000;
  const micro = counter.micro();
  console.log(JSON.stringify({ scheme, documents: rows.length, characters: chars, seconds: Math.round(seconds * 100) / 100, perType: counter.perLabel(), micro }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1 }));
  return 0;
}
