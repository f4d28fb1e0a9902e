import { existsSync, readFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { modelPath } from '../resources.js';
import { PairIndex, featureKey, sparseFeatures } from './features.js';

/** Multinomial logistic regression over sparse text features (see scripts/classify/train.ts). */
export interface LinearModel {
  classes: string[];
  /** N-gram features (see features.ts), indexed in `rows`. */
  vocabulary: PairIndex;
  /** Weight row of vocabulary entry i. */
  rows: Int32Array;
  /** Weight row of each length bucket, −1 when not in the vocabulary. */
  lengthRows: Int32Array;
  /** Row-major [feature][class]. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface ModelFile {
  format: 'medstruct-classify-lr/1';
  classes: string[];
  vocabulary: string[];
  bias: number[];
  trainedOn: Record<string, unknown>;
}

export const MODEL_DIR = 'classify';

let cached: LinearModel | null = null;

export function loadModel(): LinearModel {
  if (cached) return cached;
  const metaPath = modelPath(MODEL_DIR, 'model.json');
  const weightsPath = modelPath(MODEL_DIR, 'weights.bin');
  if (!existsSync(metaPath) || !existsSync(weightsPath)) {
    throw new MedstructError('MODEL_NOT_FOUND', `Classifier model missing under models/${MODEL_DIR}; run npm run train:classify`);
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ModelFile;
  const bytes = readFileSync(weightsPath);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (weights.length !== meta.vocabulary.length * meta.classes.length) {
    throw new MedstructError('MODEL_NOT_FOUND', `models/${MODEL_DIR}/weights.bin does not match model.json`);
  }
  const vocabulary = new PairIndex(meta.vocabulary.length);
  const rows = new Int32Array(meta.vocabulary.length);
  const lengthRows = new Int32Array(5).fill(-1);
  meta.vocabulary.forEach((name, row) => {
    const key = featureKey(name);
    if (key < 0) lengthRows[-key - 1] = row;
    else rows[vocabulary.add(Math.floor(key / 4294967296), key % 4294967296 | 0)] = row;
  });
  cached = { classes: meta.classes, vocabulary, rows, lengthRows, weights, bias: Float32Array.from(meta.bias) };
  return cached;
}

let found = new Int32Array(0);
/** What modelLogits reads ahead (kept, so the reads are not optimized away). */
const readAhead = { value: 0 };

/** Raw class scores (logits) of a text's classifier codes. */
export function modelLogits(model: LinearModel, codes: readonly number[]): Float64Array {
  const k = model.classes.length;
  const logits = Float64Array.from(model.bias);
  const { ngrams, values, lengthBucket, lengthValue } = sparseFeatures(codes);
  const size = ngrams.size;
  if (found.length < size) found = new Int32Array(size * 2);
  // Vocabulary slots and weight rows are cache misses: they are first read in branch-free loops, where
  // many overlap, then used in order (the logits add up in the same order as before).
  readAhead.value ^= model.vocabulary.touch(ngrams.high, ngrams.low, size);
  for (let i = 0; i < size; i++) {
    const index = model.vocabulary.get(ngrams.high[i]!, ngrams.low[i]!);
    found[i] = index >= 0 ? model.rows[index]! : -1;
  }
  const weights = model.weights;
  let ahead = 0;
  for (let i = 0; i < size; i++) ahead += weights[Math.max(found[i]!, 0) * k]!;
  readAhead.value += ahead;
  const add = (row: number, value: number): void => {
    const offset = row * k;
    for (let c = 0; c < k; c++) logits[c]! += value * weights[offset + c]!;
  };
  for (let i = 0; i < size; i++) if (found[i]! >= 0) add(found[i]!, values[i]!);
  const lengthRow = model.lengthRows[lengthBucket]!;
  if (lengthRow >= 0) add(lengthRow, lengthValue);
  return logits;
}
