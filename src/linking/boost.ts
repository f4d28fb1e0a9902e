import { lowerBound } from '../util/search.js';
/**
 * Gradient-boosted trees for the diagnosis re-ranker (logistic loss, complete trees of fixed depth over
 * binned features). Small enough to fit in seconds in the build script and to evaluate in microseconds.
 */
export interface BoostedTrees {
  depth: number;
  base: number;
  /** Per tree: split feature and threshold of each internal node (breadth-first), then leaf values. */
  trees: Array<{ feature: number[]; threshold: number[]; leaf: number[] }>;
}

export function boostedProbability(model: BoostedTrees, x: ArrayLike<number>): number {
  let z = model.base;
  const internal = (1 << model.depth) - 1;
  for (const tree of model.trees) {
    let node = 0;
    for (let d = 0; d < model.depth; d++) node = 2 * node + (x[tree.feature[node]!]! > tree.threshold[node]! ? 2 : 1);
    z += tree.leaf[node - internal]!;
  }
  return 1 / (1 + Math.exp(-z));
}

export function fitBoostedTrees(rows: ArrayLike<number>[], labels: number[], options: { trees?: number; depth?: number; rate?: number; bins?: number; minLeaf?: number } = {}): BoostedTrees {
  const n = rows.length;
  const dims = rows[0]?.length ?? 0;
  const depth = options.depth ?? 3;
  const rate = options.rate ?? 0.1;
  const binCount = options.bins ?? 32;
  const minLeaf = options.minLeaf ?? 20;
  const lambda = 1;
  // Quantile bin edges per feature; bin b holds values in (edge[b-1], edge[b]].
  const edges: number[][] = [];
  const binned: Uint8Array[] = [];
  for (let f = 0; f < dims; f++) {
    const values = Array.from({ length: n }, (_, i) => rows[i]![f]!).sort((a, b) => a - b);
    const cuts: number[] = [];
    for (let b = 1; b < binCount; b++) {
      const v = values[Math.floor((b * n) / binCount)]!;
      if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
    }
    edges.push(cuts);
    const column = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]![f]!;
      column[i] = lowerBound(cuts, v);
    }
    binned.push(column);
  }
  const positives = labels.reduce((s, y) => s + y, 0);
  const base = Math.log(Math.max(positives, 1) / Math.max(n - positives, 1));
  const score = new Float64Array(n).fill(base);
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n);
  const nodeOf = new Int32Array(n);
  const internal = (1 << depth) - 1;
  const model: BoostedTrees = { depth, base, trees: [] };
  for (let t = 0; t < (options.trees ?? 150); t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-score[i]!));
      gradient[i] = p - labels[i]!;
      hessian[i] = Math.max(p * (1 - p), 1e-6);
    }
    nodeOf.fill(0);
    const feature = new Array<number>(internal).fill(0);
    const threshold = new Array<number>(internal).fill(Infinity);
    for (let d = 0; d < depth; d++) {
      const first = (1 << d) - 1;
      const width = 1 << d;
      const g = new Float64Array(width * dims * binCount);
      const h = new Float64Array(width * dims * binCount);
      const c = new Int32Array(width * dims * binCount);
      for (let i = 0; i < n; i++) {
        const node = nodeOf[i]! - first;
        if (node < 0 || node >= width) continue;
        for (let f = 0; f < dims; f++) {
          const at = (node * dims + f) * binCount + binned[f]![i]!;
          g[at]! += gradient[i]!;
          h[at]! += hessian[i]!;
          c[at]!++;
        }
      }
      for (let node = 0; node < width; node++) {
        let bestGain = 0;
        for (let f = 0; f < dims; f++) {
          const start = (node * dims + f) * binCount;
          let gt = 0, ht = 0, ct = 0;
          for (let b = 0; b < binCount; b++) { gt += g[start + b]!; ht += h[start + b]!; ct += c[start + b]!; }
          let gl = 0, hl = 0, cl = 0;
          for (let b = 0; b < edges[f]!.length; b++) {
            gl += g[start + b]!; hl += h[start + b]!; cl += c[start + b]!;
            if (cl < minLeaf || ct - cl < minLeaf) continue;
            const gr = gt - gl, hr = ht - hl;
            const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - (gt * gt) / (ht + lambda);
            if (gain > bestGain) { bestGain = gain; feature[first + node] = f; threshold[first + node] = edges[f]![b]!; }
          }
        }
      }
      for (let i = 0; i < n; i++) {
        const node = nodeOf[i]!;
        nodeOf[i] = 2 * node + (rows[i]![feature[node]!]! > threshold[node]! ? 2 : 1);
      }
    }
    const gl = new Float64Array(internal + 1);
    const hl = new Float64Array(internal + 1);
    for (let i = 0; i < n; i++) { gl[nodeOf[i]! - internal]! += gradient[i]!; hl[nodeOf[i]! - internal]! += hessian[i]!; }
    const leaf = Array.from(gl, (gs, k) => Math.round((-rate * gs) / (hl[k]! + lambda) * 1e5) / 1e5);
    for (let i = 0; i < n; i++) score[i]! += leaf[nodeOf[i]! - internal]!;
    model.trees.push({ feature, threshold: threshold.map((v) => (Number.isFinite(v) ? v : 1e9)), leaf });
  }
  return model;
}
