/**
 * Distinct-value counts in fixed memory, one per slot of a key table (report/scans.ts): how many
 * distinct ports, servers or clients a key's failures span. Each slot has SET_BYTES bytes that
 * hold its values exactly, up to EXACT_DISTINCT 32-bit values (an IPv4 address or a port as it is,
 * an IPv6 address as a 32-bit hash). The next new value moves the slot to one of a few 65536-bit
 * bitmaps, when the values are ports and a bitmap is free (still exact), else turns its bytes into
 * a HyperLogLog sketch of SKETCH_REGISTERS 4-bit registers (an estimate, about 3 % off: 1.04 /
 * sqrt(1024)). Everything is allocated at construction; adding a value allocates nothing.
 */

/** Values a slot holds exactly in its own bytes. */
export const EXACT_DISTINCT = 128;
/** Bytes per slot: the exact values, or the sketch's registers over the same bytes. */
export const SET_BYTES = EXACT_DISTINCT * 4;
/** HyperLogLog registers per sketch, 4 bits each (two to a byte). */
export const SKETCH_REGISTERS = SET_BYTES * 2;
/** Bits of the hash that pick a register (2^10 = SKETCH_REGISTERS). */
const INDEX_BITS = 10;
/** A 4-bit register holds ranks up to 15: exact enough to about 16 million distinct values. */
const MAX_RANK = 15;
/** Words of a port bitmap: one bit per port. */
const BITMAP_WORDS = 65536 / 32;
/** `size` markers of a slot whose values moved out of its exact set. */
const IN_BITMAP = 254;
const SKETCHED = 255;

/** murmur3's 32-bit finalizer: every input bit moves every output bit. Signed. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Bytes of DistinctSets of `slots` slots and `bitmaps` port bitmaps (with the one set's worth of room to move a set). */
export function distinctSetsBytes(slots: number, bitmaps: number): number {
  return slots * (SET_BYTES + 1 + 2) + bitmaps * (BITMAP_WORDS * 4 + 4) + SET_BYTES;
}

/** Per-slot distinct counts; see the module comment. */
export class DistinctSets {
  /** Exact values held (0 to EXACT_DISTINCT), IN_BITMAP or SKETCHED, by slot. */
  private readonly size: Uint8Array;
  /** Per slot, EXACT_DISTINCT values or, over the same bytes, the sketch's registers. */
  private readonly values: Int32Array;
  private readonly registers: Uint8Array;
  /** The port bitmap of a slot (IN_BITMAP), by slot. */
  private readonly bitmapOf: Int16Array;
  private readonly bitmaps: Int32Array;
  /** Ports set in each bitmap. */
  private readonly bitmapCount: Int32Array;
  private bitmapsUsed = 0;
  /** The exact values of a slot while they move. */
  private readonly spill = new Int32Array(EXACT_DISTINCT);

  /**
   * @param slots slots to count for
   * @param bitmaps port bitmaps (8 KB each) for the first slots to pass EXACT_DISTINCT; 0 when the
   *   values are not ports
   * @param maxDistinct the most distinct values there can be (65536 ports): estimates stop there
   */
  constructor(
    slots: number,
    bitmaps: number,
    private readonly maxDistinct: number,
  ) {
    this.size = new Uint8Array(slots);
    const bytes = new ArrayBuffer(slots * SET_BYTES);
    this.values = new Int32Array(bytes);
    this.registers = new Uint8Array(bytes);
    this.bitmapOf = new Int16Array(slots);
    this.bitmaps = new Int32Array(bitmaps * BITMAP_WORDS);
    this.bitmapCount = new Int32Array(bitmaps);
  }

  /** Empties slot `s`'s exact set (a slot that moved out of it is never emptied: its key is kept). */
  clear(s: number): void {
    this.size[s] = 0;
  }

  /** Makes slot `to`'s set a copy of slot `from`'s, which holds its values exactly (at most EXACT_DISTINCT). */
  copyExact(from: number, to: number): void {
    const n = this.exactSize(from);
    this.values.copyWithin(to * EXACT_DISTINCT, from * EXACT_DISTINCT, from * EXACT_DISTINCT + n);
    this.size[to] = n;
  }

  /** Adds the values of slot `from`, which holds them exactly, to slot `to`'s; returns its count (at least). */
  addExact(to: number, from: number): number {
    const n = this.exactSize(from);
    let count = this.count(to);
    for (let i = from * EXACT_DISTINCT; i < from * EXACT_DISTINCT + n; i++) count = this.add(to, this.values[i]);
    return count;
  }

  private exactSize(s: number): number {
    const n = this.size[s];
    if (n > EXACT_DISTINCT) throw new RangeError(`distinct set ${s} is not exact`);
    return n;
  }

