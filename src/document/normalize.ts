/**
 * The normalized view every stage reads: full-width forms folded to half width, whitespace
 * runs collapsed, and OCR's common letter-for-digit confusions inside numbers repaired.
 * Characters are Unicode code points; `toOriginal[i]` is the code-point offset in the caller's
 * text of normalized character i (with one extra entry for the end).
 */
export interface TextView {
  /** The normalized text as a string. */
  readonly text: string;
  /** The normalized text as an array of code points. */
  readonly chars: readonly string[];
  /** normalized index → original code-point index; length chars.length + 1. */
  readonly toOriginal: Int32Array;
  /** original code-point index → normalized index (of the first normalized char at or after it); length original + 1. */
  readonly fromOriginal: Int32Array;
}

const FULLWIDTH_START = 0xff01;
const FULLWIDTH_END = 0xff5e;
const FULLWIDTH_OFFSET = 0xfee0;

/** Characters that OCR and keyboards swap in for ASCII look-alikes, mapped one to one. */
const CHAR_FOLDS: Record<string, string> = {
  '\u3000': ' ', '\u00a0': ' ', '\u2002': ' ', '\u2003': ' ', '\u2009': ' ', '\t': ' ',
  '\u2014': '-', '\u2013': '-', '\u2212': '-', '\u2015': '-',
  '\u2018': "'", '\u2019': "'",
  '\u201c': '“', '\u201d': '”',
  '\u00b7': '·', '\u30fb': '·',
  '\uff61': '。',
  '\u2191': '↑', '\u2193': '↓',
};

const DIGIT_CONFUSIONS: Record<string, string> = { O: '0', o: '0', l: '1', I: '1', '|': '1' };

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

export function foldChar(ch: string): string {
  // Most characters are ASCII or Han, where only the tab folds: answer them before the table look-up.
  const unit = ch.charCodeAt(0);
  if (unit < 0xa0) return unit === 9 && ch.length === 1 ? ' ' : ch;
  if (unit >= 0x4e00 && unit <= 0x9fff) return ch;
  const folded = CHAR_FOLDS[ch];
  if (folded !== undefined) return folded;
  const code = ch.codePointAt(0) ?? 0;
  if (code >= FULLWIDTH_START && code <= FULLWIDTH_END) return String.fromCodePoint(code - FULLWIDTH_OFFSET);
  return ch;
}

const isSpace = (ch: string): boolean => ch === ' ';
const isLineBreak = (ch: string): boolean => ch === '\n' || ch === '\r' || ch === '\u2028' || ch === '\u2029' || ch === '\v' || ch === '\f';

/** Han ideographs (CJK unified, extension A, and the supplementary planes' ideographs). */
export function isHan(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x3134f) || (c >= 0xf900 && c <= 0xfaff);
}

/**
 * Builds the normalized view of `original` (already split into code points).
 * Spaces between two Han characters are dropped (OCR spreads 血 红 蛋 白 apart); other whitespace
 * runs become one space; any run of line breaks becomes one '\n', which later stages treat as a boundary.
 */
export function normalizeText(original: readonly string[]): TextView {
  const chars: string[] = [];
  const toOriginal: number[] = [];
  const n = original.length;
  let i = 0;
  while (i < n) {
    const folded = foldChar(original[i]!);
    if (isSpace(folded) || isLineBreak(folded)) {
      let j = i;
      let sawBreak = false;
      while (j < n) {
        const f = foldChar(original[j]!);
        if (isLineBreak(f)) sawBreak = true;
        else if (!isSpace(f)) break;
        j++;
      }
      const prev = chars[chars.length - 1];
      const next = j < n ? foldChar(original[j]!) : undefined;
      const atEdge = prev === undefined || next === undefined;
      if (sawBreak) {
        if (!atEdge) { chars.push('\n'); toOriginal.push(i); }
      } else if (!atEdge && !(isHan(prev) && isHan(next))) {
        chars.push(' ');
        toOriginal.push(i);
      }
      i = j;
      continue;
    }
    chars.push(folded);
    toOriginal.push(i);
    i++;
  }
  // OCR reads 0 as O and 1 as l inside numbers: repair only between a digit and a digit (or decimal point and digit).
  for (let k = 1; k < chars.length - 1; k++) {
    // Every confusable is one ASCII character: skip the table look-up for all others.
    const unit = chars[k]!.charCodeAt(0);
    if (unit > 0x7f || chars[k]!.length !== 1) continue;
    const fix = DIGIT_CONFUSIONS[chars[k]!];
    if (fix === undefined || !isDigit(chars[k - 1])) continue;
    const next = chars[k + 1];
    if (isDigit(next) || (next === '.' && isDigit(chars[k + 2]))) chars[k] = fix;
  }
  toOriginal.push(n);
  const toOrig = Int32Array.from(toOriginal);
  const fromOriginal = new Int32Array(n + 1);
  let normIndex = 0;
  for (let o = 0; o <= n; o++) {
    while (normIndex < chars.length && toOrig[normIndex]! < o) normIndex++;
    fromOriginal[o] = normIndex;
  }
  return { text: chars.join(''), chars, toOriginal: toOrig, fromOriginal };
}
