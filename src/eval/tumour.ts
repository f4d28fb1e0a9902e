import { assertKnownOptions, flag, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { MedDocument } from '../document/document.js';
import { MedstructError } from '../errors.js';
import { sourceOf } from '../fields/source.js';
import { extractTumour } from '../fields/tumour.js';
import { PRFCounter } from './metrics.js';

interface GoldRow {
  text: string;
  primarySite?: string[];
  primarySize?: string[];
  metastasisSites?: string[];
}

const FIELDS = ['primarySite', 'primarySize', 'metastasisSites'] as const;

/**
 * `medstruct eval tumour --data FILE.jsonl`: per report, the set of values of each field (exact strings, as
 * the report words them) against the gold set; micro-F1 over the three fields. `--errors` prints the misses.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['errors']);
  assertKnownOptions(args, ['data', 'errors']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval tumour needs --data FILE.jsonl');
  const rows = readJsonl<GoldRow>(data);
  const counter = new PRFCounter();
  const started = performance.now();
  for (const row of rows) {
    if (typeof row.text !== 'string') throw new MedstructError('INVALID_ARGUMENT', 'every line needs a "text" string');
    const found = extractTumour(sourceOf(new MedDocument(row.text)));
    const gold = FIELDS.flatMap((f) => (row[f] ?? []).map((v): [string, string] => [f, v]));
    const predicted = FIELDS.flatMap((f) => found[f].map((v): [string, string] => [f, v.value]));
    counter.add(gold, predicted);
    if (flag(args, 'errors')) {
      const g = new Set(gold.map((x) => x.join('=')));
      const p = new Set(predicted.map((x) => x.join('=')));
      const missed = [...g].filter((x) => !p.has(x));
      const extra = [...p].filter((x) => !g.has(x));
      if (missed.length + extra.length > 0) console.log(JSON.stringify({ text: row.text.slice(0, 300), missed, extra }));
    }
  }
  const micro = counter.micro();
  console.log(JSON.stringify({ documents: rows.length, seconds: Math.round((performance.now() - started) / 10) / 100, perField: counter.perLabel(), micro }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1 }));
  return 0;
}
