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

/** Ints per slot of the packed prefix table: key, check, mask and one unused, so a slot never straddles a cache line. */
const CELL = 4;
/** Code points below this have their one-character prefix looked up directly (see `first`). */
const DIRECT = 0x10000;
/** A `first` entry not looked up yet (masks are non-negative, −1 is "none"). */
const UNKNOWN = -2;

/**
 * Longest-match dictionary over code points. Terms and their prefixes are stored by two independent
 * rolling hashes, so matching walks the text without building substrings.
 */
export class Gazetteer {
  /** Open addressing by the first hash; each slot holds it, the second hash (check) and the prefix's mask. */
  private readonly cells: Int32Array;
  private readonly cellMask: number;
  /**
   * For every BMP code point, the mask its one-character prefix looks up to, or −1 (no term starts so);
   * filled on first use (UNKNOWN until then), so loading does not pay for characters never seen.
   */
  private readonly first: Int32Array;
  readonly size: number;
  readonly maxLength: number;
  /** Number of type bits in the masks. */
  readonly types: number;
  private readonly typeBits: number;
  private longest = new Int32Array(0);

  private constructor(table: IntTable, checks: Int32Array, masks: Int32Array, size: number, maxLength: number, types: number) {
    // Packs the build tables so that a look-up reads one slot instead of four arrays.
    let used = 0;
    for (let slot = 0; slot < table.keys.length; slot++) if (table.keys[slot] !== 0) used++;
    let slots = 1024;
    while (slots < used * 2) slots *= 2;
    const cells = new Int32Array(slots * CELL);
    const cellMask = slots - 1;
    const { keys, values } = table;
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot]!;
      if (key === 0) continue;
      const index = values[slot]!;
      let at = key & cellMask;
      while (cells[at * CELL] !== 0) at = (at + 1) & cellMask;
      cells[at * CELL] = key;
      cells[at * CELL + 1] = checks[index]!;
      cells[at * CELL + 2] = masks[index]!;
    }
    this.cells = cells;
    this.cellMask = cellMask;
    this.size = size;
    this.maxLength = maxLength;
    this.types = types;
    this.typeBits = (1 << types) - 1;
    this.first = new Int32Array(DIRECT).fill(UNKNOWN);
  }

  /** The mask of the prefix with hashes (key, check), or −1 when there is none. */
  private lookup(key: number, check: number): number {
    const cells = this.cells;
    for (let slot = key & this.cellMask; ; slot = (slot + 1) & this.cellMask) {
      const k = cells[slot * CELL]!;
      if (k === key) return cells[slot * CELL + 1] === check ? cells[slot * CELL + 2]! : -1;
      if (k === 0) return -1;
    }
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
    if (this.maxLength === 0) return;
    const typeBits = this.typeBits;
    for (let i = 0; i < n; i++) {
      const c = cps[i]!;
      let mask = c >= 0 && c < DIRECT ? this.first[c]! : UNKNOWN;
      if (mask === UNKNOWN) {
        mask = this.lookup(finish(mix(SEED_A, c) ^ 1), finish(mix(SEED_B, c) ^ 1));
        if (c >= 0 && c < DIRECT) this.first[c] = mask;
      }
      if (mask < 0) continue;
      if ((mask & typeBits) !== 0) found(i, i + 1, mask & typeBits);
      if ((mask & CONTINUES) === 0) continue;
      let a = mix(SEED_A, c);
      let b = mix(SEED_B, c);
      const limit = Math.min(n, i + this.maxLength);
      for (let j = i + 1; j < limit; j++) {
        a = mix(a, cps[j]!);
        b = mix(b, cps[j]!);
        const k = j - i + 1;
        mask = this.lookup(finish(a ^ k), finish(b ^ k));
        if (mask < 0) break;
        if ((mask & typeBits) !== 0) found(i, j + 1, mask & typeBits);
        if ((mask & CONTINUES) === 0) break;
      }
    }
  }

  /** Every match of `scan` over the text, in its order, to be read by several consumers of one document. */
  matchAll(cps: Int32Array, n: number): GazetteerMatches {
    let starts: Int32Array = new Int32Array(64);
    let ends: Int32Array = new Int32Array(64);
    let masks: Int32Array = new Int32Array(64);
    let count = 0;
    this.scan(cps, n, (start, end, mask) => {
      if (count === starts.length) {
        const grow = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
        starts = grow(starts); ends = grow(ends); masks = grow(masks);
      }
      starts[count] = start; ends[count] = end; masks[count] = mask;
      count++;
    });
    return { gazetteer: this, keys: cps, count, starts, ends, masks };
  }

  /**
   * Per position and dictionary type, the role of the position in that type's greedy longest-match
   * segmentation: 0 none, 1 begin, 2 inside, 3 end. `out` has n × types entries.
   */
  roles(cps: Int32Array, n: number, out: Uint8Array): void {
    const types = this.types;
    const longest = this.clearLongest(n, out);
    let seen = 0;
    this.scan(cps, n, (start, end, mask) => {
      seen |= mask;
      for (let t = 0; t < types; t++) if (mask & (1 << t)) longest[start * types + t] = end - start;
    });
    this.markRoles(longest, seen, n, out);
  }

  /**
   * `roles` of the span [from, to) of a text whose matches are given: the matches inside the span are
   * exactly those a scan of the span alone reports (it walks the same characters and stops at its end).
   */
  rolesIn(matches: GazetteerMatches, from: number, to: number, out: Uint8Array): void {
    const types = this.types;
    const n = to - from;
    const longest = this.clearLongest(n, out);
    const { starts, ends, masks, count } = matches;
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    let seen = 0;
    for (let m = lo; m < count && starts[m]! < to; m++) {
      if (ends[m]! > to) continue;
      const mask = masks[m]!;
      seen |= mask;
      const at = (starts[m]! - from) * types;
      for (let t = 0; t < types; t++) if (mask & (1 << t)) longest[at + t] = ends[m]! - starts[m]!;
    }
    this.markRoles(longest, seen, n, out);
  }

  private clearLongest(n: number, out: Uint8Array): Int32Array {
    const types = this.types;
    out.fill(0, 0, n * types);
    if (this.longest.length < n * types) this.longest = new Int32Array(n * types * 2);
    this.longest.fill(0, 0, n * types);
    return this.longest;
  }

  /** Roles from the longest match of each type starting at each position (`seen`: the types matched at all). */
  private markRoles(longest: Int32Array, seen: number, n: number, out: Uint8Array): void {
    const types = this.types;
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

/** A gazetteer's matches over one text (`Gazetteer.matchAll`), by start, shorter first. */
export interface GazetteerMatches {
  gazetteer: Gazetteer;
  /** The folded keys of the text that was matched (other dictionaries of the same document can scan them too). */
  keys: Int32Array;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  masks: Int32Array;
}