  /**
   * Adds `value` (signed 32 bits; a port when the sets have bitmaps) to slot `s` and returns how
   * many distinct values the slot has at least: exact up to EXACT_DISTINCT and in a bitmap.
   */
  add(s: number, value: number): number {
    const n = this.size[s];
    if (n === IN_BITMAP) return this.addToBitmap(this.bitmapOf[s], value);
    if (n === SKETCHED) {
      this.observe(s, value);
      return EXACT_DISTINCT + 1;
    }
    const values = this.values;
    const base = s * EXACT_DISTINCT;
    for (let i = base; i < base + n; i++) if (values[i] === value) return n;
    if (n < EXACT_DISTINCT) {
      values[base + n] = value;
      this.size[s] = n + 1;
      return n + 1;
    }
    return this.moveOut(s, value);
  }

  /** Distinct values of slot `s`: exact (set or bitmap), else the sketch's estimate. */
  count(s: number): number {
    const n = this.size[s];
    if (n === IN_BITMAP) return this.bitmapCount[this.bitmapOf[s]];
    return n === SKETCHED ? this.estimate(s) : n;
  }

  /** True when slot `s`'s count is exact. */
  isExact(s: number): boolean {
    return this.size[s] !== SKETCHED;
  }

  /** Moves full slot `s`, and its new `value`, to a free bitmap, else to a sketch; returns its count (at least). */
  private moveOut(s: number, value: number): number {
    const base = s * EXACT_DISTINCT;
    for (let i = 0; i < EXACT_DISTINCT; i++) this.spill[i] = this.values[base + i];
    if (this.bitmapsUsed < this.bitmapCount.length) {
      const b = this.bitmapsUsed++;
      this.bitmapOf[s] = b;
      this.size[s] = IN_BITMAP;
      for (let i = 0; i < EXACT_DISTINCT; i++) this.addToBitmap(b, this.spill[i]);
      return this.addToBitmap(b, value);
    }
    this.registers.fill(0, s * SET_BYTES, (s + 1) * SET_BYTES);
    this.size[s] = SKETCHED;
    for (let i = 0; i < EXACT_DISTINCT; i++) this.observe(s, this.spill[i]);
    this.observe(s, value);
    return EXACT_DISTINCT + 1;
  }

  /** Sets port `value` in bitmap `b`; returns the bitmap's count. */
  private addToBitmap(b: number, value: number): number {
    const w = b * BITMAP_WORDS + ((value >>> 5) & (BITMAP_WORDS - 1));
    const bit = 1 << (value & 31);
    if ((this.bitmaps[w] & bit) === 0) {
      this.bitmaps[w] |= bit;
      this.bitmapCount[b]++;
    }
    return this.bitmapCount[b];
  }

  /**
   * HyperLogLog (Flajolet et al. 2007): the hash's top INDEX_BITS bits pick a register, which keeps
   * the largest rank (leading zeros + 1) of the other bits, at most MAX_RANK.
   */
  private observe(s: number, value: number): void {
    const h = mix32(value);
    const r = h >>> (32 - INDEX_BITS);
    const rank = Math.min(MAX_RANK, Math.clz32((h << INDEX_BITS) | (1 << (INDEX_BITS - 1))) + 1);
    const byte = s * SET_BYTES + (r >>> 1);
    const shift = (r & 1) * 4;
    const old = (this.registers[byte] >>> shift) & 15;
    if (rank > old) this.registers[byte] = (this.registers[byte] & ~(15 << shift)) | (rank << shift);
  }

  /**
   * The sketch's estimate: the harmonic mean of the registers, with linear counting while registers
   * are still empty and the estimate small (at most 2.5 registers' worth); never below
   * EXACT_DISTINCT + 1 (the slot had that many when it turned into a sketch) nor above maxDistinct.
   */
  private estimate(s: number): number {
    const m = SKETCH_REGISTERS;
    let sum = 0;
    let zeros = 0;
    for (let i = s * SET_BYTES; i < (s + 1) * SET_BYTES; i++) {
      const lo = this.registers[i] & 15;
      const hi = this.registers[i] >>> 4;
      sum += 2 ** -lo + 2 ** -hi;
      zeros += (lo === 0 ? 1 : 0) + (hi === 0 ? 1 : 0);
    }
    let e = ((0.7213 / (1 + 1.079 / m)) * m * m) / sum;
    if (e <= 2.5 * m && zeros > 0) e = m * Math.log(m / zeros);
    return Math.min(this.maxDistinct, Math.max(EXACT_DISTINCT + 1, Math.round(e)));
  }
}
