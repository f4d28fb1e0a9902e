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

/** Fits logistic-regression weights by full-batch gradient descent with L2 (small data; no dependency needed). */
export function fitLogistic(rows: Float64Array[], labels: number[], options: { epochs?: number; rate?: number; l2?: number } = {}): { weights: number[]; bias: number } {
  const dims = rows[0]?.length ?? 0;
  const weights = new Array<number>(dims).fill(0);
  let bias = 0;
  const epochs = options.epochs ?? 400;
  const rate = options.rate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const positives = labels.reduce((s, y) => s + y, 0);
  const positiveWeight = positives === 0 ? 1 : (labels.length - positives) / positives;
  const gradient = new Array<number>(dims);
  for (let epoch = 0; epoch < epochs; epoch++) {
    gradient.fill(0);
    let gradientBias = 0;
    let total = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r]!;
      const y = labels[r]!;
      const w = y === 1 ? Math.sqrt(positiveWeight) : 1;
      const err = (logistic(weights, bias, x) - y) * w;
      for (let d = 0; d < dims; d++) gradient[d]! += err * x[d]!;
      gradientBias += err;
      total += w;
    }
    for (let d = 0; d < dims; d++) weights[d]! -= rate * (gradient[d]! / total + l2 * weights[d]!);
    bias -= rate * (gradientBias / total);
  }
  return { weights, bias };
}
