import { SURFACE_KINDS } from './kg.js';

/** The scorer's features, in the order of ScorerWeights.weights. */
export const FEATURE_NAMES = [
  'dice',
  'lcs',
  'edit',
  'surfaceInMention',
  'mentionInSurface',
  'lengthRatio',
  ...SURFACE_KINDS.map((k) => `kind_${k}`),
  'typeMatch',
  'typeOther',
  'prior',
] as const;

function lcsLength(a: string, b: string, row: Int32Array): number {
  row.fill(0, 0, b.length + 1);
  let best = 0;
  for (let i = 1; i <= a.length; i++) {
    let prev = 0;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? prev + 1 : Math.max(row[j]!, row[j - 1]!);
      prev = tmp;
      if (row[j]! > best) best = row[j]!;
    }
  }
  return best;
}

function editDistance(a: string, b: string, row: Int32Array): number {
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

const scratch = new Int32Array(1024);

/**
 * Features of one (mention, surface) pair. `typeAgreement` is 1 when the concept's type is the one asked
 * for, 0.5 when it is an accepted neighbour (a symptom for a disease mention), 0 otherwise.
 */
export function pairFeatures(mention: string, surface: string, dice: number, kind: number, typeAgreement: number, prior: number, out: Float64Array): Float64Array {
  const a = mention.length > 500 ? mention.slice(0, 500) : mention;
  const b = surface.length > 500 ? surface.slice(0, 500) : surface;
  const longest = Math.max(a.length, b.length, 1);
  let f = 0;
  out[f++] = dice;
  out[f++] = lcsLength(a, b, scratch) / longest;
  out[f++] = 1 - editDistance(a, b, scratch) / longest;
  out[f++] = a.includes(b) ? 1 : 0;
  out[f++] = b.includes(a) ? 1 : 0;
  out[f++] = Math.min(a.length, b.length) / longest;
  for (let k = 0; k < SURFACE_KINDS.length; k++) out[f++] = k === kind ? 1 : 0;
  out[f++] = typeAgreement === 1 ? 1 : 0;
  out[f++] = typeAgreement === 0.5 ? 1 : 0;
  out[f++] = Math.log1p(prior) / 5;
  return out;
}

export function logistic(weights: readonly number[], bias: number, x: Float64Array): number {
  let z = bias;
  for (let i = 0; i < weights.length; i++) z += weights[i]! * x[i]!;
  return 1 / (1 + Math.exp(-z));
}

/**
 * Fits logistic-regression weights by Newton's method (IRLS) with a small L2 penalty; positives are
 * up-weighted by sqrt(negatives/positives). Few features and tens of thousands of rows: exact and fast.
 */
export function fitLogistic(rows: Float64Array[], labels: number[], options: { iterations?: number; l2?: number } = {}): { weights: number[]; bias: number } {
  const dims = (rows[0]?.length ?? 0) + 1;
  const w = new Float64Array(dims);
  const l2 = options.l2 ?? 1e-3;
  const positives = labels.reduce((s, y) => s + y, 0);
  const positiveWeight = positives === 0 ? 1 : Math.sqrt((labels.length - positives) / positives);
  const x = new Float64Array(dims);
  for (let iteration = 0; iteration < (options.iterations ?? 25); iteration++) {
    const gradient = new Float64Array(dims);
    const hessian = Array.from({ length: dims }, () => new Float64Array(dims));
    for (let r = 0; r < rows.length; r++) {
      x.set(rows[r]!);
      x[dims - 1] = 1;
      let z = 0;
      for (let d = 0; d < dims; d++) z += w[d]! * x[d]!;
      const p = 1 / (1 + Math.exp(-z));
      const weight = labels[r] === 1 ? positiveWeight : 1;
      const err = (p - labels[r]!) * weight;
      const curvature = Math.max(p * (1 - p), 1e-9) * weight;
      for (let a = 0; a < dims; a++) {
        gradient[a]! += err * x[a]!;
        const ca = curvature * x[a]!;
        if (ca === 0) continue;
        for (let b = a; b < dims; b++) hessian[a]![b]! += ca * x[b]!;
      }
    }
    for (let a = 0; a < dims; a++) {
      gradient[a]! += l2 * rows.length * w[a]!;
      hessian[a]![a]! += l2 * rows.length;
      for (let b = 0; b < a; b++) hessian[a]![b] = hessian[b]![a]!;
    }
    const step = solve(hessian, gradient);
    let change = 0;
    for (let d = 0; d < dims; d++) { w[d]! -= step[d]!; change = Math.max(change, Math.abs(step[d]!)); }
    if (change < 1e-6) break;
  }
  return { weights: Array.from(w.subarray(0, dims - 1)), bias: w[dims - 1]! };
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (A is small and symmetric positive definite). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => { const r = new Float64Array(n + 1); r.set(row); r[n] = b[i]!; return r; });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]! || 1e-12;
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / p;
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let c = r + 1; c < n; c++) sum -= m[r]![c]! * out[c]!;
    out[r] = sum / (m[r]![r]! || 1e-12);
  }
  return out;
}
