import { readJsonResource } from '../resources.js';

/** One layout row of a page, as the document builder sees it. */
export interface RowText {
  text: string;
  /** Rows inside a lab table (its repeated header included) are content, never running lines. */
  inTable: boolean;
}

/** How many rows at the top and at the bottom of a page can belong to a running header or footer. */
const EDGE_ROWS = 3;
/** Shortest running line, in characters (digits masked). */
const MIN_RUNNING_LENGTH = 6;
/** Bigram overlap above which two OCR reads of a banner count as the same line. */
const SAME_LINE = 0.8;

let pageMarks: RegExp[] | null = null;
function pageMarkPatterns(): RegExp[] {
  pageMarks ??= readJsonResource<{ pageMarks: string[] }>('ocr', 'layout.json').pageMarks.map((p) => new RegExp(p));
  return pageMarks;
}

const compact = (text: string): string => text.replace(/\s+/g, '').toLowerCase();

/** A row that is nothing but a page number (第2页 共4页, 2/4, - 2 -); a page never exceeds the count (120/80 is no mark). */
export function isPageMark(text: string): boolean {
  const c = compact(text);
  if (c === '' || !pageMarkPatterns().some((re) => re.test(c))) return false;
  const numbers = (c.match(/\d+/g) ?? []).map(Number);
  if (c.startsWith('共')) numbers.reverse();
  return numbers.length < 2 || numbers[0]! <= numbers[1]!;
}

/** Digits masked, so 第1页 and 第2页 or a per-page print time compare equal. */
const shape = (text: string): string => compact(text).replace(/\d+/g, '#');

function bigrams(text: string): string[] {
  const chars = Array.from(text);
  return chars.slice(1).map((c, i) => chars[i]! + c);
}

/** Dice overlap of two multisets of strings. */
function overlap(x: string[], y: string[]): number {
  if (x.length + y.length === 0) return 1;
  const pool = new Map<string, number>();
  for (const g of x) pool.set(g, (pool.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of y) {
    const n = pool.get(g) ?? 0;
    if (n > 0) { shared++; pool.set(g, n - 1); }
  }
  return (2 * shared) / (x.length + y.length);
}

const hanOf = (text: string): string[] => Array.from(text.replace(/[^\u3400-\u9fff]/g, ''));

/**
 * Same running line: equal shapes, or (OCR misreads) most bigrams and most Chinese characters shared by
 * lines of some length. The characters keep apart rows that share only their layout (two lab rows
 * 总胆固醇 #.## mmol/L and 甘油三酯 #.## mmol/L at the top of two pages of a table without a header).
 */
function sameLine(a: string, b: string): boolean {
  if (a === b) return true;
  const x = bigrams(a), y = bigrams(b);
  if (x.length < 5 || y.length < 5) return false;
  return overlap(x, y) >= SAME_LINE && overlap(hanOf(a), hanOf(b)) >= SAME_LINE;
}

/**
 * The rows to leave out when pages are merged into one document, per page: page marks outside tables,
 * and running header and footer rows (hospital banner, patient line, print time) that repeat at the top
 * or bottom of an earlier page. The first occurrence stays, so the patient's details are read once.
 */
export function runningRows(pages: RowText[][]): Array<Set<number>> {
  const seen = { top: [] as string[], bottom: [] as string[] };
  return pages.map((rows) => {
    const drop = new Set<number>();
    const found = { top: [] as string[], bottom: [] as string[] };
    rows.forEach((row, i) => {
      if (row.inTable) return;
      if (isPageMark(row.text)) { drop.add(i); return; }
      const edge = i < EDGE_ROWS ? 'top' : i >= rows.length - EDGE_ROWS ? 'bottom' : null;
      const s = shape(row.text);
      // Short lines (检查结论：) repeat as content; banners are longer.
      if (edge === null || Array.from(s).length < MIN_RUNNING_LENGTH) return;
      if (seen[edge].some((earlier) => sameLine(earlier, s))) drop.add(i);
      else found[edge].push(s);
    });
    seen.top.push(...found.top);
    seen.bottom.push(...found.bottom);
    return drop;
  });
}
