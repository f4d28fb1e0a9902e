import type { Point } from '../document/types.js';
import { minAreaRect, type RotatedRect } from './geometry.js';

export interface DbOptions {
  /** Pixel probability above which a pixel counts as text. */
  threshold: number;
  /** Mean probability a region needs to be kept as a text box. */
  boxThreshold: number;
  /** How far each box grows: area × ratio / perimeter (DB's shrink ratio, undone). */
  unclipRatio: number;
  /** Shortest side, in map pixels, a kept box may have. */
  minSize: number;
}

export const DEFAULT_DB_OPTIONS: DbOptions = { threshold: 0.3, boxThreshold: 0.5, unclipRatio: 1.6, minSize: 3 };

export interface DetectedBox extends RotatedRect {
  score: number;
}

/**
 * Differentiable-binarisation post-processing: threshold the probability map, take 8-connected
 * regions, fit each a minimum-area rotated rectangle, score it by its mean probability, and grow
 * it back by the unclip distance (the network predicts shrunk text kernels).
 */
export function extractBoxes(prob: Float32Array, width: number, height: number, options: DbOptions = DEFAULT_DB_OPTIONS): DetectedBox[] {
  const label = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const boxes: DetectedBox[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (label[start] !== 0 || prob[start]! <= options.threshold) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    // Row extents are enough for the hull: every hull vertex is a row's leftmost or rightmost pixel.
    const rowMin = new Map<number, number>();
    const rowMax = new Map<number, number>();
    let sum = 0;
    let count = 0;
    while (top > 0) {
      const idx = stack[--top]!;
      const x = idx % width, y = (idx - x) / width;
      sum += prob[idx]!;
      count++;
      const lo = rowMin.get(y);
      if (lo === undefined || x < lo) rowMin.set(y, x);
      const hi = rowMax.get(y);
      if (hi === undefined || x > hi) rowMax.set(y, x);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const n = ny * width + nx;
          if (label[n] === 0 && prob[n]! > options.threshold) {
            label[n] = next;
            stack[top++] = n;
          }
        }
      }
    }
    if (count < 4) continue;
    const score = sum / count;
    if (score < options.boxThreshold) continue;
    const points: Point[] = [];
    for (const [y, lo] of rowMin) {
      const hi = rowMax.get(y)!;
      points.push([lo, y], [hi + 1, y], [lo, y + 1], [hi + 1, y + 1]);
    }
    const rect = minAreaRect(points);
    if (Math.min(rect.width, rect.height) < options.minSize) continue;
    const perimeter = 2 * (rect.width + rect.height);
    const grow = (rect.width * rect.height * options.unclipRatio) / perimeter;
    const grown = { ...rect, width: rect.width + 2 * grow, height: rect.height + 2 * grow };
    if (Math.min(grown.width, grown.height) < options.minSize + 2) continue;
    boxes.push({ ...grown, score });
  }
  return boxes;
}
