/**
 * The refusal ratio over a sliding window (docs/semantics.md, "Outcomes": the refusal ratio): refused attempts divided
 * by attempts that ended (accepted + refused + ICMP-rejected + unanswered) in the last W seconds,
 * per exported (direction, port) series.
 *
 * A sampler, run once a second, copies the cumulative refused and ended counts of every series
 * into a ring of W + 1 per-second snapshots (memory: series x (W + 1) x 16 bytes, bounded because
 * the series are). The ratio is (newest - oldest refused) / (newest - oldest ended). It only reads
 * the tracker's counters.
 */
import { Counter, FIRST_ICMP_COUNTER } from '../track/counters.js';
import type { PortSelection, PortSeries } from './port-selection.js';

/** Sampler period, milliseconds. */
export const RATIO_SAMPLE_INTERVAL_MS = 1000;

/** Default window of the refusal ratio, seconds (`--ratio-window`). */
export const DEFAULT_RATIO_WINDOW_SECONDS = 60;

/** Ended attempts of a series: every outcome counter. */
function endedCount(sel: PortSelection, s: PortSeries): number {
  let n = sel.value(s, Counter.Accepted) + sel.value(s, Counter.Refused) + sel.value(s, Counter.Unanswered);
  for (let r = 0; r < 5; r++) n += sel.value(s, FIRST_ICMP_COUNTER + r);
  return n;
}

/** Per-second snapshots of refused and ended counts; see the module comment. */
export class RefusalRatioSampler {
  /** Window in whole seconds (at least 1). */
  readonly windowSeconds: number;
  private readonly slots: number;
  /** Per series (same index as PortSelection.series): refused counts, one per ring slot. */
  private readonly refused: Float64Array[] = [];
  /** Per series: ended counts, one per ring slot. */
  private readonly ended: Float64Array[] = [];
  /** The second (clock / 1000, floored) of the newest snapshot. */
  private lastSecond: number;

  /**
   * @param selection the exported series (refreshed here before each snapshot)
   * @param windowSeconds window length, seconds (rounded to whole seconds, at least 1)
   * @param nowMs the clock, milliseconds (monotonic in production; a fake one in tests)
   */
  constructor(
    private readonly selection: PortSelection,
    windowSeconds: number,
    private readonly nowMs: () => number,
  ) {
    this.windowSeconds = Math.max(1, Math.round(windowSeconds));
    this.slots = this.windowSeconds + 1;
    this.lastSecond = Math.floor(nowMs() / 1000);
    // Counts that exist before the first snapshot ended at an unknown time: fill every slot with
    // them so that they never enter a window.
    selection.refresh();
    this.grow(true);
  }

  /**
   * Adds rings for series created since the last call. A series admitted after start had no
   * attempt at the previous refresh (see port-selection.ts), so its past slots are 0; at
   * construction (`atStart`) the current counts fill every slot instead.
   */
  private grow(atStart: boolean): void {
    const series = this.selection.series;
    for (let i = this.refused.length; i < series.length; i++) {
      const r = new Float64Array(this.slots);
      const e = new Float64Array(this.slots);
      if (atStart) {
        r.fill(this.selection.value(series[i], Counter.Refused));
        e.fill(endedCount(this.selection, series[i]));
      }
      this.refused.push(r);
      this.ended.push(e);
    }
  }

  /**
   * Takes one snapshot at the clock's current second. Seconds skipped since the last snapshot (a
   * busy event loop) repeat the last snapshot; a second already sampled is overwritten.
   */
  sample(): void {
    this.selection.refresh();
    this.grow(false);
    const second = Math.floor(this.nowMs() / 1000);
    const slots = this.slots;
    const last = this.lastSecond;
    if (second > last) {
      const skipped = Math.min(second - last - 1, slots);
      const from = last % slots;
      for (let k = 1; k <= skipped; k++) {
        const to = (last + k) % slots;
        for (let i = 0; i < this.refused.length; i++) {
          this.refused[i][to] = this.refused[i][from];
          this.ended[i][to] = this.ended[i][from];
        }
      }
      this.lastSecond = second;
    }
    // A clock that went back (it should not: the production clock is monotonic) writes into the
    // newest slot, like a second sampled twice.
    const at = this.lastSecond % slots;
    const series = this.selection.series;
    for (let i = 0; i < series.length; i++) {
      this.refused[i][at] = this.selection.value(series[i], Counter.Refused);
      this.ended[i][at] = endedCount(this.selection, series[i]);
    }
  }

  /**
   * The ratio of a series over the window, or NaN when no attempt of it ended in the window (the
   * metric then leaves the series out) or it has no snapshot yet.
   */
  ratio(s: PortSeries): number {
    if (s.index >= this.refused.length) return NaN;
    const newest = this.lastSecond % this.slots;
    const oldest = (this.lastSecond + 1) % this.slots;
    const r = this.refused[s.index];
    const e = this.ended[s.index];
    const ended = e[newest] - e[oldest];
    return ended > 0 ? (r[newest] - r[oldest]) / ended : NaN;
  }
}
