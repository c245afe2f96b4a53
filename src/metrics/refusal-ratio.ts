/**
 * The refusal ratio over a sliding window (docs/semantics.md, "Outcomes": the refusal ratio): refused attempts divided
 * by attempts that ended (accepted + refused + ICMP-rejected + unanswered) in the last W seconds,
 * per exported (direction, port) series.
 *
 * A sampler, run once a second, copies the cumulative refused and ended counts of every series
 * into a ring of snapshots, one per step: per second for windows up to MAX_RATIO_STEPS seconds,
 * else per ceil(W / MAX_RATIO_STEPS) seconds (the window's far end then moves in steps of about a
 * 120th of it). The ratio is (newest - oldest refused) / (newest - oldest ended). Memory: series x
 * (steps + 1) x 16 bytes, at most about 2 KiB a series whatever the window (docs/live.md
 * "Memory"). It only reads the tracker's counters.
 */
import { Counter, FIRST_ICMP_COUNTER } from '../track/counters.js';
import type { PortSelection, PortSeries } from './port-selection.js';

/** Sampler period, milliseconds. */
export const RATIO_SAMPLE_INTERVAL_MS = 1000;

/** Default window of the refusal ratio, seconds (`--ratio-window`). */
export const DEFAULT_RATIO_WINDOW_SECONDS = 60;
/** Largest window, seconds (`--ratio-window`): an hour. */
export const MAX_RATIO_WINDOW_SECONDS = 3600;
/** Most steps a window is measured in: the ring holds this many + 1 snapshots per series. */
export const MAX_RATIO_STEPS = 120;
/** Bytes of one series' ring at most: (MAX_RATIO_STEPS + 1) snapshots of two counts. */
export const RATIO_RING_BYTES = (MAX_RATIO_STEPS + 1) * 2 * Float64Array.BYTES_PER_ELEMENT;

/** Ended attempts of a series: every outcome counter. */
function endedCount(sel: PortSelection, s: PortSeries): number {
  let n = sel.value(s, Counter.Accepted) + sel.value(s, Counter.Refused) + sel.value(s, Counter.Unanswered);
  for (let r = 0; r < 5; r++) n += sel.value(s, FIRST_ICMP_COUNTER + r);
  return n;
}

/** Per-step snapshots of refused and ended counts; see the module comment. */
export class RefusalRatioSampler {
  /** Window in whole seconds (at least 1). */
  readonly windowSeconds: number;
  /** Seconds per step (1 up to MAX_RATIO_STEPS seconds of window). */
  readonly stepSeconds: number;
  /** Snapshots per series' ring (at most MAX_RATIO_STEPS + 1). */
  readonly slots: number;
  /** Per series (same index as PortSelection.series): refused counts, one per ring slot. */
  private readonly refused: Float64Array[] = [];
  /** Per series: ended counts, one per ring slot. */
  private readonly ended: Float64Array[] = [];
  /** The step (clock / 1000 / stepSeconds, floored) of the newest snapshot. */
  private lastStep: number;

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
    this.stepSeconds = Math.ceil(this.windowSeconds / MAX_RATIO_STEPS);
    this.slots = Math.ceil(this.windowSeconds / this.stepSeconds) + 1;
    this.lastStep = this.stepOf(nowMs());
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

  private stepOf(ms: number): number {
    return Math.floor(ms / 1000 / this.stepSeconds);
  }

  /**
   * Takes one snapshot at the clock's current step. Steps skipped since the last snapshot (a
   * busy event loop) repeat the last snapshot; a step already sampled is overwritten.
   */
  sample(): void {
    this.selection.refresh();
    this.grow(false);
    const step = this.stepOf(this.nowMs());
    const slots = this.slots;
    const last = this.lastStep;
    if (step > last) {
      const skipped = Math.min(step - last - 1, slots);
      const from = last % slots;
      for (let k = 1; k <= skipped; k++) {
        const to = (last + k) % slots;
        for (let i = 0; i < this.refused.length; i++) {
          this.refused[i][to] = this.refused[i][from];
          this.ended[i][to] = this.ended[i][from];
        }
      }
      this.lastStep = step;
    }
    // A clock that went back (it should not: the production clock is monotonic) writes into the
    // newest slot, like a step sampled twice.
    const at = this.lastStep % slots;
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
    const newest = this.lastStep % this.slots;
    const oldest = (this.lastStep + 1) % this.slots;
    const r = this.refused[s.index];
    const e = this.ended[s.index];
    const ended = e[newest] - e[oldest];
    return ended > 0 ? (r[newest] - r[oldest]) / ended : NaN;
  }
}
