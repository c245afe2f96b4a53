/**
 * Which server ports get a metric series of their own: a bounded, stable selection per direction,
 * read from the tracker's port counters at scrape (or sample) time.
 *
 * Rules (docs/metrics.md "Bounded series"):
 * - Ports in `keepPorts` get their own series as soon as they see an attempt in a direction; they
 *   do not count against the bound.
 * - Other ports are admitted per direction, in the order they first saw an attempt, until
 *   `maxPorts` are admitted in that direction; every later port is summed under `port="other"`.
 * - Admission is for good: a selected series never goes back to "other". Because a port is
 *   admitted at the first refresh after its first attempt in a direction (or never, once the
 *   direction is full), its counts were never part of "other": other = total - sum(selected)
 *   never decreases.
 * - Only touched series exist: a port with no attempt in a direction has no series there, and
 *   "other" appears once a port without a series of its own sees an attempt.
 *
 * Cost of `refresh()`: nothing when no attempt was counted since the last call; otherwise the ports
 * first seen since then (PortCounters.seenPorts, each read once in the process' life) and a sum
 * over the selected ports. Only when a direction has attempts outside its selection does it walk
 * its waiting list: the ports seen (in any direction) that it may still admit. While it has room
 * one walk admits every such port, so it happens at most maxPorts + |keepPorts| + 1 times per
 * direction, over up to 65536 entries; once the direction is full the list holds only untouched
 * keep ports.
 */
import { Counter, PORT_COUNTERS, PORT_SPACE, type PortCounters } from '../track/counters.js';
import { DIRECTION_COUNT, DIRECTION_NAMES } from '../track/direction.js';
import { OTHER_PORT_LABEL } from './names.js';

/** The `port` value of the "other" series (every port without a series of its own). */
export const OTHER_PORT = -1;

/** Default number of port label values per direction (besides the kept ports, `--max-ports`). */
export const DEFAULT_MAX_PORTS = 100;
/**
 * Largest `--max-ports`, and most ports `--ports` may name: each port with a series of its own adds
 * about SERIES_PER_PORT series to a scrape (in each direction it is seen in), so these bound the
 * exposition, the scrape time and the ratio rings (docs/live.md "Memory").
 */
export const MAX_MAX_PORTS = 1000;
export const MAX_KEEP_PORTS = 1000;

/** One exported (direction, port) series; label objects are built once and reused every scrape. */
export interface PortSeries {
  /** Position in `PortSelection.series` (stable: series are only appended). */
  readonly index: number;
  /** Direction code. */
  readonly direction: number;
  /** Server port, or OTHER_PORT for the sum of every port without its own series. */
  readonly port: number;
  /** `{direction, port}` labels. */
  readonly labels: Readonly<{ direction: string; port: string }>;
}

/** The bounded, stable port selection; see the module comment. */
export class PortSelection {
  /**
   * Every series, in creation order: the DIRECTION_COUNT "other" series first (index = direction;
   * exported only once touched, see `otherTouched`), then selected ports in admission order.
   */
  readonly series: PortSeries[] = [];
  /** Selected port series per direction, in admission order. */
  readonly selected: PortSeries[][] = [];

  private readonly keep = new Uint8Array(PORT_SPACE);
  private readonly isSelected = new Uint8Array(DIRECTION_COUNT * PORT_SPACE);
  /** Admitted ports per direction that count against the bound (keep ports do not). */
  private readonly admitted = new Int32Array(DIRECTION_COUNT);
  /** Per direction: seen ports not yet selected there that may still be (compacted each refresh). */
  private readonly waiting: Uint16Array[] = [];
  private readonly waitingLen = new Int32Array(DIRECTION_COUNT);
  /** Attempt total per direction at the last refresh: unchanged means nothing to admit. */
  private readonly lastAttempts = new Float64Array(DIRECTION_COUNT);
  /** Entries of `ports.seenPorts` already handed to the waiting lists. */
  private cursor = 0;

