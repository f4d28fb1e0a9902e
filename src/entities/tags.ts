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
  private readonly preds: Int32Array[];
  private delta = new Float64Array(0);
  private back = new Int32Array(0);

  constructor(labels: number) {
    this.labels = labels;
    this.tags = tagCount(labels);
    this.preds = predecessors(labels);
  }

  decode(scores: Float32Array | Float64Array, offset: number, stride: number, n: number, transitions: Float32Array | Float64Array, path: Int32Array): void {
    const T = this.tags;
    if (n === 0) return;
    if (this.delta.length < n * T) { this.delta = new Float64Array(n * T * 2); this.back = new Int32Array(n * T * 2); }
    const { delta, back, preds } = this;
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
        const list = preds[t]!;
        let best = -Infinity;
        let arg = 0;
        for (let k = 0; k < list.length; k++) {
          const p = list[k]!;
          const v = delta[prevBase + p]! + transitions[p * T + t]!;
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
