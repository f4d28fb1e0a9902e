import type { FieldValue, Polygon } from '../document/types.js';

/** The leaves MRS blocks are made of (Src/Index/Value/Coords), built from native field values. */

export type Fv = FieldValue | null | undefined;
export type Obj = Record<string, unknown>;

export const asFv = (v: unknown): Fv => (v !== null && typeof v === 'object' && 'value' in v && 'start' in v ? (v as FieldValue) : null);
export const src = (v: Fv): string => v?.value ?? '';
export const norm = (v: Fv): string => (v ? String(v.normalized ?? v.value) : '');
const coords = (polygon: Polygon | undefined): Array<{ Points: Array<{ X: number; Y: number }> }> | undefined =>
  polygon ? [{ Points: polygon.map(([x, y]) => ({ X: Math.round(x), Y: Math.round(y) })) }] : undefined;

export function withCoords(out: Obj, v: FieldValue): Obj {
  const c = coords(v.polygon);
  if (c) out.Coords = c;
  return out;
}

/** BlockInfo: {Name, Src, Value, Index}. */
export function block(name: string, v: Fv): Obj | null {
  return v ? withCoords({ Name: name, Src: v.value, Value: norm(v), Index: [v.start, v.end] }, v) : null;
}

/** Part: {Name, Src, Value, Index}. */
export const part = (v: Fv): Obj | null => (v ? withCoords({ Name: '部位', Src: v.value, Value: norm(v), Index: [v.start, v.end] }, v) : null);

/** Size with NormSize in millimetres. */
export function size(v: Fv): Obj | null {
  if (!v) return null;
  const mm = (v as FieldValue & { mm?: number[] }).mm ?? [];
  return withCoords({ Name: '大小', Src: v.value, Value: v.value, Index: [v.start, v.end], NormSize: { Number: mm.map(String), Type: mm.length > 1 ? `${mm.length}D` : '1D', Unit: 'mm', Impl: mm.join('*') } }, v);
}

/** BaseInfo: {Name, Index, Src, Value, Coords}. */
export function baseInfo(name: string, v: FieldValue): Obj {
  return withCoords({ Name: name, Index: [v.start, v.end], Src: v.value, Value: norm(v) }, v);
}

/** The page the first of the values lies on (image and PDF input), for a block's `Page`. */
export function pageOf(values: Fv[]): { Page?: number } {
  const page = values.find((v) => v?.page !== undefined)?.page;
  return page === undefined ? {} : { Page: page };
}
