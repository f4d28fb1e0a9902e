import { readFileSync } from 'node:fs';
import { MedstructError } from '../errors.js';
import { IntTable, mix, finish, SEED_A, SEED_B } from './hash.js';

/** Dictionary categories, one bit each, in the order of the compiled gazetteer's masks. */
export const GAZETTEER_TYPES = ['disease', 'symptom', 'drug', 'check', 'lab', 'procedure', 'department', 'hospital', 'term', 'region'] as const;
export type GazetteerType = (typeof GAZETTEER_TYPES)[number];

/** Flag on a prefix entry: some longer term continues it. */
const CONTINUES = 1 << 30;

/** Folds a code point the way dictionary keys are stored: ASCII letters lower-cased. */
export function foldKey(cp: number): number {
  return cp >= 65 && cp <= 90 ? cp + 32 : cp;
}

/**
 * Longest-match dictionary over code points. Terms and their prefixes are stored by two independent
 * rolling hashes, so matching walks the text without building substrings.
 */
export class Gazetteer {
  private readonly table: IntTable;
  private readonly checks: Int32Array;
  private readonly masks: Int32Array;
  readonly size: number;
  readonly maxLength: number;
  /** Number of type bits in the masks. */
  readonly types: number;
  private readonly typeBits: number;
  private longest = new Int32Array(0);

  private constructor(table: IntTable, checks: Int32Array, masks: Int32Array, size: number, maxLength: number, types: number) {
    this.table = table;
    this.checks = checks;
    this.masks = masks;
    this.size = size;
    this.maxLength = maxLength;
    this.types = types;
    this.typeBits = (1 << types) - 1;
  }

  /** Builds from (term, type mask) pairs; masks use the low `types` bits. */
  static fromEntries(entries: Iterable<[string, number]>, types: number = GAZETTEER_TYPES.length): Gazetteer {
    const list = [...entries];
    let prefixes = 0;
    let maxLength = 0;
    for (const [term] of list) {
      const n = Array.from(term).length;
      prefixes += n;
      if (n > maxLength) maxLength = n;
    }
    const table = new IntTable(prefixes);
    const checks = new Int32Array(prefixes);
    const masks = new Int32Array(prefixes);
    let used = 0;
    for (const [term, mask] of list) {
      const cps = Array.from(term, (ch) => foldKey(ch.codePointAt(0)!));
      let a = SEED_A;
      let b = SEED_B;
      for (let k = 0; k < cps.length; k++) {
        a = mix(a, cps[k]!);
        b = mix(b, cps[k]!);
        const key = finish(a ^ (k + 1));
        const check = finish(b ^ (k + 1));
        let index = table.get(key);
        if (index < 0) {
          index = used++;
          table.set(key, index);
          checks[index] = check;
        } else if (checks[index] !== check) {
          continue; // a 32-bit collision between different prefixes: keep the first
        }
        masks[index] = masks[index]! | (k === cps.length - 1 ? mask & ((1 << types) - 1) : CONTINUES);
      }
    }
    return new Gazetteer(table, checks, masks, list.length, maxLength, types);
  }

  /** Loads the compiled `term\tmask` file. */
  static load(path: string): Gazetteer {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new MedstructError('MODEL_NOT_FOUND', `Gazetteer not found: ${path}`);
    }
    const entries: Array<[string, number]> = [];
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab <= 0) continue;
      entries.push([line.slice(0, tab), Number(line.slice(tab + 1))]);
    }
    return Gazetteer.fromEntries(entries);
  }

  /**
   * For every start position, calls `found(start, end, mask)` for each dictionary term starting there,
   * shortest first. `cps` holds folded code points (see foldKey).
   */
  scan(cps: Int32Array, n: number, found: (start: number, end: number, mask: number) => void): void {
    for (let i = 0; i < n; i++) {
      let a = SEED_A;
      let b = SEED_B;
      const limit = Math.min(n, i + this.maxLength);
      for (let j = i; j < limit; j++) {
        a = mix(a, cps[j]!);
        b = mix(b, cps[j]!);
        const k = j - i + 1;
        const index = this.table.get(finish(a ^ k));
        if (index < 0 || this.checks[index] !== finish(b ^ k)) break;
        const mask = this.masks[index]!;
        if ((mask & this.typeBits) !== 0) found(i, j + 1, mask & this.typeBits);
        if ((mask & CONTINUES) === 0) break;
      }
    }
  }

  /**
   * Per position and dictionary type, the role of the position in that type's greedy longest-match
   * segmentation: 0 none, 1 begin, 2 inside, 3 end. `out` has n × types entries.
   */
  roles(cps: Int32Array, n: number, out: Uint8Array): void {
    const types = this.types;
    out.fill(0, 0, n * types);
    if (this.longest.length < n * types) this.longest = new Int32Array(n * types * 2);
    const longest = this.longest;
    longest.fill(0, 0, n * types);
    let seen = 0;
    this.scan(cps, n, (start, end, mask) => {
      seen |= mask;
      for (let t = 0; t < types; t++) if (mask & (1 << t)) longest[start * types + t] = end - start;
    });
    for (let t = 0; t < types; t++) {
      if ((seen & (1 << t)) === 0) continue;
      let i = 0;
      while (i < n) {
        const len = longest[i * types + t]!;
        if (len < 2) { i++; continue; }
        out[i * types + t] = 1;
        for (let k = i + 1; k < i + len - 1; k++) out[k * types + t] = 2;
        out[(i + len - 1) * types + t] = 3;
        i += len;
      }
    }
  }
}
