/**
 * A fixed-capacity counter keyed by address (four words), for the report's "top refusing servers"
 * and "top refused clients". Open addressing with linear probing in typed arrays; no deletion.
 * When every slot is taken, counts for new addresses go to `overflow` (reported, never lost
 * silently).
 */
import { formatAddress } from './direction.js';

/** One row of a top-N listing. */
export interface AddressCount {
  /** The address as text. */
  address: string;
  /** How many times it was counted. */
  count: number;
}

/** Bounded address -> count table; see the module comment. */
export class AddressCounter {
  /** Distinct addresses held at most. */
  readonly capacity: number;
  /** Distinct addresses held now. */
  size = 0;
  /** Counts that found no free slot. */
  overflow = 0;

  private readonly mask: number;
  private readonly keys: Uint32Array;
  private readonly counts: Float64Array;
  private readonly used: Uint8Array;

  /** @param capacity distinct addresses to hold (the slot array is the next power of two >= 2x) */
  constructor(capacity: number) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.capacity = capacity;
    this.mask = slots - 1;
    this.keys = new Uint32Array(slots * 4);
    this.counts = new Float64Array(slots);
    this.used = new Uint8Array(slots);
  }

  /** Adds one for the address in `a` (four words from `offset`). */
  inc(a: ArrayLike<number>, offset = 0): void {
    const a0 = a[offset];
    const a1 = a[offset + 1];
    const a2 = a[offset + 2];
    const a3 = a[offset + 3];
    let h = Math.imul(a3 ^ Math.imul(a2, 0x9e3779b1) ^ Math.imul(a1, 0x85ebca6b) ^ Math.imul(a0, 0xc2b2ae35), 0x27d4eb2f);
    h ^= h >>> 15;
    let s = h & this.mask;
    const keys = this.keys;
    for (;;) {
      const k = s * 4;
      if (this.used[s] === 0) {
        if (this.size >= this.capacity) {
          this.overflow++;
          return;
        }
        this.used[s] = 1;
        keys[k] = a0;
        keys[k + 1] = a1;
        keys[k + 2] = a2;
        keys[k + 3] = a3;
        this.counts[s] = 1;
        this.size++;
        return;
      }
      if (keys[k + 3] === a3 && keys[k] === a0 && keys[k + 1] === a1 && keys[k + 2] === a2) {
        this.counts[s]++;
        return;
      }
      s = (s + 1) & this.mask;
    }
  }

  /** The `n` addresses with the highest counts, highest first (ties: lower address text first). */
  top(n: number): AddressCount[] {
    const rows: AddressCount[] = [];
    for (let s = 0; s < this.used.length; s++) {
      if (this.used[s] === 1) rows.push({ address: formatAddress(this.keys, s * 4), count: this.counts[s] });
    }
    rows.sort((x, y) => y.count - x.count || (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
    return rows.slice(0, n);
  }
}
