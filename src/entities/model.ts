import { readFileSync, writeFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { FEATURE_VERSION, NARROW_SLOTS, SHARED_SLOTS, STACK_TEMPLATES, lexiconKey, stackKeys } from './features.js';
import { Gazetteer } from './gazetteer.js';
import { IntTable } from './hash.js';
import { Decoder, spansOf, tagCount } from './tags.js';

const MAGIC = 'MSNER001';

/** Metadata at the head of a model file. */
export interface ModelHeader {
  format: 'medstruct-ner';
  featureVersion: number;
  scheme: string;
  /** Decoding layers: each is an independent BIOES tagger over its labels (nested entities live in different layers). */
  layers: Array<{ name: string; labels: string[]; stacked?: boolean }>;
  features: number;
  nnz: number;
  /** Quantization step of the int16 weights. */
  scale: number;
  /**
   * Entity strings seen in training with a bit per label (labels of all layers, in order); matches
   * are features. Training used jackknifed copies, so the features are as reliable as on new text.
   */
  lexicon: Array<[string, number]>;
  /** Trained with the extractor's wide-context templates filled. */
  wideContext?: boolean;
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

/** Number of lexicon type bits: one per label over all layers. */
export function lexiconTypes(header: Pick<ModelHeader, 'layers'>): number {
  return header.layers.reduce((sum, l) => sum + l.labels.length, 0);
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

interface Layer { name: string; labels: string[]; stacked: boolean; offset: number; decoder: Decoder; transitions: Float32Array }

/** A trained tagger: sparse int16 weights per hashed feature, plus one constrained Viterbi per layer. */
export class SequenceModel {
  readonly header: ModelHeader;
  /**
   * Open-addressing table, two ints per slot: feature key, then first row entry << 8 | row length.
   * Eight slots share a cache line, so a probe rarely misses twice.
   */
  private readonly slots: Int32Array;
  private readonly slotMask: number;
  /** Row entries: tag << 16 | int16 weight, so one read gives both. */
  private readonly entries: Int32Array;
  private readonly layers: Layer[];
  private readonly stride: number;
  /** The model's lexicon of training entities, for the feature extractor. */
  readonly lexicon: Gazetteer;
  private scores = new Float32Array(0);
  private sums = new Int32Array(0);
  /** Per position and feature, the packed weight row (see `slots`). */
  private rows = new Int32Array(0);
  private denseKey = 0;
  private readonly dense: Int32Array;
  private path = new Int32Array(0);
  private stackBuffer = new Int32Array(0);

  private constructor(header: ModelHeader, arrays: ModelArrays) {
    this.header = header;
    // Key and row bounds share a cache line, and a row is one contiguous run: scoring a feature
    // touches two cache lines, which is what bounds throughput.
    const nnz = arrays.rowStart[arrays.keys.length] ?? 0;
    if (nnz >= 1 << 23) throw new MedstructError('MODEL_NOT_FOUND', `NER model too large: ${nnz} weights (at most ${1 << 23})`);
    let size = 1024;
    while (size < arrays.keys.length * 2) size *= 2;
    this.slotMask = size - 1;
    this.slots = new Int32Array(size * 2);
    // Rows are laid out longest first: features with weights for many tags are the frequent ones, so
    // the rows most documents read sit together in fewer cache lines and pages.
    const { keys, rowStart, tags, weights } = arrays;
    const features = keys.length;
    const lengths = new Int32Array(features);
    for (let f = 0; f < features; f++) {
      lengths[f] = rowStart[f + 1]! - rowStart[f]!;
      if (lengths[f]! > 255) throw new MedstructError('MODEL_NOT_FOUND', `NER model feature with ${lengths[f]} weights (at most 255)`);
    }
    // Counting sort by length, features of one length in file order.
    const startOf = new Int32Array(257);
    for (let f = 0; f < features; f++) startOf[256 - lengths[f]!]!++;
    for (let b = 1; b < 257; b++) startOf[b]! += startOf[b - 1]!;
    const order = new Int32Array(features);
    for (let f = 0; f < features; f++) order[startOf[255 - lengths[f]!]!++] = f;
    const entries = new Int32Array(tags.length);
    const slots = this.slots;
    const slotMask = this.slotMask;
    let next = 0;
    // Keys are inserted in the same order, so the frequent ones take their first-choice slots.
    for (let o = 0; o < features; o++) {
      const f = order[o]!;
      const key = keys[f]!;
      let slot = key & slotMask;
      while (slots[slot * 2] !== 0) slot = (slot + 1) & slotMask;
      slots[slot * 2] = key;
      slots[slot * 2 + 1] = (next << 8) | lengths[f]!;
      for (let r = rowStart[f]!, end = rowStart[f + 1]!; r < end; r++) entries[next++] = (tags[r]! << 16) | (weights[r]! & 0xffff);
    }
    this.entries = entries;
    let offset = 0;
    this.layers = header.layers.map((l, i) => {
      // Emission sums stay in int16 weight units; transitions are brought to the same units.
      const transitions = Float32Array.from(arrays.transitions[i]!, (v) => v / header.scale);
      const layer = { name: l.name, labels: l.labels, stacked: i > 0 && l.stacked === true, offset, decoder: new Decoder(l.labels.length), transitions };
      offset += tagCount(l.labels.length);
      return layer;
    });
    this.stride = offset;
    this.dense = new Int32Array(offset);
    this.lexicon = Gazetteer.fromEntries(header.lexicon, lexiconTypes(header));
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

  /**
   * One model decoding the layers of several, from one feature extraction in which model k's lexicon
   * is the extraction's k-th: every feature is looked up once for all of them. Weights are brought
   * to a common int16 step (the coarsest of the models').
   */
  static combine(models: SequenceModel[]): SequenceModel {
    const scale = Math.max(...models.map((m) => m.header.scale));
    const header: ModelHeader = {
      format: 'medstruct-ner', featureVersion: FEATURE_VERSION, scheme: models.map((m) => m.header.scheme).join('+'),
      layers: models.flatMap((m) => m.header.layers), features: 0, nnz: 0, scale, lexicon: [],
    };
    // Each model's occupied slots, with model k's lexicon keys renumbered to the extraction's k-th lexicon.
    const rekey = models.map((m, k) => {
      const map = new Map<number, number>();
      if (k > 0) for (let t = 0; t < m.lexicon.types; t++) for (let role = 1; role <= 3; role++) map.set(lexiconKey(0, t, role), lexiconKey(k, t, role));
      return map;
    });
    const capacity = models.reduce((sum, m) => sum + m.slots.length / 2, 0);
    const table = new IntTable(capacity);
    const keys: number[] = [];
    const lengths: number[] = [];
    models.forEach((m, k) => {
      for (let slot = 0; slot < m.slots.length; slot += 2) {
        const raw = m.slots[slot]!;
        if (raw === 0) continue;
        const key = rekey[k]!.get(raw) ?? raw;
        let index = table.get(key);
        if (index < 0) { index = keys.length; table.set(key, index); keys.push(key); lengths.push(0); }
        lengths[index]! += m.slots[slot + 1]! & 0xff;
      }
    });
    const rowStart = new Uint32Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++) rowStart[i + 1] = rowStart[i]! + lengths[i]!;
    const fill = Uint32Array.from(rowStart.subarray(0, keys.length));
    const tags = new Uint8Array(rowStart[keys.length]!);
    const weights = new Int16Array(rowStart[keys.length]!);
    let tagOffset = 0;
    models.forEach((m, k) => {
      const ratio = m.header.scale / scale;
      for (let slot = 0; slot < m.slots.length; slot += 2) {
        const raw = m.slots[slot]!;
        if (raw === 0) continue;
        const index = table.get(rekey[k]!.get(raw) ?? raw);
        const first = m.slots[slot + 1]! >>> 8;
        for (let r = first, end = first + (m.slots[slot + 1]! & 0xff); r < end; r++) {
          const v = m.entries[r]!;
          tags[fill[index]!] = (v >>> 16) + tagOffset;
          weights[fill[index]!] = Math.round(((v << 16) >> 16) * ratio);
          fill[index]!++;
        }
      }
      tagOffset += m.stride;
    });
    // Back to real-valued transitions; the constructor re-expresses them in the common step.
    const transitions = models.flatMap((m) => m.layers.map((l) => Float32Array.from(l.transitions, (v) => v * m.header.scale)));
    return new SequenceModel(header, { keys: Int32Array.from(keys), rowStart, tags, weights, transitions });
  }

  /** The weights of one feature over all tags, remembered for the last feature asked (0 = absent: zeros). */
  private denseRow(key: number): Int32Array {
    if (key === this.denseKey) return this.dense;
    const dense = this.dense;
    dense.fill(0);
    const row = new Int32Array(1);
    this.resolve(Int32Array.of(key), 0, 1, row, 0);
    for (let r = row[0]! >>> 8, end = r + (row[0]! & 0xff); r < end; r++) {
      const v = this.entries[r]!;
      dense[v >>> 16] += (v << 16) >> 16;
    }
    this.denseKey = key;
    return dense;
  }

  /**
   * Resolves `count` features from `features[from …]` to their packed rows in `rows[at …]` (0 = absent).
   * Probes do not depend on one another, so the CPU overlaps their cache misses.
   */
  private resolve(features: Int32Array, from: number, count: number, rows: Int32Array, at: number): void {
    const { slots } = this;
    const mask = (this.slotMask << 1) | 1;
    for (let f = 0; f < count; f++) {
      const key = features[from + f]!;
      let row = 0;
      if (key !== 0) {
        let slot = (key << 1) & mask;
        let k = slots[slot]!;
        while (k !== key && k !== 0) { slot = (slot + 2) & mask; k = slots[slot]!; }
        if (k !== 0) row = slots[slot + 1]!;
      }
      rows[at + f] = row;
    }
  }

  /** What `decode` reads ahead (kept, so the reads are not optimized away). */
  private touched = 0;

  get layerNames(): string[] {
    return this.layers.map((l) => l.name);
  }

  /**
   * Decodes one sentence into spans of every layer. `features` has `stride` slots per position: the
   * shared slots, then this model's lexicon slots from `lexiconSlot` on (other models' are skipped).
   */
  decode(features: Int32Array, n: number, stride: number, lexiconSlot: number): ModelSpan[] {
    if (n === 0) return [];
    const S = this.stride;
    if (this.scores.length < n * S) { this.scores = new Float32Array(n * S * 2); this.sums = new Int32Array(n * S * 2); this.path = new Int32Array(n * 2); }
    const { scores, sums, path } = this;
    // Integer sums of int16 weights are exact, and so is their float32 copy (|sum| < 2^24).
    const lexiconTypes = this.lexicon.types;
    // Slot 0 holds the same feature at every position (the bias): its weights start each position's
    // sums as one dense copy instead of a scattered row.
    const shared = this.header.wideContext === true ? SHARED_SLOTS : NARROW_SLOTS;
    const width = shared - 1 + lexiconTypes;
    if (this.rows.length < n * width) this.rows = new Int32Array(n * width * 2);
    const { rows, entries, slots } = this;
    // The look-ups are cache misses, so they are first made in branch-free loops that let many of them
    // overlap (each feature's first probe, then each row's first entry); the probing and summing loops,
    // whose data-dependent branches would cut that overlap short, then find the data in cache.
    const mask = (this.slotMask << 1) | 1;
    let touched = this.touched;
    for (let f = 0, end = n * stride; f < end; f++) touched ^= slots[(features[f]! << 1) & mask]!;
    for (let i = 0; i < n; i++) {
      sums.set(this.denseRow(features[i * stride]!), i * S);
      this.resolve(features, i * stride + 1, shared - 1, rows, i * width);
      this.resolve(features, i * stride + lexiconSlot, lexiconTypes, rows, i * width + shared - 1);
    }
    for (let f = 0, end = n * width; f < end; f++) touched ^= entries[rows[f]! >>> 8]!;
    this.touched = touched;
    for (let i = 0; i < n; i++) {
      const base = i * S;
      for (let f = i * width, fEnd = f + width; f < fEnd; f++) {
        const row = rows[f]!;
        for (let r = row >>> 8, end = r + (row & 0xff); r < end; r++) {
          const v = entries[r]!;
          sums[base + (v >>> 16)] += (v << 16) >> 16;
        }
      }
    }
    for (let j = 0; j < n * S; j++) scores[j] = sums[j]!;
    const out: ModelSpan[] = [];
    for (let li = 0; li < this.layers.length; li++) {
      const layer = this.layers[li]!;
      if (layer.stacked) this.addStacked(li - 1, path, n);
      layer.decoder.decode(scores, layer.offset, S, n, layer.transitions, path);
      for (const span of spansOf(path, n)) {
        out.push({ layer: li, start: span.start, end: span.end, label: layer.labels[span.label]!, confidence: this.confidence(layer, span.start, span.end, path, n) });
      }
    }
    return out;
  }

  /** Adds the weights of the stacked features that layer `from`'s decoded `path` gives to the scores. */
  private addStacked(from: number, path: Int32Array, n: number): void {
    const count = n * STACK_TEMPLATES;
    if (this.stackBuffer.length < count * 2) this.stackBuffer = new Int32Array(count * 4);
    const keys = this.stackBuffer;
    stackKeys(path, n, from, keys);
    this.resolve(keys, 0, count, keys, count);
    const { scores, entries } = this;
    const S = this.stride;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < STACK_TEMPLATES; k++) {
        const row = keys[count + i * STACK_TEMPLATES + k]!;
        for (let r = row >>> 8, end = r + (row & 0xff); r < end; r++) {
          const v = entries[r]!;
          scores[i * S + (v >>> 16)] += (v << 16) >> 16;
        }
      }
    }
  }

  /**
   * How much better the decoded span scores than leaving its characters outside any entity (same
   * neighbours), squashed to 0..1. Perceptron scores are not probabilities; this orders spans by
   * how clearly the model preferred them.
   */
  private confidence(layer: Layer, start: number, end: number, path: Int32Array, n: number): number {
    const S = this.stride;
    const T = layer.decoder.tags;
    const tr = layer.transitions;
    const scores = this.scores;
    const prev = start === 0 ? T : path[start - 1]!;
    let margin = 0;
    for (let i = start; i < end; i++) margin += scores[i * S + layer.offset + path[i]!]! - scores[i * S + layer.offset]!;
    margin += tr[prev * T + path[start]!]! - tr[prev * T]!;
    for (let i = start + 1; i < end; i++) margin += tr[path[i - 1]! * T + path[i]!]! - tr[0]!;
    if (end < n) margin += tr[path[end - 1]! * T + path[end]!]! - tr[path[end]!]!;
    return 1 / (1 + Math.exp(-(margin * this.header.scale) / 25));
  }

}
