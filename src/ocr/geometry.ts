import type { Point, Polygon } from '../document/types.js';

/** A rotated rectangle: centre, side lengths along its own axes, and the angle (radians) of its `width` axis. */
export interface RotatedRect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull (Andrew's monotone chain), counter-clockwise in y-down image coordinates reads clockwise. */
export function convexHull(points: Point[]): Point[] {
  if (points.length <= 2) return points.slice();
  const sorted = points.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  lower.pop();
  upper.pop();
  return lower.concat(upper);
}

/** Minimum-area enclosing rectangle of a point set (rotating the frame to each hull edge). */
export function minAreaRect(points: Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 1) return { cx: hull[0]![0], cy: hull[0]![1], width: 0, height: 0, angle: 0 };
  let best: RotatedRect | null = null;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (len === 0) continue;
    const ux = (b[0] - a[0]) / len, uy = (b[1] - a[1]) / len;
    let minU = Infinity, maxU = -Infinity, minV = Infinity, maxV = -Infinity;
    for (const p of hull) {
      const u = p[0] * ux + p[1] * uy;
      const v = -p[0] * uy + p[1] * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2, cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, angle: Math.atan2(uy, ux) };
    }
  }
  return canonicalRect(best!);
}

/** Puts the long side first and its angle within (-π/2, π/2], so a text line's rect reads left to right. */
export function canonicalRect(rect: RotatedRect): RotatedRect {
  let { width, height, angle } = rect;
  if (height > width) {
    [width, height] = [height, width];
    angle += Math.PI / 2;
  }
  while (angle > Math.PI / 2) angle -= Math.PI;
  while (angle <= -Math.PI / 2) angle += Math.PI;
  return { cx: rect.cx, cy: rect.cy, width, height, angle };
}

/** Corners of a rotated rect: top-left, top-right, bottom-right, bottom-left along its own axes. */
export function rectCorners(rect: RotatedRect): Polygon {
  const ux = Math.cos(rect.angle), uy = Math.sin(rect.angle);
  const vx = -uy, vy = ux;
  const hw = rect.width / 2, hh = rect.height / 2;
  const at = (su: number, sv: number): Point => [rect.cx + su * hw * ux + sv * hh * vx, rect.cy + su * hw * uy + sv * hh * vy];
  return [at(-1, -1), at(1, -1), at(1, 1), at(-1, 1)];
}

/** A 2-D affine map `[a, b, c, d, e, f]`: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

/** `outer ∘ inner`: first `inner`, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return [
    outer[0] * inner[0] + outer[1] * inner[3],
    outer[0] * inner[1] + outer[1] * inner[4],
    outer[0] * inner[2] + outer[1] * inner[5] + outer[2],
    outer[3] * inner[0] + outer[4] * inner[3],
    outer[3] * inner[1] + outer[4] * inner[4],
    outer[3] * inner[2] + outer[4] * inner[5] + outer[5],
  ];
}

export function mapPolygon(m: Affine, poly: Polygon): Polygon {
  return [applyAffine(m, poly[0]), applyAffine(m, poly[1]), applyAffine(m, poly[2]), applyAffine(m, poly[3])];
}

/** Point at fractions (u along top/bottom, v down the sides) inside a quadrilateral, bilinearly. */
export function quadPoint(q: Polygon, u: number, v: number): Point {
  const topX = q[0][0] + (q[1][0] - q[0][0]) * u, topY = q[0][1] + (q[1][1] - q[0][1]) * u;
  const botX = q[3][0] + (q[2][0] - q[3][0]) * u, botY = q[3][1] + (q[2][1] - q[3][1]) * u;
  return [topX + (botX - topX) * v, topY + (botY - topY) * v];
}

/** The sub-quadrilateral between horizontal fractions u0..u1 of a text-line quad. */
export function subQuad(q: Polygon, u0: number, u1: number): Polygon {
  return [quadPoint(q, u0, 0), quadPoint(q, u1, 0), quadPoint(q, u1, 1), quadPoint(q, u0, 1)];
}

export function quadWidth(q: Polygon): number {
  return (Math.hypot(q[1][0] - q[0][0], q[1][1] - q[0][1]) + Math.hypot(q[2][0] - q[3][0], q[2][1] - q[3][1])) / 2;
}

export function quadHeight(q: Polygon): number {
  return (Math.hypot(q[3][0] - q[0][0], q[3][1] - q[0][1]) + Math.hypot(q[2][0] - q[1][0], q[2][1] - q[1][1])) / 2;
}

export function roundPolygon(q: Polygon): Polygon {
  const r = (p: Point): Point => [Math.round(p[0] * 10) / 10, Math.round(p[1] * 10) / 10];
  return [r(q[0]), r(q[1]), r(q[2]), r(q[3])];
}
