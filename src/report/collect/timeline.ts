/**
 * When: outcome counts per time bucket, an attempt (its start and its outcome) in the bucket of
 * its first SYN. Bounded whatever the capture's span: the counts are kept at a width that holds
 * the span seen so far in at most `maxBuckets` buckets, and a wider span widens the buckets by
 * summing neighbours (no count is lost). The report then picks its width.
 *
 * Widths come from a ladder in which each width divides the next (1 ms, 10 ms, 100 ms, 1 s, 10 s,
 * 1 min, 10 min, 1 h, 6 h, 1 day, 7 days, then doubling), and buckets start at multiples of their
 * width since the epoch, so a wider bucket is exactly a run of narrower ones. With a width asked
 * for (`--bucket`), the counts stay at that width while the span fits in `maxBuckets` of them, and
 * are doubled in width as often as needed beyond (the report says so).
 *
 * Times are whole microseconds since the epoch (report-collector.ts takes them from the capture's
 * own seconds and nanoseconds): a time exactly on a bucket's start is in that bucket.
 */
import { PAIR_COUNTS as BUCKET_COUNTS, PairCount as BucketCount } from './pair-table.js';

/** Bucket widths of the automatic choice, microseconds; each divides the next. */
export const WIDTH_LADDER_US: readonly number[] = [1e3, 1e4, 1e5, 1e6, 1e7, 6e7, 6e8, 3.6e9, 2.16e10, 8.64e10, 6.048e11];
/** Buckets the report shows at most when it chooses the width. */
export const MAX_SHOWN_BUCKETS = 240;
/** Buckets kept at most: with an automatic width, and with a width asked for. */
export const MAX_KEPT_BUCKETS = 4096;
export const MAX_ASKED_BUCKETS = 100_000;

/** One bucket as reported. */
export interface Bucket {
  /** Start of the bucket, milliseconds since the epoch. */
  startMs: number;
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
}

/** The timeline as reported: its width, and every bucket from the first to the last (zeros included). */
export interface TimelineRows {
  bucketSeconds: number;
  /** True when a width was asked for and the span needed a wider one. */
  widened: boolean;
  buckets: Bucket[];
}

/** The next width after `us`: the ladder's next, or double beyond its end. */
function widerThan(us: number): number {
  for (const w of WIDTH_LADDER_US) if (w > us) return w;
  return us * 2;
}

/** Bounded outcome counts per time bucket; see the module comment. */
export class Timeline {
  /** The width the counts are kept at, microseconds. */
  private widthUs: number;
  private readonly asked: boolean;
  private readonly askedUs: number;
  private readonly cap: number;
  private counts: Float64Array;
  private spare: Float64Array;
  /** Bucket number (start / width) of `counts[0]`. */
  private base = 0;
  /** Attempts of no known time, by PairCount. */
  readonly unknown = new Float64Array(BUCKET_COUNTS);
  /** Lowest and highest bucket numbers counted; lo > hi while empty. */
  private lo = 1;
  private hi = 0;

  /** @param bucketSeconds the width asked for (`--bucket`), or undefined to choose from the span */
  constructor(bucketSeconds?: number) {
    this.asked = bucketSeconds !== undefined;
    this.askedUs = this.asked ? Math.max(1, Math.round((bucketSeconds as number) * 1e6)) : 0;
    this.widthUs = this.asked ? this.askedUs : WIDTH_LADDER_US[0];
    this.cap = this.asked ? MAX_ASKED_BUCKETS : MAX_KEPT_BUCKETS;
    this.counts = new Float64Array(this.cap * BUCKET_COUNTS);
    this.spare = new Float64Array(this.cap * BUCKET_COUNTS);
  }

  /**
   * Counts an ended attempt, with `outcome` (a PairCount: the buckets count as the pairs do), whose
   * first SYN was at `at[0]`, whole microseconds since the epoch (an array: no double crosses the call).
   */
  add(at: Float64Array, outcome: number): void {
    const b = Math.floor(at[0] / this.widthUs);
    if (!Number.isFinite(b)) {
      // No time known (a capture whose first frames' times lie beyond any date): counted apart.
      this.unknown[BucketCount.Attempts]++;
      this.unknown[outcome]++;
      return;
    }
    if (this.lo > this.hi) {
      this.base = b - (this.cap >> 2);
      this.lo = b;
      this.hi = b;
    } else if (b < this.base || b >= this.base + this.cap) {
      this.refit(b);
      this.add(at, outcome);
      return;
    } else if (b < this.lo) {
      this.lo = b;
    } else if (b > this.hi) {
      this.hi = b;
    }
    const c = (b - this.base) * BUCKET_COUNTS;
    this.counts[c + BucketCount.Attempts]++;
    this.counts[c + outcome]++;
  }

  /**
   * Makes room for bucket `b`: widens the buckets only if the span from the lowest to the highest
   * counted (and `b`) does not fit in the kept buckets, then places that span with a quarter of the
   * room left before it and the rest after (times mostly go forward).
   */
  private refit(b: number): void {
    const lo = Math.min(this.lo, b);
    const hi = Math.max(this.hi, b);
    let factor = 1;
    while (Math.floor(hi / factor) - Math.floor(lo / factor) + 1 > this.cap) {
      const next = this.asked ? this.widthUs * factor * 2 : widerThan(this.widthUs * factor);
      factor = next / this.widthUs;
    }
    const newLo = Math.floor(lo / factor);
    const newHi = Math.floor(hi / factor);
    const newBase = newLo - ((this.cap - (newHi - newLo + 1)) >> 2);
    const out = this.spare;
    out.fill(0);
    for (let old = this.lo; old <= this.hi; old++) {
      const from = (old - this.base) * BUCKET_COUNTS;
      const to = (Math.floor(old / factor) - newBase) * BUCKET_COUNTS;
      for (let o = 0; o < BUCKET_COUNTS; o++) out[to + o] += this.counts[from + o];
    }
    this.spare = this.counts;
    this.counts = out;
    this.widthUs *= factor;
    this.base = newBase;
    // The span of what was counted; `add` widens it to b itself.
    this.lo = Math.floor(this.lo / factor);
    this.hi = Math.floor(this.hi / factor);
  }

  /**
   * The buckets to report: at the width asked for (or the one the span forced), else at the
   * narrowest ladder width that shows the span in at most MAX_SHOWN_BUCKETS buckets.
   */
  rows(): TimelineRows {
    let width = this.widthUs;
    if (!this.asked && this.lo <= this.hi) {
      while (Math.floor((this.hi * this.widthUs) / width) - Math.floor((this.lo * this.widthUs) / width) + 1 > MAX_SHOWN_BUCKETS) width = widerThan(width);
    }
    const factor = width / this.widthUs;
    const buckets: Bucket[] = [];
    if (this.lo <= this.hi) {
      const first = Math.floor(this.lo / factor);
      const last = Math.floor(this.hi / factor);
      for (let n = first; n <= last; n++) buckets.push({ startMs: (n * width) / 1000, attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 });
      for (let old = this.lo; old <= this.hi; old++) {
        const row = buckets[Math.floor(old / factor) - first];
        const c = (old - this.base) * BUCKET_COUNTS;
        row.attempts += this.counts[c + BucketCount.Attempts];
        row.accepted += this.counts[c + BucketCount.Accepted];
        row.refused += this.counts[c + BucketCount.Refused];
        row.icmp_rejected += this.counts[c + BucketCount.IcmpRejected];
        row.unanswered += this.counts[c + BucketCount.Unanswered];
      }
    }
    return { bucketSeconds: width / 1e6, widened: this.asked && width !== this.askedUs, buckets };
  }
}
