import { foldChar } from '../document/normalize.js';

/** Longest text the model reads: the head and the tail of long documents carry the type. */
const HEAD_CHARS = 3000;
const TAIL_CHARS = 1000;

/**
 * The text as the classifier sees it: full-width folded, ASCII lower-cased, digit runs collapsed to
 * one `0`, whitespace runs to one space. Long documents keep their head and tail only.
 */
export function classifierView(text: string): string {
  const chars = Array.from(text);
  const picked = chars.length > HEAD_CHARS + TAIL_CHARS
    ? [...chars.slice(0, HEAD_CHARS), ' ', ...chars.slice(chars.length - TAIL_CHARS)]
    : chars;
  let out = '';
  let previous = '';
  for (const raw of picked) {
    let ch = foldChar(raw);
    if (ch >= '0' && ch <= '9') ch = '0';
    else if (ch === '\n' || ch === '\r' || ch === ' ' || ch === '\t' || ch === '\u3000') ch = ' ';
    else ch = ch.toLowerCase();
    if ((ch === '0' || ch === ' ') && ch === previous) continue;
    out += ch;
    previous = ch;
  }
  return out.trim();
}

function lengthBucket(length: number): string {
  if (length < 20) return '#len:xs';
  if (length < 60) return '#len:s';
  if (length < 200) return '#len:m';
  if (length < 800) return '#len:l';
  return '#len:xl';
}

/**
 * Sparse features of a text: character 1-3-grams (counts damped by 1+log) plus a length bucket,
 * L2-normalized. Unknown n-grams are dropped by the caller's vocabulary.
 */
export function extractFeatures(view: string): Map<string, number> {
  const chars = Array.from(view);
  const counts = new Map<string, number>();
  const add = (key: string): void => { counts.set(key, (counts.get(key) ?? 0) + 1); };
  for (let i = 0; i < chars.length; i++) {
    const a = chars[i]!;
    if (a !== ' ') add(a);
    if (i + 1 < chars.length) {
      const ab = a + chars[i + 1]!;
      add(ab);
      if (i + 2 < chars.length) add(ab + chars[i + 2]!);
    }
  }
  const features = new Map<string, number>();
  let norm = 0;
  for (const [key, count] of counts) {
    const value = 1 + Math.log(count);
    features.set(key, value);
    norm += value * value;
  }
  features.set(lengthBucket(chars.length), 1);
  norm += 1;
  const scale = 1 / Math.sqrt(norm);
  for (const [key, value] of features) features.set(key, value * scale);
  return features;
}
