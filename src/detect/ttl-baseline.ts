/**
 * Per-host TTL baselines: for each address, how many of its non-RST packets started from each
 * initial TTL, and their summed hop distances. Fixed capacity, in typed arrays: a 4-way
 * set-associative table; a new address takes a free way of its set or evicts the way with the
 * fewest samples (counted in `evictions`). Nothing is allocated after construction.
 */
import { hopDistance, initialTtl, INITIAL_TTLS, isBaselineTtl } from './ttl.js';

const WAYS = 4;
const CLASSES = 4; // INITIAL_TTLS.length

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
  private readonly used: Uint8Array;
  private readonly counts: Uint32Array;
  private readonly hopSums: Float64Array;

  /** @param capacity hosts to hold (rounded up to a power of two, at least 4) */
  constructor(capacity = DEFAULT_BASELINE_HOSTS) {
    let sets = 1;
    while (sets * WAYS < capacity) sets *= 2;
    this.capacity = sets * WAYS;
    this.setMask = sets - 1;
    this.keys = new Uint32Array(this.capacity * 4);
    this.used = new Uint8Array(this.capacity);
    this.counts = new Uint32Array(this.capacity * CLASSES);
    this.hopSums = new Float64Array(this.capacity * CLASSES);
  }

  /** Learns from one non-RST packet of address `a` (four words) that arrived with `ttl`. */
  observe(a: Uint32Array, ttl: number): void {
    if (!isBaselineTtl(ttl)) {
      this.ignoredSamples++;
      return;
    }
    let w = this.find(a);
    if (w === -1) w = this.claim(a);
    const k = w * CLASSES + ttlClass(initialTtl(ttl));
    this.counts[k]++;
    this.hopSums[k] += hopDistance(ttl);
  }

  /** Fills `out` with the baseline of address `a`; returns false (and leaves `out`) when there is none. */
  lookup(a: Uint32Array, out: Baseline): boolean {
    const w = this.find(a);
    if (w === -1) return false;
    let best = -1;
    let bestCount = 0;
    for (let c = 0; c < CLASSES; c++) {
      const n = this.counts[w * CLASSES + c];
      if (n > bestCount) {
        best = c;
        bestCount = n;
      }
    }
    if (best < 0) return false;
    out.initialTtl = INITIAL_TTLS[best];
    out.hops = Math.round(this.hopSums[w * CLASSES + best] / bestCount);
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
    for (let w = base; w < base + WAYS; w++) {
      const k = w * 4;
      if (this.used[w] === 1 && this.keys[k + 3] === a[3] && this.keys[k] === a[0] && this.keys[k + 1] === a[1] && this.keys[k + 2] === a[2]) return w;
    }
    return -1;
  }

  private claim(a: Uint32Array): number {
    const base = this.setOf(a);
    let victim = base;
    let fewest = Infinity;
    for (let w = base; w < base + WAYS; w++) {
      if (this.used[w] === 0) {
        victim = w;
        fewest = -1;
        break;
      }
      let n = 0;
      for (let c = 0; c < CLASSES; c++) n += this.counts[w * CLASSES + c];
      if (n < fewest) {
        victim = w;
        fewest = n;
      }
    }
    if (fewest >= 0) this.evictions++;
    this.used[victim] = 1;
    this.keys.set(a, victim * 4);
    this.counts.fill(0, victim * CLASSES, victim * CLASSES + CLASSES);
    this.hopSums.fill(0, victim * CLASSES, victim * CLASSES + CLASSES);
    return victim;
  }
}
