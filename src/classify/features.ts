import { foldChar } from '../document/normalize.js';

/** Longest text the model reads: the head and the tail of long documents carry the type. */
const HEAD_CHARS = 3000;
const TAIL_CHARS = 1000;

const SPACE = 0x20;
const ZERO = 0x30;
/** Astral characters share one code in n-gram keys (they are rare and carry no type signal). */
const ASTRAL = 0xffff;

/**
 * The text as the classifier sees it, as character codes: full-width folded, ASCII lower-cased, digit
 * runs collapsed to one `0`, whitespace runs to one space. Long documents keep their head and tail only.
 */
export function classifierCodes(text: string): number[] {
  // Slice by UTF-16 units first (generously) so a huge input is not split into code points whole.
  const bound = (HEAD_CHARS + TAIL_CHARS) * 2;
  const chars = Array.from(text.length > bound * 2 ? `${text.slice(0, bound)}${text.slice(text.length - bound)}` : text);
  const picked = chars.length > HEAD_CHARS + TAIL_CHARS
    ? [...chars.slice(0, HEAD_CHARS), ' ', ...chars.slice(chars.length - TAIL_CHARS)]
    : chars;
  const out: number[] = [];
  let previous = SPACE;
  for (const raw of picked) {
    const ch = foldChar(raw);
    let code = ch.codePointAt(0) ?? SPACE;
    if (code >= ZERO && code <= 0x39) code = ZERO;
    else if (ch === '\n' || ch === '\r' || ch === ' ' || ch === '\t' || ch === '\u3000') code = SPACE;
    else if (code >= 0x41 && code <= 0x5a) code += 0x20;
    else if (code > 0xffff) code = ASTRAL;
    if ((code === ZERO || code === SPACE) && code === previous) continue;
    out.push(code);
    previous = code;
  }
  while (out.length > 0 && out[out.length - 1] === SPACE) out.pop();
  return out;
}

const LENGTH_BUCKETS = ['#len:xs', '#len:s', '#len:m', '#len:l', '#len:xl'] as const;

function lengthBucket(length: number): number {
  if (length < 20) return 0;
  if (length < 60) return 1;
  if (length < 200) return 2;
  if (length < 800) return 3;
  return 4;
}

/** Numeric key of an n-gram of 1-3 character codes (each 1..0xffff), or of a length bucket (negative). */
function ngramKey(a: number, b = 0, c = 0): number {
  return a * 4294967296 + b * 65536 + c;
}

/** The numeric key of a feature name as stored in the model's vocabulary. */
export function featureKey(name: string): number {
  const bucket = (LENGTH_BUCKETS as readonly string[]).indexOf(name);
  if (bucket >= 0) return -(bucket + 1);
  const codes = Array.from(name, (ch) => Math.min(ch.codePointAt(0)!, ASTRAL));
  return ngramKey(codes[0] ?? 0, codes[1] ?? 0, codes[2] ?? 0);
}

/** The feature name of a numeric key (for writing the vocabulary). */
export function featureName(key: number): string {
  if (key < 0) return LENGTH_BUCKETS[-key - 1]!;
  const a = Math.floor(key / 4294967296);
  const b = Math.floor(key / 65536) % 65536;
  const c = key % 65536;
  return String.fromCharCode(...[a, b, c].filter((x) => x > 0));
}

/** Ints per slot of PairIndex: the pair, its index + 1 (0 = empty slot) and one unused, so a slot never straddles a cache line. */
const PAIR_CELL = 4;

/**
 * Open-addressing map from a pair of int32 (an n-gram key split in two: first code; second << 16 | third)
 * to a dense index in insertion order, so neither counting nor the vocabulary look-up builds a
 * 48-bit number key per n-gram. A look-up reads one slot.
 */
export class PairIndex {
  private cells = new Int32Array(0);
  private mask = 0;
  /** The pairs in insertion order. */
  high = new Int32Array(0);
  low = new Int32Array(0);
  size = 0;

  constructor(capacity = 0) {
    this.clear(capacity);
  }

  /** Empties the map, sized for `capacity` pairs. */
  clear(capacity: number): void {
    let slots = 1024;
    while (slots < capacity * 2) slots *= 2;
    if (this.cells.length !== slots * PAIR_CELL) {
      this.cells = new Int32Array(slots * PAIR_CELL);
      this.mask = slots - 1;
    } else {
      this.cells.fill(0);
    }
    if (this.high.length < capacity) {
      this.high = new Int32Array(capacity);
      this.low = new Int32Array(capacity);
    }
    this.size = 0;
  }

