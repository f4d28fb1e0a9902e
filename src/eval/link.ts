import { readFileSync } from 'node:fs';
import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { decodeText, isFile, readJsonl } from '../cli/io.js';
import { MedstructError } from '../errors.js';
import { getLinker, type Linker } from '../linking/index.js';
import { isEntityType, type EntityType } from '../taxonomy/taxonomy.js';
import { PRFCounter } from './metrics.js';

interface CdnRow {
  text: string;
  normalized_result: string;
}

/** Gold names of a CHIP-CDN row: '##'-separated, quotes around names with commas dropped. */
export function cdnGold(row: CdnRow): string[] {
  return row.normalized_result.split('##').map((n) => n.trim().replace(/^"(.*)"$/, '$1')).filter((n) => n.length > 0);
}

/** One entity mention as report NER gives it, with the standard name(s) accepted for it ("unlinked": none is credible). */
interface MentionRow {
  text: string;
  type: EntityType;
  expected: string | string[];
}

const UNLINKED = 'unlinked';

function readMentions(file: string): MentionRow[] {
  const rows = readJsonl<Partial<MentionRow>>(file);
  return rows.map((row, i) => {
    const expected = row.expected;
    const valid = typeof row.text === 'string' && typeof row.type === 'string' && isEntityType(row.type)
      && (typeof expected === 'string' || (Array.isArray(expected) && expected.length > 0 && expected.every((e) => typeof e === 'string')));
    if (!valid) throw new MedstructError('INVALID_JSON', `${file} line ${i + 1}: expected {text, type, expected: name | [names] | "unlinked"}`);
    return row as MentionRow;
  });
}

/**
 * Scores single mentions: precision over the links given, recall over mentions that have a standard name,
 * and the share of mentions with no credible concept that stay unlinked. `typed` is what the pipeline does
 * (link(text, type)); `untyped` is `medstruct link TEXT` without --type.
 */
function scoreMentions(linker: Linker, rows: MentionRow[], typed: boolean): Record<string, number> {
  let linked = 0, correct = 0, linkable = 0, found = 0, nothing = 0, keptUnlinked = 0;
  for (const row of rows) {
    const accepted = Array.isArray(row.expected) ? row.expected : [row.expected];
    const [best] = typed ? linker.link(row.text, row.type) : linker.linkText(row.text);
    const name = best?.name;
    if (name !== undefined) { linked++; if (accepted.includes(name)) correct++; }
    if (!accepted.includes(UNLINKED)) { linkable++; if (name !== undefined && accepted.includes(name)) found++; }
    if (accepted.every((a) => a === UNLINKED)) { nothing++; if (name === undefined) keptUnlinked++; }
  }
  const r = (x: number): number => Math.round(x * 10000) / 10000;
  const precision = linked ? correct / linked : 0, recall = linkable ? found / linkable : 0;
  return {
    mentions: rows.length, precision: r(precision), recall: r(recall),
    f1: r(precision + recall ? (2 * precision * recall) / (precision + recall) : 0),
    unlinkedAccuracy: r(nothing ? keptUnlinked / nothing : 0),
  };
}

/**
 * `medstruct eval link --mentions FILE.jsonl`: single entity mentions, one {text, type, expected} per line.
 * Last line JSON with the pipeline's (typed) figures.
 */
function runMentions(file: string): number {
  if (!isFile(file)) throw new MedstructError('INVALID_ARGUMENT', `No such file: ${file}`);
  const rows = readMentions(file);
  const linker = getLinker();
  const typed = scoreMentions(linker, rows, true);
  const untyped = scoreMentions(linker, rows, false);
  console.log(JSON.stringify({ typed, untyped }, null, 2));
  console.log(JSON.stringify(typed));
  return 0;
}

/**
 * `medstruct eval link --data FILE.json` on the CHIP-CDN format (a JSON array of {text, normalized_result:"a##b"}):
 * micro precision/recall/F1 over the predicted standard names of each text.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data', 'mentions']);
  const mentions = stringOption(args, 'mentions');
  if (mentions) return runMentions(mentions);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval link needs --data FILE.json or --mentions FILE.jsonl');
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
