/**
 * The lookup key of a term: NFKC (full-width → half-width, Ⅳ → IV, （ → ( ), Latin lower-cased,
 * whitespace and quotes removed. Every surface in the knowledge graph and every mention is keyed this way.
 */
export function normalizeKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s"'“”‘’「」『』]+/g, '');
}

/** Character bigrams of a key (a single character is its own gram), the unit of fuzzy retrieval. */
export function bigrams(key: string): string[] {
  const chars = Array.from(key);
  if (chars.length < 2) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** A stable short id from a name: FNV-1a 32-bit, hex. Same name, same id, on every build. */
export function stableHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
