/**
 * Refusal latency (first SYN to refusing RST) per direction, as cumulative-ready bucket counts
 * with Prometheus-style upper bounds in seconds, plus sum, count, min and max.
 */
import { DIRECTION_COUNT } from './direction.js';

/** Bucket upper bounds in seconds: from 100 us (a LAN RST) to 60 s (a NAT answering very late). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const SLOTS = LATENCY_BUCKETS_SECONDS.length + 1; // the last slot is +Inf

/** Per-direction latency histogram; see the module comment. */
export class LatencyHistogram {
  /** Non-cumulative counts, `counts[direction * (buckets + 1) + bucket]`, the last bucket +Inf. */
  readonly counts = new Float64Array(DIRECTION_COUNT * SLOTS);
  /** Sum of observed latencies per direction, seconds. */
  readonly sumSeconds = new Float64Array(DIRECTION_COUNT);
  /** Observations per direction. */
  readonly count = new Float64Array(DIRECTION_COUNT);
  /** Smallest latency per direction, seconds (Infinity when none). */
  readonly minSeconds = new Float64Array(DIRECTION_COUNT).fill(Infinity);
  /** Largest latency per direction, seconds (-Infinity when none). */
  readonly maxSeconds = new Float64Array(DIRECTION_COUNT).fill(-Infinity);

  /** Records one latency, in seconds (negative values, from non-monotonic captures, count as 0). */
  observe(direction: number, latencySeconds: number): void {
    const v = latencySeconds > 0 ? latencySeconds : 0;
    let b = 0;
    while (b < LATENCY_BUCKETS_SECONDS.length && v > LATENCY_BUCKETS_SECONDS[b]) b++;
    this.counts[direction * SLOTS + b]++;
    this.sumSeconds[direction] += v;
    this.count[direction]++;
    if (v < this.minSeconds[direction]) this.minSeconds[direction] = v;
    if (v > this.maxSeconds[direction]) this.maxSeconds[direction] = v;
  }

  /**
   * Estimated quantile (0..1) over the given directions, seconds, by linear interpolation inside
   * the bucket (as PromQL's histogram_quantile); NaN when there is no observation.
   */
  quantile(q: number, directions: readonly number[]): number {
    let total = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const d of directions) {
      total += this.count[d];
      lo = Math.min(lo, this.minSeconds[d]);
      hi = Math.max(hi, this.maxSeconds[d]);
    }
    if (total === 0) return NaN;
    const rank = q * total;
    let cum = 0;
    for (let b = 0; b < SLOTS; b++) {
      let inBucket = 0;
      for (const d of directions) inBucket += this.counts[d * SLOTS + b];
      if (inBucket > 0 && cum + inBucket >= rank) {
        const lower = Math.max(b === 0 ? 0 : LATENCY_BUCKETS_SECONDS[b - 1], lo);
        const upper = Math.min(b < LATENCY_BUCKETS_SECONDS.length ? LATENCY_BUCKETS_SECONDS[b] : hi, hi);
        return lower + (upper - lower) * ((rank - cum) / inBucket);
      }
      cum += inBucket;
    }
    return hi;
  }
}
