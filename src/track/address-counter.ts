/**
 * A fixed-capacity counter keyed by address (four words), for the report's "top refusing servers"
 * and "top refused clients". Open addressing with linear probing in typed arrays; no deletion.
 * When every slot is taken, counts for new addresses go to `overflow` (reported, never lost
 * silently).
 */
import { formatAddress } from '../net/address.js';

/** Slots of a counter of `capacity` addresses: the power of two at or above twice it. */
function slotsFor(capacity: number): number {
  let slots = 16;
  while (slots < capacity * 2) slots *= 2;
  return slots;
}

/** Bytes of a counter of `capacity` addresses: key, count and flag per slot, and its order. */
export function addressCounterBytes(capacity: number): number {
  return slotsFor(capacity) * (4 * 4 + 8 + 1) + capacity * 4;
}

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
  /** Slots in use, in insertion order: `order[0 .. size)`. */
  private readonly order: Int32Array;

  /** @param capacity distinct addresses to hold (the slot array is the next power of two >= 2x) */
  constructor(capacity: number) {
    const slots = slotsFor(capacity);
    this.capacity = capacity;
    this.mask = slots - 1;
    this.keys = new Uint32Array(slots * 4);
    this.counts = new Float64Array(slots);
    this.used = new Uint8Array(slots);
    this.order = new Int32Array(capacity);
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
        this.order[this.size++] = s;
        return;
      }
      if (keys[k + 3] === a3 && keys[k] === a0 && keys[k + 1] === a1 && keys[k + 2] === a2) {
        this.counts[s]++;
        return;
      }
      s = (s + 1) & this.mask;
    }
  }

  /**
   * The `n` addresses with the highest counts, highest first; ties go to the numerically lower
   * address. Selects in place (no row per address): only the `n` winners become strings.
   */
  top(n: number): AddressCount[] {
    const best = new Int32Array(n).fill(-1);
    let have = 0;
    for (let o = 0; o < this.size; o++) {
      const s = this.order[o];
      if (have === n && !this.ranksBefore(s, best[n - 1])) continue;
      let at = have < n ? have++ : n - 1;
      while (at > 0 && this.ranksBefore(s, best[at - 1])) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = s;
    }
    const rows: AddressCount[] = [];
    for (let i = 0; i < have; i++) rows.push({ address: formatAddress(this.keys, best[i] * 4), count: this.counts[best[i]] });
    return rows;
  }

  /** True when slot `a` ranks before slot `b`: a higher count, or the same count and a lower address. */
  private ranksBefore(a: number, b: number): boolean {
    const ca = this.counts[a];
    const cb = this.counts[b];
    if (ca !== cb) return ca > cb;
    for (let w = 0; w < 4; w++) {
      const x = this.keys[a * 4 + w];
      const y = this.keys[b * 4 + w];
      if (x !== y) return x < y;
    }
    return false;
  }
}
