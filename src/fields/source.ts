import type { MedDocument } from '../document/document.js';
import { foldChar } from '../document/normalize.js';
import type { FieldValue, Section } from '../document/types.js';

/**
 * The text the extractors match against: the ORIGINAL text with each code point folded to its
 * half-width look-alike (one code point for one), so a match offset maps straight back to the original.
 * Extractors keep line breaks and column spacing, which lab sheets and prescriptions depend on.
 */
export interface Source {
  readonly doc: MedDocument;
  /** Folded original text as a JS string. */
  readonly text: string;
  /** UTF-16 index → code-point index (null when the text has no astral characters: identity). */
  readonly toCp: Int32Array | null;
  /** Code-point index → UTF-16 index (null when identity). */
  readonly toU16: Int32Array | null;
}

/** A part of the source to search: UTF-16 offsets into `Source.text`, end exclusive. */
export interface Region {
  start: number;
  end: number;
}

const cache = new WeakMap<MedDocument, Source>();

export function sourceOf(doc: MedDocument): Source {
  const cached = cache.get(doc);
  if (cached) return cached;
  const folded = doc.chars.map(foldChar);
  const text = folded.join('');
  let toCp: Int32Array | null = null;
  let toU16: Int32Array | null = null;
  if (text.length !== folded.length) {
    toCp = new Int32Array(text.length + 1);
    toU16 = new Int32Array(folded.length + 1);
    let u = 0;
    folded.forEach((ch, cp) => {
      toU16![cp] = u;
      for (let k = 0; k < ch.length; k++) toCp![u + k] = cp;
      u += ch.length;
    });
    toCp[text.length] = folded.length;
    toU16[folded.length] = text.length;
  }
  const source: Source = { doc, text, toCp, toU16 };
  cache.set(doc, source);
  return source;
}

export const cpOf = (src: Source, u16: number): number => (src.toCp ? src.toCp[u16]! : u16);
export const u16Of = (src: Source, cp: number): number => (src.toU16 ? src.toU16[cp]! : cp);

export function wholeRegion(src: Source): Region {
  return { start: 0, end: src.text.length };
}

export function regionText(src: Source, region: Region): string {
  return src.text.slice(region.start, region.end);
}

const SIGNATURE = /(?:^|\n)\s*(?:(?:报告|审核|检查|诊断|记录|打印|检验|复核|主治|经治|总检|主检)(?:医生|医师|者|日期|时间|人)|(?:医师|医生)签名)\s*[:：]/;

const EDGE = /[\s,，;；:：。.、|]/;

/** Shrinks [start, end) past whitespace and separators at both ends. */
export function trimSpan(text: string, start: number, end: number): Region {
  while (start < end && EDGE.test(text[start]!)) start++;
  while (end > start && EDGE.test(text[end - 1]!)) end--;
  return { start, end };
}

/**
 * A field value with its evidence: `value` is the original text of [start, end) (code points),
 * `src` the original text of the evidence region (the line or clause it was read from), and `page`/`polygon`
 * when the document came from an image or PDF.
 */
export function fieldValue(src: Source, start: number, end: number, normalized: string | number | null, evidence?: Region): FieldValue {
  const t = trimSpan(src.text, start, end);
  const s = cpOf(src, t.start);
  const e = cpOf(src, t.end);
  const value = src.doc.slice(s, e);
  const ev = evidence ? trimSpan(src.text, evidence.start, evidence.end) : null;
  const out: FieldValue = { value, normalized, src: ev ? src.doc.slice(cpOf(src, ev.start), cpOf(src, ev.end)) : value, start: s, end: e };
  const page = src.doc.pageOf(s);
  if (page !== null) out.page = page;
  const polygon = src.doc.polygonOf(s, e);
  if (polygon) out.polygon = polygon;
  return out;
}

/** The body of a section (after its header and the colon that ends it), as a region of the source. */
export function sectionBody(src: Source, section: Section): Region {
  const from = section.header ? section.header.end : section.start;
  let start = u16Of(src, from);
  let end = u16Of(src, section.end);
  while (start < end && /[\s:：]/.test(src.text[start]!)) start++;
  // The signature lines that close a report (报告医生：… 报告日期：…) are not part of its last section.
  const signature = SIGNATURE.exec(src.text.slice(start, end));
  if (signature) end = start + signature.index;
  return { start, end };
}

/** Bodies of every section with one of the keys, in document order. */
export function sectionRegions(src: Source, ...keys: string[]): Region[] {
  return src.doc.sections.filter((s) => keys.includes(s.key)).map((s) => sectionBody(src, s)).filter((r) => r.end > r.start);
}

/** The first section with one of the keys (in key order of preference), as a trimmed field value. */
export function sectionValue(src: Source, ...keys: string[]): FieldValue | null {
  for (const key of keys) {
    const region = sectionRegions(src, key)[0];
    if (region) {
      const t = trimSpan(src.text, region.start, region.end);
      if (t.end > t.start) return fieldValue(src, t.start, t.end, src.text.slice(t.start, t.end).replace(/\s+/g, ' '));
    }
  }
  return null;
}

/** Splits a region at clause ends (。；;!? and line breaks), dropping empty pieces. */
export function clauses(src: Source, region: Region, stops = /[。；;!?！？\n]/): Region[] {
  const out: Region[] = [];
  let start = region.start;
  for (let i = region.start; i <= region.end; i++) {
    if (i === region.end || stops.test(src.text[i]!)) {
      const t = trimSpan(src.text, start, i);
      if (t.end > t.start) out.push(t);
      start = i + 1;
    }
  }
  return out;
}

/** Line regions of a region (split at \n / \r). */
export function lines(src: Source, region: Region): Region[] {
  return clauses(src, region, /[\r\n]/);
}

/** Every match of `re` (global) within a region, with absolute UTF-16 offsets. */
export function* matchAll(src: Source, region: Region, re: RegExp): Generator<RegExpExecArray & { pos: number }> {
  const text = src.text.slice(region.start, region.end);
  // Module-level patterns are global already: reuse them (compiling per call dominated extraction time).
  // A caller must not nest two iterations over the same pattern object.
  const g = re.global ? re : new RegExp(re.source, re.flags + 'g');
  g.lastIndex = 0;
  for (let m = g.exec(text); m !== null; m = g.exec(text)) {
    if (m[0].length === 0) { g.lastIndex++; continue; }
    yield Object.assign(m, { pos: region.start + m.index });
  }
}

/** Absolute start of capture group `group` of a match from `matchAll` (needs the `d` flag). */
export function groupSpan(m: RegExpExecArray & { pos: number }, group: number | string, regionStart: number): Region | null {
  const idx = (m as RegExpExecArray & { indices?: RegExpIndicesArray }).indices;
  const pair = typeof group === 'number' ? idx?.[group] : idx?.groups?.[group];
  if (!pair) return null;
  return { start: regionStart + pair[0], end: regionStart + pair[1] };
}

/** Escapes a literal for use inside a RegExp. */
export function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An alternation of literals, longest first, so 白细胞计数 wins over 白细胞. */
export function alternation(literals: readonly string[]): string {
  return [...new Set(literals)].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
}
