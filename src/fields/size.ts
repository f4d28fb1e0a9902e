import { fieldValue, matchAll, type Region, type Source } from './source.js';
import { lengthUnit, toMm } from './normalize.js';
import type { FieldValue } from '../document/types.js';

const NUM = '\\d+(?:\\.\\d+)?';
// A unit may be followed by the × of the next dimension written as x (10mmx2mm), not by other letters.
const UNIT = '(?:mm|MM|Mm|cm|CM|Cm|毫米|厘米)(?![A-WYZa-wyz])';
const TIMES = '\\s*[x×*X]\\s*';

/** 3.8CM×3.3CM, 2.5*3.4CM, 12mm×10mm×8mm, 1.2cm: up to three dimensions with a length unit. */
export const SIZE_PATTERN = `${NUM}\\s*(?:${UNIT})?(?:${TIMES}${NUM}\\s*(?:${UNIT})?){0,2}`;
const SIZE_RE = new RegExp(SIZE_PATTERN, 'g');

export interface Size {
  /** Dimensions in millimetres, in the order written. */
  mm: number[];
  unit: string;
}

/** Parses a size text; null when it carries no length unit. */
export function parseSize(text: string): Size | null {
  const unitMatch = /(mm|MM|Mm|cm|CM|Cm|毫米|厘米)/g;
  const units = [...text.matchAll(unitMatch)].map((m) => lengthUnit(m[1]!) ?? (m[1]!.toLowerCase()));
  if (units.length === 0) return null;
  const unit = units[units.length - 1]!;
  const parts = text.split(/[x×*X]/);
  const mm: number[] = [];
  for (const part of parts) {
    const n = /(\d+(?:\.\d+)?)\s*(mm|MM|Mm|cm|CM|Cm|毫米|厘米)?/.exec(part);
    if (!n) return null;
    const u = n[2] ? (lengthUnit(n[2]) ?? n[2].toLowerCase()) : unit;
    mm.push(toMm(Number(n[1]), u));
  }
  return { mm, unit };
}

/** Every size with a unit in a region, as field values normalized to `{mm:[…]}` rendered `a×b mm`. */
export function findSizes(src: Source, region: Region): Array<FieldValue & { mm: number[] }> {
  const out: Array<FieldValue & { mm: number[] }> = [];
  for (const m of matchAll(src, region, SIZE_RE)) {
    const size = parseSize(m[0]);
    if (!size) continue;
    // Skip numbers that belong to a bigger token (e.g. the 5 of 5.1 already taken, or S5 segments).
    const before = src.text[m.pos - 1];
    if (before !== undefined && /[A-Za-z0-9.]/.test(before)) continue;
    const fv = fieldValue(src, m.pos, m.pos + m[0].length, `${size.mm.join('×')} mm`, region);
    out.push({ ...fv, mm: size.mm });
  }
  return out;
}
