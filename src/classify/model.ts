import { existsSync, readFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { modelPath } from '../resources.js';
import { extractFeatures, featureKey } from './features.js';

/** Multinomial logistic regression over sparse text features (see scripts/classify/train.ts). */
export interface LinearModel {
  classes: string[];
  /** Feature key (see features.ts) → row. */
  vocabulary: Map<number, number>;
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
  cached = {
    classes: meta.classes,
    vocabulary: new Map(meta.vocabulary.map((v, i) => [featureKey(v), i])),
    weights,
    bias: Float32Array.from(meta.bias),
  };
  return cached;
}

/** Raw class scores (logits) of a text's classifier codes. */
export function modelLogits(model: LinearModel, codes: readonly number[]): Float64Array {
  const k = model.classes.length;
  const logits = Float64Array.from(model.bias);
  for (const [feature, value] of extractFeatures(codes)) {
    const row = model.vocabulary.get(feature);
    if (row === undefined) continue;
    const offset = row * k;
    for (let c = 0; c < k; c++) logits[c]! += value * model.weights[offset + c]!;
  }
  return logits;
}
