import { classifyText, isReportType, REPORT_TYPES, type ReportType } from '../classify/index.js';
import { assertKnownOptions, parseArgs, stringOption } from '../cli/args.js';
import { readJsonl } from '../cli/io.js';
import { MedstructError } from '../errors.js';

interface GoldRow {
  text?: unknown;
  type?: unknown;
  /** Optional grouping columns, reported separately when present (e.g. `kind`: document/fragment/ocr). */
  kind?: unknown;
  source?: unknown;
}

function ratio(correct: number, total: number): number {
  return total === 0 ? 0 : Math.round((correct / total) * 1e4) / 1e4;
}

/**
 * `medstruct eval classify --data FILE.jsonl` with `{text, type}` lines: accuracy, per-type recall,
 * the confusion matrix (gold → predicted → count) and, when the rows carry them, accuracy by `kind`
 * and by source family (the part of `source` before the first `:` or `/`).
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  assertKnownOptions(args, ['data']);
  const data = stringOption(args, 'data');
  if (!data) throw new MedstructError('INVALID_ARGUMENT', 'medstruct eval classify needs --data FILE.jsonl');
  const rows = readJsonl<GoldRow>(data);
  const confusion: Record<string, Record<string, number>> = {};
  const groups: Record<string, { correct: number; total: number }> = {};
  const count = (key: string, ok: boolean): void => {
    const g = (groups[key] ??= { correct: 0, total: 0 });
    g.total += 1;
    if (ok) g.correct += 1;
  };
  let correct = 0;
  const started = performance.now();
  for (const [index, row] of rows.entries()) {
    if (typeof row.text !== 'string' || typeof row.type !== 'string' || !isReportType(row.type)) {
      throw new MedstructError('INVALID_ARGUMENT', `Line ${index + 1} of ${data} needs "text" and a "type" among ${REPORT_TYPES.join(', ')}`);
    }
    const gold: ReportType = row.type;
    const predicted = classifyText(row.text).type;
    const ok = predicted === gold;
    if (ok) correct += 1;
    const line = (confusion[gold] ??= {});
    line[predicted] = (line[predicted] ?? 0) + 1;
    if (typeof row.kind === 'string') count(`kind:${row.kind}`, ok);
    if (typeof row.source === 'string') count(`source:${row.source.split(/[:/]/)[0]}`, ok);
  }
  const perType = Object.fromEntries(Object.entries(confusion).map(([gold, line]) => {
    const total = Object.values(line).reduce((a, b) => a + b, 0);
    return [gold, { recall: ratio(line[gold] ?? 0, total), total }];
  }));
  const byGroup = Object.fromEntries(Object.entries(groups).sort().map(([k, g]) => [k, { accuracy: ratio(g.correct, g.total), total: g.total }]));
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ examples: rows.length, seconds: Math.round(seconds * 100) / 100, perType, byGroup, confusion }, null, 2));
  console.log(JSON.stringify({ accuracy: ratio(correct, rows.length), examples: rows.length }));
  return 0;
}
