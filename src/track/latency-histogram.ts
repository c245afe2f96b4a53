/**
 * Refusal latency (first SYN to refusing RST) per direction: Prometheus-style bucket counts with
 * upper bounds in seconds, plus sum, count, min and max, and fine log-spaced bins (30 per decade,
 * 1 us to 1000 s: within 4 % of the true value) from which the report estimates quantiles.
 * Everything is a fixed typed array; an observation allocates nothing.
 */
import { DIRECTION_COUNT } from './direction.js';

/** Bucket upper bounds in seconds: from 100 us (a LAN RST) to 60 s (a NAT answering very late). */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

const SLOTS = LATENCY_BUCKETS_SECONDS.length + 1; // the last slot is +Inf

/** Fine bins per decade for quantile estimates. */
const FINE_PER_DECADE = 30;
/** Lower edge of fine bin 1 (bin 0 holds everything below it), seconds. */
const FINE_MIN_SECONDS = 1e-6;
/** Fine bins: bin 0 below 1 us, then 9 decades (1 us .. 1000 s), then one bin above. */
const FINE_BINS = 9 * FINE_PER_DECADE + 2;

function fineLower(b: number): number {
  return b === 0 ? 0 : FINE_MIN_SECONDS * 10 ** ((b - 1) / FINE_PER_DECADE);
}

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
  /** Fine log-spaced bin counts, `fine[direction * FINE_BINS + bin]`. */
  private readonly fine = new Float64Array(DIRECTION_COUNT * FINE_BINS);

  /** `value[0]`: the latency being recorded, seconds (handed over in an array: a double argument may be boxed). */
  private readonly value = new Float64Array(1);

  /**
   * @param clock `clock[0]` is now, seconds, for `observeSince` (the tracker's clock:
   * track/attempt-table.ts); default a clock of its own
   */
  constructor(private readonly clock: Float64Array = new Float64Array(1)) {}

  /** Records one latency, in seconds (negative values, from non-monotonic captures, count as 0). */
  observe(direction: number, latencySeconds: number): void {
    this.value[0] = latencySeconds;
    this.record(direction);
  }

  /** Records the latency from `starts[i]` to the clock's time, seconds: on the packet path, where no double is handed to a call. */
  observeSince(direction: number, starts: Float64Array, i: number): void {
    this.value[0] = this.clock[0] - starts[i];
    this.record(direction);
  }

  private record(direction: number): void {
    const v = this.value[0] > 0 ? this.value[0] : 0;
    let b = 0;
    while (b < LATENCY_BUCKETS_SECONDS.length && v > LATENCY_BUCKETS_SECONDS[b]) b++;
    this.counts[direction * SLOTS + b]++;
    // The fine bin is worked out here, not in a function of `v`: a double handed to a call V8
    // does not inline is boxed, and this runs for every refusal.
    let fine = v < FINE_MIN_SECONDS ? 0 : 1 + Math.floor(Math.log10(v / FINE_MIN_SECONDS) * FINE_PER_DECADE);
    if (fine >= FINE_BINS) fine = FINE_BINS - 1;
    this.fine[direction * FINE_BINS + fine]++;
    this.sumSeconds[direction] += v;
    this.count[direction]++;
    if (v < this.minSeconds[direction]) this.minSeconds[direction] = v;
    if (v > this.maxSeconds[direction]) this.maxSeconds[direction] = v;
  }

  /**
   * Estimated quantile (0..1) over the given directions, seconds: the geometric middle of the fine
   * bin holding that rank (at most 4 % off), clamped to the observed min and max; NaN when empty.
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
    if (q <= 0) return lo;
    if (q >= 1) return hi;
    const rank = q * total;
    let cum = 0;
    for (let b = 0; b < FINE_BINS; b++) {
      let inBin = 0;
      for (const d of directions) inBin += this.fine[d * FINE_BINS + b];
      if (inBin > 0 && cum + inBin >= rank) {
        const middle = b === 0 ? FINE_MIN_SECONDS / 2 : b + 1 < FINE_BINS ? Math.sqrt(fineLower(b) * fineLower(b + 1)) : hi;
        return Math.min(hi, Math.max(lo, middle));
      }
      cum += inBin;
    }
    return hi;
  }
}
