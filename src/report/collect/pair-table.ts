/**
 * Who refuses whom: outcome counts per (server address, server port, client address), in a table
 * of at most `capacity` pairs kept in typed arrays sized once at construction (the attempt table's
 * way: nothing is allocated per attempt).
 *
 * An attempt is counted once it has ended (every attempt ends: the end of the capture leaves the
 * pending ones unanswered), its start and its outcome together, so a pair's attempts are the sum
 * of its outcomes. An open-addressing index (linear probing over twice the capacity) finds an
 * entry by its key.
 *
 * Bounded: when a new pair finds the table full, three quarters of the entries are folded into one
 * `other` row: those with the fewest failures (refused + ICMP-rejected + unanswered), the earlier
 * entries first among equals. Their counts move to `other`, nothing is lost: the entries plus
 * `other` add up to the totals, attempt for attempt. A pair folded and seen again starts a new
 * entry (and `otherPairs` may count it twice). One fold costs a pass over the table;
 * it happens at most once per 3/4 capacity new pairs, whatever the traffic.
 */
import { randomBytes } from 'node:crypto';
import { formatAddress } from '../../net/address.js';
import { hashKey } from '../../track/attempt-table.js';

/** Outcome indexes of a pair's counts (and of `other`). */
export const PairCount = { Attempts: 0, Accepted: 1, Refused: 2, IcmpRejected: 3, Unanswered: 4 } as const;
/** Counts per entry. */
export const PAIR_COUNTS = 5;

/** Key words per entry: server address (4), client address (4), server port. */
const KEY_WORDS = 9;
/** Failure counts told apart when choosing what to fold; more are one level. */
const FOLD_LEVELS = 64;
/** The order of the key words when rows are sorted: server, port, client. */
const SORT_WORDS = [0, 1, 2, 3, 8, 4, 5, 6, 7];

/** One pair as reported. */
export interface PairRow {
  server: string;
  port: number;
  client: string;
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
  /** Capture time of the earliest and of the latest first SYN of the pair's attempts, whole microseconds since the epoch. */
  firstUs: number;
  lastUs: number;
}

/** Bytes a table of `capacity` pairs holds (test/report/collect.test.ts holds it to the arrays). */
export function pairTableBytes(capacity: number): number {
  return capacity * (KEY_WORDS * 4 + 4 + PAIR_COUNTS * 8 + 4 + 2 * 8 + 1 + 4) + slotsFor(capacity) * 4 + FOLD_LEVELS * 8;
}

function slotsFor(capacity: number): number {
  let slots = 16;
  while (slots < capacity * 2) slots *= 2;
  return slots;
}

/**
 * What a pair table's rows are made of, handed from the thread that counted them to the one that
 * reports them (report-thread.ts): its arrays, moved, not copied.
 */
export interface PairTableState {
  capacity: number;
  size: number;
  otherPairs: number;
  other: Float64Array;
  keys: Uint32Array;
  counts: Float64Array;
  fails: Uint32Array;
  first: Float64Array;
  last: Float64Array;
  used: Uint8Array;
}

/** The bounded pair table; see the module comment. */
export class PairTable {
  readonly capacity: number;
  /** Entries in use. */
  size = 0;
  /** Counts folded out of the table, by PairCount. */
  readonly other: Float64Array;
  /** Entries folded into `other`. */
  otherPairs = 0;

  private readonly keys: Uint32Array;
  /** Each entry's hash, kept so that a fold rebuilds the index without hashing again. */
  private readonly hashes: Int32Array;
  private readonly counts: Float64Array;
  /** Failures (refused + ICMP-rejected + unanswered) per entry, kept apart: what a fold reads. */
  private readonly fails: Uint32Array;
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private readonly used: Uint8Array;
  /** Entry + 1 per slot of the index, 0 for an empty slot. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Unused entries: `free[0 .. freeCount)`, taken from the end. */
  private readonly free: Int32Array;
  private freeCount: number;
  private readonly levels = new Float64Array(FOLD_LEVELS);
  /** A random seed: pairs an attacker crafted to collide in the index cannot be predicted. */
  private readonly seed = randomBytes(4).readInt32LE(0);

