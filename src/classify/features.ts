import { foldChar } from '../document/normalize.js';

/** Longest text the model reads: the head and the tail of long documents carry the type. */
const HEAD_CHARS = 3000;
const TAIL_CHARS = 1000;

const SPACE = 0x20;
const ZERO = 0x30;
/** Astral characters share one code in n-gram keys (they are rare and carry no type signal). */
const ASTRAL = 0xffff;

/**
 * The text as the classifier sees it, as character codes: full-width folded, ASCII lower-cased, digit
 * runs collapsed to one `0`, whitespace runs to one space. Long documents keep their head and tail only.
 */
export function classifierCodes(text: string): number[] {
  // Slice by UTF-16 units first (generously) so a huge input is not split into code points whole.
  const bound = (HEAD_CHARS + TAIL_CHARS) * 2;
  const chars = Array.from(text.length > bound * 2 ? `${text.slice(0, bound)}${text.slice(text.length - bound)}` : text);
  const picked = chars.length > HEAD_CHARS + TAIL_CHARS
    ? [...chars.slice(0, HEAD_CHARS), ' ', ...chars.slice(chars.length - TAIL_CHARS)]
    : chars;
  const out: number[] = [];
  let previous = SPACE;
  for (const raw of picked) {
    const ch = foldChar(raw);
    let code = ch.codePointAt(0) ?? SPACE;
    if (code >= ZERO && code <= 0x39) code = ZERO;
    else if (ch === '\n' || ch === '\r' || ch === ' ' || ch === '\t' || ch === '\u3000') code = SPACE;
    else if (code >= 0x41 && code <= 0x5a) code += 0x20;
    else if (code > 0xffff) code = ASTRAL;
    if ((code === ZERO || code === SPACE) && code === previous) continue;
    out.push(code);
    previous = code;
  }
  while (out.length > 0 && out[out.length - 1] === SPACE) out.pop();
  return out;
}

const LENGTH_BUCKETS = ['#len:xs', '#len:s', '#len:m', '#len:l', '#len:xl'] as const;

function lengthBucket(length: number): number {
  if (length < 20) return 0;
  if (length < 60) return 1;
  if (length < 200) return 2;
  if (length < 800) return 3;
  return 4;
}

/** Numeric key of an n-gram of 1-3 character codes (each 1..0xffff), or of a length bucket (negative). */
function ngramKey(a: number, b = 0, c = 0): number {
  return a * 4294967296 + b * 65536 + c;
}

/** The numeric key of a feature name as stored in the model's vocabulary. */
export function featureKey(name: string): number {
  const bucket = (LENGTH_BUCKETS as readonly string[]).indexOf(name);
  if (bucket >= 0) return -(bucket + 1);
  const codes = Array.from(name, (ch) => Math.min(ch.codePointAt(0)!, ASTRAL));
  return ngramKey(codes[0] ?? 0, codes[1] ?? 0, codes[2] ?? 0);
}

/** The feature name of a numeric key (for writing the vocabulary). */
export function featureName(key: number): string {
  if (key < 0) return LENGTH_BUCKETS[-key - 1]!;
  const a = Math.floor(key / 4294967296);
  const b = Math.floor(key / 65536) % 65536;
  const c = key % 65536;
  return String.fromCharCode(...[a, b, c].filter((x) => x > 0));
}

/**
 * Sparse features of a text: character 1-3-grams (counts damped by 1+log, spaces not counted as
 * unigrams) plus a length bucket, L2-normalized. Unknown n-grams are dropped by the caller's vocabulary.
 */
export function extractFeatures(codes: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (key: number): void => { counts.set(key, (counts.get(key) ?? 0) + 1); };
  const n = codes.length;
  for (let i = 0; i < n; i++) {
    const a = codes[i]!;
    if (a !== SPACE) add(ngramKey(a));
    if (i + 1 < n) {
      const b = codes[i + 1]!;
      add(ngramKey(a, b));
      if (i + 2 < n) add(ngramKey(a, b, codes[i + 2]!));
    }
  }
  let norm = 1;
  for (const [key, count] of counts) {
    const value = 1 + Math.log(count);
    counts.set(key, value);
    norm += value * value;
  }
  counts.set(-(lengthBucket(n) + 1), 1);
  const scale = 1 / Math.sqrt(norm);
  for (const [key, value] of counts) counts.set(key, value * scale);
  return counts;
}
