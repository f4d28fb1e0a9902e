import { readFileSync, writeFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { FEATURE_SLOTS, FEATURE_VERSION } from './features.js';
import { IntTable } from './hash.js';
import { Decoder, spansOf, tagCount } from './tags.js';

const MAGIC = 'MSNER001';

/** Metadata at the head of a model file. */
export interface ModelHeader {
  format: 'medstruct-ner';
  featureVersion: number;
  scheme: string;
  /** Decoding layers: each is an independent BIOES tagger over its labels (nested entities live in different layers). */
  layers: Array<{ name: string; labels: string[] }>;
  features: number;
  nnz: number;
  /** Quantization step of the int16 weights. */
  scale: number;
  training?: Record<string, unknown>;
}

export interface ModelArrays {
  keys: Int32Array;
  rowStart: Uint32Array;
  tags: Uint8Array;
  weights: Int16Array;
  /** Per layer, (T+1)×T transition weights (row T = sentence start). */
  transitions: Float32Array[];
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

export function writeModel(path: string, header: ModelHeader, arrays: ModelArrays): number {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const parts: Buffer[] = [];
  let size = 0;
  const push = (buf: Buffer): void => {
    const padded = align(buf.length, 8);
    const out = Buffer.alloc(padded);
    buf.copy(out);
    parts.push(out);
    size += padded;
  };
  const lead = Buffer.alloc(12);
  lead.write(MAGIC, 0, 'latin1');
  lead.writeUInt32LE(json.length, 8);
  push(Buffer.concat([lead, json]));
  const view = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  push(view(arrays.keys));
  push(view(arrays.rowStart));
  push(view(arrays.tags));
  push(view(arrays.weights));
  for (const t of arrays.transitions) push(view(t));
  writeFileSync(path, Buffer.concat(parts, size));
  return size;
}

/** A decoded entity span in sentence positions. */
export interface ModelSpan {
  layer: number;
  start: number;
  end: number;
  /** Label name in the model's scheme. */
  label: string;
  confidence: number;
}

interface Layer { name: string; labels: string[]; offset: number; decoder: Decoder; transitions: Float32Array }

/** A trained tagger: sparse int16 weights per hashed feature, plus one constrained Viterbi per layer. */
export class SequenceModel {
  readonly header: ModelHeader;
  private readonly table: IntTable;
  private readonly rowStart: Uint32Array;
  private readonly tags: Uint8Array;
  private readonly weights: Int16Array;
  private readonly layers: Layer[];
  private readonly stride: number;
  private scores = new Float32Array(0);
  private path = new Int32Array(0);

  private constructor(header: ModelHeader, arrays: ModelArrays) {
    this.header = header;
    this.rowStart = arrays.rowStart;
    this.tags = arrays.tags;
    this.weights = arrays.weights;
    this.table = new IntTable(arrays.keys.length);
    for (let f = 0; f < arrays.keys.length; f++) this.table.set(arrays.keys[f]!, f);
    let offset = 0;
    this.layers = header.layers.map((l, i) => {
      const layer = { name: l.name, labels: l.labels, offset, decoder: new Decoder(l.labels.length), transitions: arrays.transitions[i]! };
      offset += tagCount(l.labels.length);
      return layer;
    });
    this.stride = offset;
  }

  static load(path: string): SequenceModel {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      throw new MedstructError('MODEL_NOT_FOUND', `NER model not found: ${path}`);
    }
    if (bytes.length < 12 || bytes.toString('latin1', 0, 8) !== MAGIC) throw new MedstructError('MODEL_NOT_FOUND', `Not a medstruct NER model: ${path}`);
    const jsonLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + jsonLength)) as ModelHeader;
    if (header.featureVersion !== FEATURE_VERSION) throw new MedstructError('MODEL_NOT_FOUND', `Model ${path} was trained on feature version ${header.featureVersion}; retrain with npm run train`);
    // Copy into a fresh aligned buffer so typed-array views line up.
    const buffer = new ArrayBuffer(bytes.length);
    new Uint8Array(buffer).set(bytes);
    let at = align(12 + jsonLength, 8);
    const take = <T>(make: (b: ArrayBuffer, o: number, n: number) => T, count: number, bytesPer: number): T => {
      const out = make(buffer, at, count);
      at += align(count * bytesPer, 8);
      return out;
    };
    const keys = take((b, o, n) => new Int32Array(b, o, n), header.features, 4);
    const rowStart = take((b, o, n) => new Uint32Array(b, o, n), header.features + 1, 4);
    const tags = take((b, o, n) => new Uint8Array(b, o, n), header.nnz, 1);
    const weights = take((b, o, n) => new Int16Array(b, o, n), header.nnz, 2);
    const transitions = header.layers.map((l) => {
      const T = tagCount(l.labels.length);
      return take((b, o, n) => new Float32Array(b, o, n), (T + 1) * T, 4);
    });
    return new SequenceModel(header, { keys, rowStart, tags, weights, transitions });
  }

  get layerNames(): string[] {
    return this.layers.map((l) => l.name);
  }

  /** Decodes one sentence from its features (FEATURE_SLOTS per position) into spans of every layer. */
  decode(features: Int32Array, n: number): ModelSpan[] {
    if (n === 0) return [];
    const S = this.stride;
    if (this.scores.length < n * S) { this.scores = new Float32Array(n * S * 2); this.path = new Int32Array(n * 2); }
    const { scores, table, rowStart, tags, weights, path } = this;
    scores.fill(0, 0, n * S);
    const scale = this.header.scale;
    for (let i = 0; i < n; i++) {
      const base = i * S;
      const fo = i * FEATURE_SLOTS;
      for (let s = 0; s < FEATURE_SLOTS; s++) {
        const key = features[fo + s]!;
        if (key === 0) continue;
        const f = table.get(key);
        if (f < 0) continue;
        for (let r = rowStart[f]!, end = rowStart[f + 1]!; r < end; r++) scores[base + tags[r]!] += weights[r]!;
      }
    }
    for (let k = 0; k < n * S; k++) scores[k] = scores[k]! * scale;
    const out: ModelSpan[] = [];
    for (let li = 0; li < this.layers.length; li++) {
      const layer = this.layers[li]!;
      layer.decoder.decode(scores, layer.offset, S, n, layer.transitions, path);
      for (const span of spansOf(path, n)) {
        out.push({ layer: li, start: span.start, end: span.end, label: layer.labels[span.label]!, confidence: this.confidence(layer, span.start, span.end, path) });
      }
    }
    return out;
  }

  /**
   * A calibrated-looking score from the emission margins: the weakest position's margin between its
   * chosen tag and the best alternative, squashed to 0..1. Perceptron scores are not probabilities.
   */
  private confidence(layer: Layer, start: number, end: number, path: Int32Array): number {
    const S = this.stride;
    const T = layer.decoder.tags;
    let weakest = Infinity;
    for (let i = start; i < end; i++) {
      const base = i * S + layer.offset;
      const chosen = this.scores[base + path[i]!]!;
      let other = -Infinity;
      for (let t = 0; t < T; t++) if (t !== path[i] && this.scores[base + t]! > other) other = this.scores[base + t]!;
      if (chosen - other < weakest) weakest = chosen - other;
    }
    return 1 / (1 + Math.exp(-(weakest + 1) / 4));
  }
}
