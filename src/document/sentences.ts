import type { Span } from './types.js';

const HARD_STOPS = new Set(['。', '!', '?', '！', '？', '\n', ';', '；']);
const SOFT_STOPS = new Set(['，', ',', '、', ' ', '：', ':']);
const OPENING = new Set(['(', '（', '[', '［']);
const CLOSING = new Set([')', '）', ']', '］']);

/**
 * Splits normalized text into sentence windows: at hard stops, and inside over-long sentences at the
 * last soft stop before `maxLength`, so long inputs are processed in bounded windows without cutting
 * a word when a comma is near. Spans are normalized-text offsets, `end` exclusive, covering every char.
 */
export function splitSentences(chars: readonly string[], maxLength = 160): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let lastSoft = -1;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    // A mark in brackets (结石(?), a form's [?] box) doubts what it follows; it ends no sentence.
    if (HARD_STOPS.has(ch) && !(OPENING.has(chars[i - 1] ?? '') && CLOSING.has(chars[i + 1] ?? ''))) {
      spans.push({ start, end: i + 1 });
      start = i + 1;
      lastSoft = -1;
      continue;
    }
    if (SOFT_STOPS.has(ch)) lastSoft = i;
    if (i + 1 - start >= maxLength) {
      const cut = lastSoft > start + maxLength / 4 ? lastSoft + 1 : i + 1;
      spans.push({ start, end: cut });
      start = cut;
      lastSoft = -1;
    }
  }
  if (start < chars.length) spans.push({ start, end: chars.length });
  return spans;
}
