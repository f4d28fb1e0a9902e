/** Precision/recall/F1 counts, accumulated per label and in total (micro). */
export interface PRF {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export class PRFCounter {
  private readonly counts = new Map<string, { tp: number; fp: number; fn: number }>();

  private slot(label: string): { tp: number; fp: number; fn: number } {
    let c = this.counts.get(label);
    if (!c) { c = { tp: 0, fp: 0, fn: 0 }; this.counts.set(label, c); }
    return c;
  }

  /** Adds one example: gold and predicted items as `label\u0000key` strings (duplicates count once). */
  add(gold: Iterable<[label: string, key: string]>, predicted: Iterable<[label: string, key: string]>): void {
    const g = new Map<string, string>();
    for (const [label, key] of gold) g.set(`${label}\u0000${key}`, label);
    const p = new Map<string, string>();
    for (const [label, key] of predicted) p.set(`${label}\u0000${key}`, label);
    for (const [k, label] of p) {
      if (g.has(k)) this.slot(label).tp++;
      else this.slot(label).fp++;
    }
    for (const [k, label] of g) if (!p.has(k)) this.slot(label).fn++;
  }

  static score(c: { tp: number; fp: number; fn: number }): PRF {
    const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
    const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const r = (x: number): number => Math.round(x * 10000) / 10000;
    return { tp: c.tp, fp: c.fp, fn: c.fn, precision: r(precision), recall: r(recall), f1: r(f1) };
  }

  perLabel(): Record<string, PRF> {
    const out: Record<string, PRF> = {};
    for (const label of [...this.counts.keys()].sort()) out[label] = PRFCounter.score(this.counts.get(label)!);
    return out;
  }

  micro(): PRF {
    const total = { tp: 0, fp: 0, fn: 0 };
    for (const c of this.counts.values()) { total.tp += c.tp; total.fp += c.fp; total.fn += c.fn; }
    return PRFCounter.score(total);
  }
}