  private slotOf(high: number, low: number): number {
    return (Math.imul(high ^ Math.imul(low, 0x9e3779b1), 0x85ebca6b) >>> 7) & this.mask;
  }

  /** Index of the pair, or −1. */
  get(high: number, low: number): number {
    const cells = this.cells;
    for (let slot = this.slotOf(high, low); ; slot = (slot + 1) & this.mask) {
      const at = slot * PAIR_CELL;
      const entry = cells[at + 2]!;
      if (entry === 0) return -1;
      if (cells[at] === high && cells[at + 1] === low) return entry - 1;
    }
  }

  /** Reads the first slot of each pair without branching, so their cache misses overlap (see modelLogits). */
  touch(high: Int32Array, low: Int32Array, count: number): number {
    let touched = 0;
    for (let i = 0; i < count; i++) touched ^= this.cells[this.slotOf(high[i]!, low[i]!) * PAIR_CELL]!;
    return touched;
  }

  /** Index of the pair, added at the end when new (the capacity given to `clear` must not be exceeded). */
  add(high: number, low: number): number {
    const cells = this.cells;
    let slot = this.slotOf(high, low);
    for (;;) {
      const at = slot * PAIR_CELL;
      const entry = cells[at + 2]!;
      if (entry === 0) break;
      if (cells[at] === high && cells[at + 1] === low) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
    const index = this.size++;
    this.high[index] = high;
    this.low[index] = low;
    const at = slot * PAIR_CELL;
    cells[at] = high;
    cells[at + 1] = low;
    cells[at + 2] = index + 1;
    return index;
  }
}

/** The features of one text (see `sparseFeatures`); buffers are reused by the next call. */
export interface SparseFeatures {
  /** Distinct n-grams in order of first occurrence, as pairs (see PairIndex). */
  ngrams: PairIndex;
  /** Value of n-gram i. */
  values: Float64Array;
  /** Length bucket (0-4) and its value. */
  lengthBucket: number;
  lengthValue: number;
}

const ngrams = new PairIndex();
let counts = new Int32Array(0);
let values = new Float64Array(0);

/**
 * Sparse features of a text: character 1-3-grams (counts damped by 1+log, spaces not counted as
 * unigrams) plus a length bucket, L2-normalized. Unknown n-grams are dropped by the caller's vocabulary.
 */
export function sparseFeatures(codes: readonly number[]): SparseFeatures {
  const n = codes.length;
  const capacity = 3 * n + 1;
  ngrams.clear(capacity);
  if (counts.length < capacity) { counts = new Int32Array(capacity); values = new Float64Array(capacity); }
  counts.fill(0, 0, capacity);
  for (let i = 0; i < n; i++) {
    const a = codes[i]!;
    if (a !== SPACE) counts[ngrams.add(a, 0)]!++;
    if (i + 1 < n) {
      const b = codes[i + 1]!;
      counts[ngrams.add(a, b << 16)]!++;
      if (i + 2 < n) counts[ngrams.add(a, (b << 16) | codes[i + 2]!)]!++;
    }
  }
  // The same arithmetic, in the same order, as the model was trained with (extractFeatures).
  let norm = 1;
  for (let i = 0; i < ngrams.size; i++) {
    const value = 1 + Math.log(counts[i]!);
    values[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < ngrams.size; i++) values[i] = values[i]! * scale;
  return { ngrams, values, lengthBucket: lengthBucket(n), lengthValue: scale };
}

/** The numeric key (see ngramKey) of an n-gram pair. */
export function pairKey(high: number, low: number): number {
  return high * 4294967296 + (low >>> 0);
}

/** The sparse features as a map from numeric keys (n-grams in order of first occurrence, then the length bucket). */
export function extractFeatures(codes: readonly number[]): Map<number, number> {
  const f = sparseFeatures(codes);
  const out = new Map<number, number>();
  for (let i = 0; i < f.ngrams.size; i++) out.set(pairKey(f.ngrams.high[i]!, f.ngrams.low[i]!), f.values[i]!);
  out.set(-(f.lengthBucket + 1), f.lengthValue);
  return out;
}
