/**
 * BIOES tagging of one decoding layer with K labels: tag 0 is O; label k has B = 1+4k, I = 2+4k,
 * E = 3+4k, S = 4+4k. Transitions are constrained so every decoded path is a well-formed span list.
 */
export const O = 0;
export const tagCount = (labels: number): number => 1 + 4 * labels;
export const beginTag = (label: number): number => 1 + 4 * label;
export const insideTag = (label: number): number => 2 + 4 * label;
export const endTag = (label: number): number => 3 + 4 * label;
export const singleTag = (label: number): number => 4 + 4 * label;
/** 0 O, 1 B, 2 I, 3 E, 4 S. */
export const roleOf = (tag: number): number => (tag === 0 ? 0 : ((tag - 1) % 4) + 1);
export const labelOf = (tag: number): number => Math.floor((tag - 1) / 4);

/** Whether `tag` may follow `prev` (prev = −1 at the sentence start). */
export function allowed(prev: number, tag: number): boolean {
  const r = roleOf(tag);
  const opensOrOutside = prev < 0 || prev === O || roleOf(prev) === 3 || roleOf(prev) === 4;
  if (r === 0 || r === 1 || r === 4) return opensOrOutside;
  const pr = roleOf(prev);
  return prev >= 0 && (pr === 1 || pr === 2) && labelOf(prev) === labelOf(tag);
}

/** Whether a sentence may end on `tag`. */
export const canEnd = (tag: number): boolean => { const r = roleOf(tag); return r === 0 || r === 3 || r === 4; };

/** Predecessor lists per tag for Viterbi (index T stands for the sentence start). */
export function predecessors(labels: number): Int32Array[] {
  const T = tagCount(labels);
  const out: Int32Array[] = [];
  for (let t = 0; t < T; t++) {
    const list: number[] = [];
    for (let p = 0; p < T; p++) if (allowed(p, t)) list.push(p);
    out.push(Int32Array.from(list));
  }
  return out;
}

/** Transition weights in decoding order, with the lowest and highest of those between closers and openers. */
interface Arranged { source: Float32Array | Float64Array; local: Float32Array; lowest: number; highest: number }

/** A span of a decoded layer, in sentence positions. */
export interface TagSpan { start: number; end: number; label: number }

export function spansOf(path: Int32Array, n: number): TagSpan[] {
  const spans: TagSpan[] = [];
  let open = -1;
  for (let i = 0; i < n; i++) {
    const tag = path[i]!;
    const r = roleOf(tag);
    if (r === 4) spans.push({ start: i, end: i + 1, label: labelOf(tag) });
    else if (r === 1) open = i;
    else if (r === 3 && open >= 0) { spans.push({ start: open, end: i + 1, label: labelOf(tag) }); open = -1; }
    else if (r === 0) open = -1;
  }
  return spans;
}

/** Gold tags for spans (positions outside every span are O); overlapping spans must be removed first. */
export function tagsOf(spans: readonly TagSpan[], n: number, out: Int32Array): void {
  out.fill(O, 0, n);
  for (const s of spans) {
    if (s.end - s.start === 1) out[s.start] = singleTag(s.label);
    else {
      out[s.start] = beginTag(s.label);
      for (let k = s.start + 1; k < s.end - 1; k++) out[k] = insideTag(s.label);
      out[s.end - 1] = endTag(s.label);
    }
  }
}

/**
 * Constrained Viterbi over one layer. `scores` holds emission scores with `stride` entries per
 * position, this layer's tags starting at `offset`; `transitions` is (T+1)×T, row T = sentence start.
 * BIOES constraints leave two kinds of tags: those that open a span or stay outside it (O, B, S) all
 * follow the same tags (O, E, S), and I or E of a label follows only that label's B or I. The loops
 * use this: the closing tags' scores are read once per position, and the inside tags are unrolled.
 */
export class Decoder {
  readonly labels: number;
  readonly tags: number;
  /** Tags that open a span or are outside one (O, B, S), ascending. */
  private readonly openers: Int32Array;
  /** Their predecessors (O, E, S; the same for each), ascending: the order in which ties keep the first. */
  private readonly closers: Int32Array;
  private delta = new Float32Array(0);
  private back = new Int32Array(0);
  private previous = new Float64Array(0);
  /** Closers (indices into `closers`) that can still be an opener's best predecessor at the current position. */
  private viable = new Int32Array(0);

  constructor(labels: number) {
    this.labels = labels;
    this.tags = tagCount(labels);
    const openers: number[] = [];
    for (let t = 0; t < this.tags; t++) if (allowed(-1, t)) openers.push(t);
    this.openers = Int32Array.from(openers);
    this.closers = predecessors(labels)[O]!;
    this.previous = new Float64Array(this.closers.length);
    this.viable = new Int32Array(this.closers.length);
  }

