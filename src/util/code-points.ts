/** Code-point index of each UTF-16 index of `text` (identity when it has no astral characters, the usual case). */
export function codePointIndex(text: string): (unit: number) => number {
  let astral = false;
  for (let u = 0; u < text.length && !astral; u++) {
    const c = text.charCodeAt(u);
    astral = c >= 0xd800 && c <= 0xdbff;
  }
  if (!astral) return (unit) => unit;
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
