/**
 * Per-host TTL baselines: for each address, how many of its non-RST packets started from each
 * initial TTL, and their summed hop distances. Fixed capacity, in typed arrays: a 4-way
 * set-associative table; a new address takes a free way of its set or evicts the way with the
 * fewest samples (counted in `evictions`). Nothing is allocated after construction. A way's key
 * and in-use flag sit in 32 bytes, its counts and hop sums in 64 (one cache line), so a probe
 * touches few lines.
 */
import { hopDistance, initialTtl, INITIAL_TTLS, isBaselineTtl } from './ttl.js';

const WAYS = 4;
const CLASSES = 4; // INITIAL_TTLS.length
/** Words per way in `keys`: address (4), in-use flag, padding. */
const KEY_STRIDE = 8;
/** Numbers per way in `stats`: a count per class, then a hop sum per class. */
const STAT_STRIDE = 8;

function ttlClass(initial: number): number {
  return initial === 32 ? 0 : initial === 64 ? 1 : initial === 128 ? 2 : 3;
}

/** A baseline as the heuristics read it. */
export interface Baseline {
  /** Initial TTL most of the host's packets started from. */
  initialTtl: number;
  /** Their mean hop distance, rounded. */
  hops: number;
  /** How many packets started from that initial TTL. */
  samples: number;
}

/** Bytes per host of the table: its key and in-use flag (32), its counts and hop sums (64). */
export const TTL_BASELINE_BYTES_PER_HOST = KEY_STRIDE * 4 + STAT_STRIDE * 8;

/** Default number of hosts with a baseline. */
export const DEFAULT_BASELINE_HOSTS = 65_536;

/** See the module comment. */
export class TtlBaselineTable {
  /** Hosts held at most. */
  readonly capacity: number;
  /** Hosts whose baseline was dropped to make room. */
  evictions = 0;
  /** Packets not learned from because their TTL was 1 or 255 (application-chosen). */
  ignoredSamples = 0;

  private readonly setMask: number;
  private readonly keys: Uint32Array;
  private readonly stats: Float64Array;

  /** @param capacity hosts to hold (rounded up to a power of two, at least 4) */
  constructor(capacity = DEFAULT_BASELINE_HOSTS) {
    let sets = 1;
    while (sets * WAYS < capacity) sets *= 2;
    this.capacity = sets * WAYS;
    this.setMask = sets - 1;
    this.keys = new Uint32Array(this.capacity * KEY_STRIDE);
    this.stats = new Float64Array(this.capacity * STAT_STRIDE);
  }

  /** Learns from one non-RST packet of address `a` (four words) that arrived with `ttl`. */
  observe(a: Uint32Array, ttl: number): void {
    if (!isBaselineTtl(ttl)) {
      this.ignoredSamples++;
      return;
    }
    let w = this.find(a);
    if (w === -1) w = this.claim(a);
    const k = w * STAT_STRIDE + ttlClass(initialTtl(ttl));
    this.stats[k]++;
    this.stats[k + CLASSES] += hopDistance(ttl);
  }

  /** Fills `out` with the baseline of address `a`; returns false (and leaves `out`) when there is none. */
  lookup(a: Uint32Array, out: Baseline): boolean {
    const w = this.find(a);
    if (w === -1) return false;
    let best = -1;
    let bestCount = 0;
    for (let c = 0; c < CLASSES; c++) {
      const n = this.stats[w * STAT_STRIDE + c];
      if (n > bestCount) {
        best = c;
        bestCount = n;
      }
    }
    if (best < 0) return false;
    out.initialTtl = INITIAL_TTLS[best];
    out.hops = Math.round(this.stats[w * STAT_STRIDE + CLASSES + best] / bestCount);
    out.samples = bestCount;
    return true;
  }

  private setOf(a: Uint32Array): number {
    let h = Math.imul(a[3] ^ Math.imul(a[2], 0x9e3779b1) ^ Math.imul(a[1], 0x85ebca6b) ^ Math.imul(a[0], 0xc2b2ae35), 0x27d4eb2f);
    h ^= h >>> 15;
    return (h & this.setMask) * WAYS;
  }

  private find(a: Uint32Array): number {
    const base = this.setOf(a);
    const keys = this.keys;
    for (let w = base; w < base + WAYS; w++) {
      const k = w * KEY_STRIDE;
      if (keys[k + 4] === 1 && keys[k + 3] === a[3] && keys[k] === a[0] && keys[k + 1] === a[1] && keys[k + 2] === a[2]) return w;
    }
    return -1;
  }

  private claim(a: Uint32Array): number {
    const base = this.setOf(a);
    let victim = base;
    let fewest = Infinity;
    for (let w = base; w < base + WAYS; w++) {
      if (this.keys[w * KEY_STRIDE + 4] === 0) {
        victim = w;
        fewest = -1;
        break;
      }
      let n = 0;
      for (let c = 0; c < CLASSES; c++) n += this.stats[w * STAT_STRIDE + c];
      if (n < fewest) {
        victim = w;
        fewest = n;
      }
    }
    if (fewest >= 0) this.evictions++;
    const k = victim * KEY_STRIDE;
    this.keys[k] = a[0];
    this.keys[k + 1] = a[1];
    this.keys[k + 2] = a[2];
    this.keys[k + 3] = a[3];
    this.keys[k + 4] = 1;
    // A loop, not TypedArray.fill (a runtime call, costly at one per new host).
    const st = this.stats;
    const s = victim * STAT_STRIDE;
    for (let i = s; i < s + STAT_STRIDE; i++) st[i] = 0;
    return victim;
  }
}