  /**
   * @param capacity pairs held at most (>= 1)
   * @param state a table's `state()`, to read its rows (order, row, other): a table made so is not
   *   counted into (it has no index)
   */
  constructor(capacity: number, state?: PairTableState) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`pair table capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    const slots = state ? 1 : slotsFor(capacity);
    this.mask = slots - 1;
    this.slots = new Int32Array(slots);
    this.keys = state?.keys ?? new Uint32Array(capacity * KEY_WORDS);
    this.hashes = new Int32Array(state ? 0 : capacity);
    this.counts = state?.counts ?? new Float64Array(capacity * PAIR_COUNTS);
    this.fails = state?.fails ?? new Uint32Array(capacity);
    this.first = state?.first ?? new Float64Array(capacity);
    this.last = state?.last ?? new Float64Array(capacity);
    this.used = state?.used ?? new Uint8Array(capacity);
    this.other = state?.other ?? new Float64Array(PAIR_COUNTS);
    this.size = state?.size ?? 0;
    this.otherPairs = state?.otherPairs ?? 0;
    this.free = new Int32Array(state ? 0 : capacity);
    for (let i = 0; i < this.free.length; i++) this.free[i] = capacity - 1 - i;
    this.freeCount = this.free.length;
  }

  /** The arrays and counts the rows are made of (see PairTableState); this table is not to be used after. */
  state(): PairTableState {
    const { capacity, size, otherPairs, other, keys, counts, fails, first, last, used } = this;
    return { capacity, size, otherPairs, other, keys, counts, fails, first, last, used };
  }

  /**
   * Counts an ended attempt of the pair (server, port, client) with outcome `outcome` (a PairCount)
   * whose first SYN was at `at[0]`, microseconds since the epoch (an array: no double crosses the call), adding
   * the pair if new (folding first when the table is full).
   */
  count(server: Uint32Array, port: number, client: Uint32Array, outcome: number, at: Float64Array): void {
    const ts = at[0];
    const h = hashKey(this.seed, server, port, client, 0);
    let s = h & this.mask;
    for (;;) {
      const e = this.slots[s] - 1;
      if (e < 0) break;
      if (this.matches(e, server, port, client)) {
        this.counts[e * PAIR_COUNTS + PairCount.Attempts]++;
        this.counts[e * PAIR_COUNTS + outcome]++;
        if (outcome >= PairCount.Refused) this.fails[e]++;
        if (ts < this.first[e]) this.first[e] = ts;
        if (ts > this.last[e]) this.last[e] = ts;
        return;
      }
      s = (s + 1) & this.mask;
    }
    if (this.freeCount === 0) {
      this.fold();
      // The fold rebuilt the index: find this key's empty slot again.
      s = h & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
    }
    const e = this.free[--this.freeCount];
    this.slots[s] = e + 1;
    this.hashes[e] = h;
    this.used[e] = 1;
    this.size++;
    const k = e * KEY_WORDS;
    for (let w = 0; w < 4; w++) {
      this.keys[k + w] = server[w];
      this.keys[k + 4 + w] = client[w];
    }
    this.keys[k + 8] = port;
    const c = e * PAIR_COUNTS;
    for (let o = 1; o < PAIR_COUNTS; o++) this.counts[c + o] = 0;
    this.counts[c] = 1;
    this.counts[c + outcome] = 1;
    this.fails[e] = outcome >= PairCount.Refused ? 1 : 0;
    this.first[e] = ts;
    this.last[e] = ts;
  }

  /** The entries in use, sorted by failures (most first), then attempts (most first), then server, port and client. */
  order(): Int32Array {
    const order = new Int32Array(this.size);
    let n = 0;
    for (let e = 0; e < this.capacity; e++) if (this.used[e] === 1) order[n++] = e;
    return order.sort((a, b) => this.failures(b) - this.failures(a) || this.countOf(b, 0) - this.countOf(a, 0) || this.compareKeys(a, b));
  }

  /** Entry `e` as a row. */
  row(e: number): PairRow {
    return {
      server: formatAddress(this.keys, e * KEY_WORDS),
      port: this.keys[e * KEY_WORDS + 8],
      client: formatAddress(this.keys, e * KEY_WORDS + 4),
      attempts: this.countOf(e, PairCount.Attempts),
      accepted: this.countOf(e, PairCount.Accepted),
      refused: this.countOf(e, PairCount.Refused),
      icmp_rejected: this.countOf(e, PairCount.IcmpRejected),
      unanswered: this.countOf(e, PairCount.Unanswered),
      firstUs: this.first[e],
      lastUs: this.last[e],
    };
  }

  /** The entries as rows, in `order()`. */
  rows(): PairRow[] {
    return Array.from(this.order(), (e) => this.row(e));
  }

  private countOf(e: number, outcome: number): number {
    return this.counts[e * PAIR_COUNTS + outcome];
  }

  private failures(e: number): number {
    return this.fails[e];
  }

  private compareKeys(a: number, b: number): number {
    // Server, then port, then client: key words 0-3, 8, 4-7.
    for (const w of SORT_WORDS) {
      const d = this.keys[a * KEY_WORDS + w] - this.keys[b * KEY_WORDS + w];
      if (d !== 0) return d;
    }
    return 0;
  }

  private matches(e: number, server: Uint32Array, port: number, client: Uint32Array): boolean {
    const k = e * KEY_WORDS;
    const keys = this.keys;
    return (
      keys[k + 8] === port &&
      keys[k + 3] === server[3] &&
      keys[k + 7] === client[3] &&
      keys[k] === server[0] &&
      keys[k + 1] === server[1] &&
      keys[k + 2] === server[2] &&
      keys[k + 4] === client[0] &&
      keys[k + 5] === client[1] &&
      keys[k + 6] === client[2]
    );
  }

  /**
   * Folds three quarters of the entries into `other`: every entry with fewer failures than a level
   * chosen so that at least that many fall at or under it, and entries at that level, lowest index
   * first, until that many are folded. Then rebuilds the index from the entries kept. (Folding a
   * half made a flood of new pairs fold half again as often, for rows of one failure each.)
   */
  private fold(): void {
    const levels = this.levels;
    levels.fill(0);
    for (let e = 0; e < this.capacity; e++) levels[Math.min(this.fails[e], FOLD_LEVELS - 1)]++;
    // Keep a quarter, and at least the one with the most failures (unless there is room for one only).
    const target = this.capacity - (this.capacity === 1 ? 0 : Math.max(1, this.capacity >> 2));
    let level = 0;
    let below = 0;
    while (below + levels[level] < target) below += levels[level++];
    let atLevel = target - below;
    // The table is full: every entry is in use, and the free list is empty until this fold.
    // Sums in locals, written to `other` once: a typed array's element summed in a loop is a
    // store and a load per entry.
    const counts = this.counts;
    let attempts = 0;
    let accepted = 0;
    let refused = 0;
    let icmp = 0;
    let unanswered = 0;
    for (let e = 0; e < this.capacity; e++) {
      const f = Math.min(this.fails[e], FOLD_LEVELS - 1);
      if (f > level || (f === level && atLevel-- <= 0)) continue;
      const c = e * PAIR_COUNTS;
      attempts += counts[c + PairCount.Attempts];
      accepted += counts[c + PairCount.Accepted];
      refused += counts[c + PairCount.Refused];
      icmp += counts[c + PairCount.IcmpRejected];
      unanswered += counts[c + PairCount.Unanswered];
      this.used[e] = 0;
      this.free[this.freeCount++] = e;
    }
    const folded = this.freeCount;
    this.size -= folded;
    this.otherPairs += folded;
    this.other[PairCount.Attempts] += attempts;
    this.other[PairCount.Accepted] += accepted;
    this.other[PairCount.Refused] += refused;
    this.other[PairCount.IcmpRejected] += icmp;
    this.other[PairCount.Unanswered] += unanswered;
    this.slots.fill(0);
    for (let e = 0; e < this.capacity; e++) {
      if (this.used[e] === 0) continue;
      let s = this.hashes[e] & this.mask;
      while (this.slots[s] !== 0) s = (s + 1) & this.mask;
      this.slots[s] = e + 1;
    }
  }
}
