import { readFileSync } from 'node:fs';
import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { decodeText, isFile } from '../cli/io.js';
import { MedstructError } from '../errors.js';
import { getLinker } from '../linking/index.js';
import { PRFCounter } from './metrics.js';

interface CdnRow {
  text: string;
  normalized_result: string;
}

/** Gold names of a CHIP-CDN row: '##'-separated, quotes around names with commas dropped. */
export function cdnGold(row: CdnRow): string[] {
  return row.normalized_result.split('##').map((n) => n.trim().replace(/^"(.*)"$/, '$1')).filter((n) => n.length > 0);
}

/**
 * `medstruct eval link --data FILE.json` on the CHIP-CDN format (a JSON array of {text, normalized_result:"a##b"}):
 * micro precision/recall/F1 over the predicted standard names of each text.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval link needs --data FILE.json');
  if (!isFile(data)) throw new MedstructError('INVALID_ARGUMENT', `No such file: ${data}`);
  let rows: CdnRow[];
  try {
    rows = JSON.parse(decodeText(readFileSync(data))) as CdnRow[];
  } catch {
    throw new MedstructError('INVALID_JSON', `${data} is not a JSON array`);
  }
  if (!Array.isArray(rows) || rows.some((r) => typeof r?.text !== 'string' || typeof r.normalized_result !== 'string')) {
    throw new MedstructError('INVALID_JSON', `${data} must be a JSON array of {text, normalized_result}`);
  }
  const linker = getLinker();
  const counter = new PRFCounter();
  const started = performance.now();
  for (const row of rows) {
    const predicted = linker.linkDiagnoses(row.text).map((c): [string, string] => ['name', c.name]);
    counter.add(cdnGold(row).map((n): [string, string] => ['name', n]), predicted);
  }
  const seconds = (performance.now() - started) / 1000;
  const micro = counter.micro();
  console.log(JSON.stringify({ texts: rows.length, seconds: Math.round(seconds * 100) / 100, micro }, null, 2));
  console.log(JSON.stringify({ precision: micro.precision, recall: micro.recall, f1: micro.f1 }));
  return 0;
}
