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
 */
export class Decoder {
  readonly labels: number;
  readonly tags: number;
  /** Predecessors of every tag, flattened: tag t's are predList[predStart[t] … predStart[t+1]). */
  private readonly predList: Int32Array;
  private readonly predStart: Int32Array;
  private delta = new Float32Array(0);
  private back = new Int32Array(0);
  private local = new Float32Array(0);

  constructor(labels: number) {
    this.labels = labels;
    this.tags = tagCount(labels);
    const preds = predecessors(labels);
    this.predStart = new Int32Array(this.tags + 1);
    for (let t = 0; t < this.tags; t++) this.predStart[t + 1] = this.predStart[t]! + preds[t]!.length;
    this.predList = new Int32Array(this.predStart[this.tags]!);
    for (let t = 0; t < this.tags; t++) this.predList.set(preds[t]!, this.predStart[t]!);
  }

  /**
   * Transition weights laid out in predecessor order per tag (so the inner loop reads them
   * sequentially); computed once per transition matrix and cached by identity.
   */
  private arranged: { source: Float32Array | Float64Array; local: Float32Array } | null = null;

  private arrange(transitions: Float32Array | Float64Array): Float32Array {
    if (this.arranged?.source === transitions) return this.arranged.local;
    const T = this.tags;
    const local = new Float32Array(this.predList.length);
    for (let t = 0; t < T; t++) {
      for (let k = this.predStart[t]!; k < this.predStart[t + 1]!; k++) local[k] = transitions[this.predList[k]! * T + t]!;
    }
    this.arranged = { source: transitions, local };
    return local;
  }

  decode(scores: Float32Array | Float64Array, offset: number, stride: number, n: number, transitions: Float32Array | Float64Array, path: Int32Array, cacheTransitions = true): void {
    const T = this.tags;
    if (n === 0) return;
    if (this.delta.length < n * T) { this.delta = new Float32Array(n * T * 2); this.back = new Int32Array(n * T * 2); }
    // Training changes the matrix in place between calls, so it must not use the cached layout.
    if (!cacheTransitions) this.arranged = null;
    const trans = this.arrange(transitions);
    if (!cacheTransitions) this.arranged = null;
    const { delta, back, predList, predStart } = this;
    for (let t = 0; t < T; t++) {
      const r = roleOf(t);
      delta[t] = r === 2 || r === 3 ? -Infinity : scores[offset + t]! + transitions[T * T + t]!;
      back[t] = -1;
    }
    for (let i = 1; i < n; i++) {
      const base = i * T;
      const prevBase = base - T;
      const e = i * stride + offset;
      for (let t = 0; t < T; t++) {
        let best = -Infinity;
        let arg = 0;
        for (let k = predStart[t]!, end = predStart[t + 1]!; k < end; k++) {
          const p = predList[k]!;
          const v = delta[prevBase + p]! + trans[k]!;
          if (v > best) { best = v; arg = p; }
        }
        delta[base + t] = best + scores[e + t]!;
        back[base + t] = arg;
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
