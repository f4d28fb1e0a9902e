/** UTF-16 index → code-point index of a normalized text (identity when it has no astral characters). */
export function codePointIndex(text: string, chars: readonly string[]): (unit: number) => number {
  if (text.length === chars.length) return (unit) => unit;
  const map = new Int32Array(text.length + 1);
  let cp = 0;
  for (let u = 0; u < text.length; u++) {
    map[u] = cp;
    const c = text.charCodeAt(u);
    if (c < 0xd800 || c > 0xdbff) cp++;
  }
  map[text.length] = cp;
  return (unit) => map[unit]!;
}