  /**
   * @param ports the tracker's counters (read only)
   * @param maxPorts ports per direction admitted besides `keepPorts` (0 or more)
   * @param keepPorts ports always exported once touched
   */
  constructor(
    private readonly ports: PortCounters,
    private readonly maxPorts: number,
    keepPorts: ReadonlySet<number>,
  ) {
    for (const p of keepPorts) this.keep[p] = 1;
    for (let d = 0; d < DIRECTION_COUNT; d++) {
      this.series.push({ index: d, direction: d, port: OTHER_PORT, labels: { direction: DIRECTION_NAMES[d], port: OTHER_PORT_LABEL } });
      this.selected.push([]);
      this.waiting.push(new Uint16Array(PORT_SPACE));
    }
  }

  /** Admits ports that saw their first attempt in a direction since the last call. */
  refresh(): void {
    const pc = this.ports;
    const from = this.cursor;
    const to = pc.seenCount;
    this.cursor = to;
    for (let d = 0; d < DIRECTION_COUNT; d++) {
      const attempts = pc.total(d, Counter.Attempts);
      if (from === to && attempts === this.lastAttempts[d]) continue;
      this.lastAttempts[d] = attempts;
      const waiting = this.waiting[d];
      let len = this.waitingLen[d];
      for (let i = from; i < to; i++) {
        const p = pc.seenPorts[i];
        if (this.keep[p] === 1 || this.admitted[d] < this.maxPorts) waiting[len++] = p;
      }
      // While a direction has room every touched port in it is selected, so attempts outside the
      // selection mean a port to admit (or, once full, a folded one): only then walk the list.
      if (attempts - this.selectedSum(d, Counter.Attempts) === 0) {
        this.waitingLen[d] = len;
        continue;
      }
      let kept = 0;
      for (let i = 0; i < len; i++) {
        const p = waiting[i];
        const isKeep = this.keep[p] === 1;
        if (pc.get(d, p, Counter.Attempts) > 0) {
          if (isKeep) this.admit(d, p);
          else if (this.admitted[d] < this.maxPorts) {
            this.admitted[d]++;
            this.admit(d, p);
          }
          // else: the direction is full; the port stays in "other" for good.
        } else if (isKeep || this.admitted[d] < this.maxPorts) {
          waiting[kept++] = p;
        }
      }
      this.waitingLen[d] = kept;
    }
  }

  private admit(d: number, p: number): void {
    this.isSelected[d * PORT_SPACE + p] = 1;
    const s: PortSeries = { index: this.series.length, direction: d, port: p, labels: { direction: DIRECTION_NAMES[d], port: String(p) } };
    this.series.push(s);
    this.selected[d].push(s);
  }

  /** True when (direction, port) has a series of its own. */
  isPortSelected(direction: number, port: number): boolean {
    return this.isSelected[direction * PORT_SPACE + port] === 1;
  }

  /** Value of `counter` (a Counter index) for a series: the port's own, or the "other" sum. */
  value(s: PortSeries, counter: number): number {
    if (s.port !== OTHER_PORT) return this.ports.get(s.direction, s.port, counter);
    return this.otherValue(s.direction, counter);
  }

  /** Sum of `counter` over the ports of `direction` without a series of their own. */
  otherValue(direction: number, counter: number): number {
    return this.ports.total(direction, counter) - this.selectedSum(direction, counter);
  }

  /** Sum of `counter` over the selected ports of `direction`. */
  private selectedSum(direction: number, counter: number): number {
    const values = this.ports.values;
    const sel = this.selected[direction];
    let sum = 0;
    for (let i = 0; i < sel.length; i++) sum += values[(direction * PORT_SPACE + sel[i].port) * PORT_COUNTERS + counter];
    return sum;
  }

  /** True when the "other" series of `direction` has been touched (a port in it saw an attempt). */
  otherTouched(direction: number): boolean {
    return this.otherValue(direction, Counter.Attempts) > 0;
  }

  /**
   * Calls `fn` for every exported series: per direction, its selected ports in admission order,
   * then its "other" series when touched.
   */
  forEachExported(fn: (s: PortSeries) => void): void {
    for (let d = 0; d < DIRECTION_COUNT; d++) {
      const sel = this.selected[d];
      for (let i = 0; i < sel.length; i++) fn(sel[i]);
      if (this.otherTouched(d)) fn(this.series[d]);
    }
  }
}