  /**
   * Transition weights in the order the loops read them (float32, as the scores): per opener its
   * closers' weights, then per label B→I, I→I, B→E, I→E. Computed once per matrix, cached by identity.
   */
  private arranged: Arranged | null = null;

  private arrange(transitions: Float32Array | Float64Array): Arranged {
    if (this.arranged?.source === transitions) return this.arranged;
    const T = this.tags;
    const { openers, closers } = this;
    const P = closers.length;
    const local = new Float32Array(openers.length * P + 4 * this.labels);
    for (let o = 0; o < openers.length; o++) {
      for (let j = 0; j < P; j++) local[o * P + j] = transitions[closers[j]! * T + openers[o]!]!;
    }
    const inside = openers.length * P;
    for (let k = 0; k < this.labels; k++) {
      const b = beginTag(k), i = insideTag(k), e = endTag(k);
      local[inside + 4 * k] = transitions[b * T + i]!;
      local[inside + 4 * k + 1] = transitions[i * T + i]!;
      local[inside + 4 * k + 2] = transitions[b * T + e]!;
      local[inside + 4 * k + 3] = transitions[i * T + e]!;
    }
    let lowest = Infinity;
    let highest = -Infinity;
    for (let k = 0; k < inside; k++) { lowest = Math.min(lowest, local[k]!); highest = Math.max(highest, local[k]!); }
    this.arranged = { source: transitions, local, lowest, highest };
    return this.arranged;
  }

  decode(scores: Float32Array | Float64Array, offset: number, stride: number, n: number, transitions: Float32Array | Float64Array, path: Int32Array, cacheTransitions = true): void {
    const T = this.tags;
    if (n === 0) return;
    if (this.delta.length < n * T) { this.delta = new Float32Array(n * T * 2); this.back = new Int32Array(n * T * 2); }
    // Training changes the matrix in place between calls, so it must not use the cached layout.
    if (!cacheTransitions) this.arranged = null;
    const { local: trans, lowest, highest } = this.arrange(transitions);
    if (!cacheTransitions) this.arranged = null;
    const { delta, back, openers, closers, previous, viable } = this;
    const P = closers.length;
    const inside = openers.length * P;
    for (let t = 0; t < T; t++) {
      const r = roleOf(t);
      delta[t] = r === 2 || r === 3 ? -Infinity : scores[offset + t]! + transitions[T * T + t]!;
      back[t] = -1;
    }
    for (let i = 1; i < n; i++) {
      const base = i * T;
      const prevBase = base - T;
      const e = i * stride + offset;
      let top = -Infinity;
      for (let j = 0; j < P; j++) {
        const d = delta[prevBase + closers[j]!]!;
        previous[j] = d;
        if (d > top) top = d;
      }
      // A closer whose score, even with the highest transition, stays below the best closer's with the
      // lowest, loses for every opener (rounding is monotonic, so this holds for the float sums too):
      // only the others are compared, in the same order, so maxima and first-of-ties are unchanged.
      const bar = top + lowest;
      let count = 0;
      for (let j = 0; j < P; j++) if (!(previous[j]! + highest < bar)) viable[count++] = j;
      for (let o = 0; o < openers.length; o++) {
        const t = openers[o]!;
        const row = o * P;
        let best = -Infinity;
        let arg = 0;
        for (let c = 0; c < count; c++) {
          const j = viable[c]!;
          const v = previous[j]! + trans[row + j]!;
          if (v > best) { best = v; arg = j; }
        }
        delta[base + t] = best + scores[e + t]!;
        back[base + t] = closers[arg]!;
      }
      for (let k = 0, b = 1; k < this.labels; k++, b += 4) {
        // I (b + 1) and E (b + 2) follow B (b) or I; strict > keeps the first of ties, B, as a scan would.
        const fromB = delta[prevBase + b]!;
        const fromI = delta[prevBase + b + 1]!;
        const x = inside + 4 * k;
        for (let m = 0; m < 2; m++) {
          const t = b + 1 + m;
          let best = -Infinity;
          let arg = 0;
          const vb = fromB + trans[x + 2 * m]!;
          if (vb > best) { best = vb; arg = b; }
          const vi = fromI + trans[x + 2 * m + 1]!;
          if (vi > best) { best = vi; arg = b + 1; }
          delta[base + t] = best + scores[e + t]!;
          back[base + t] = arg;
        }
      }
    }
    let best = -Infinity;
    let arg = 0;
    const last = (n - 1) * T;
    for (let t = 0; t < T; t++) {
      if (!canEnd(t)) continue;
      if (delta[last + t]! > best) { best = delta[last + t]!; arg = t; }
    }
    for (let i = n - 1; i >= 0; i--) {
      path[i] = arg;
      arg = back[i * T + arg]!;
    }
  }
}
