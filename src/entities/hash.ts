/**
 * 32-bit integer hashing (MurmurHash3 steps) for features and dictionary keys: features are hashed
 * from code points directly, so inference allocates no strings per feature.
 */
export function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Final avalanche; never returns 0, which marks an empty slot or an absent feature. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 1 : h;
}

/** Second, independent seed for dictionary keys (two hashes together make collisions negligible). */
export const SEED_A = 0x9747b28c | 0;
export const SEED_B = 0x1b56c4e9 | 0;

/** An open-addressing map from non-zero, already well-mixed int32 keys (hashes) to int32 values (−1 = absent). */
export class IntTable {
  private readonly mask: number;
  readonly keys: Int32Array;
  readonly values: Int32Array;

  constructor(capacity: number) {
    let size = 1024;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.keys = new Int32Array(size);
    this.values = new Int32Array(size).fill(-1);
  }

  set(key: number, value: number): void {
    let slot = key & this.mask;
    while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
    this.keys[slot] = key;
    this.values[slot] = value;
  }

  get(key: number): number {
    let slot = key & this.mask;
    for (;;) {
      const k = this.keys[slot]!;
      if (k === key) return this.values[slot]!;
      if (k === 0) return -1;
      slot = (slot + 1) & this.mask;
    }
  }
}
