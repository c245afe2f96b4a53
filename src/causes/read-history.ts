/**
 * The kernel-state reads the cause engine keeps (one a second, from the daemon's timer), each
 * with its absolute index (reads made before it), for the `before` and `after` reads of a failure
 * (failure-causes.ts).
 *
 * Bounded by construction, whatever the history asked for: the last RECENT_READS reads are all
 * kept; older ones, within `historyMs`, one per `historyMs / RECENT_READS` (an attempt unanswered
 * after more than RECENT_READS seconds is classified from the reads nearest its SYN, within that
 * step); and never more than `maxReadsFor(historyMs)` (a clock stepping back must not keep them
 * all). A read whose listeners are those of the read before it keeps that read's list instead of
 * its own: a history of a quiet namespace costs one list.
 */
import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
import type { Listener } from '../kernel/listeners.js';

/** Reads kept at one a second, the most recent. */
export const RECENT_READS = 128;

/** Reads kept at most for a history of `historyMs`. */
export function maxReadsFor(historyMs: number): number {
  return Math.min(Math.ceil(historyMs / 1000) * 2 + 16, 2 * RECENT_READS + 16);
}

/** When a read's state was seen: the end of the read (its start when unknown). */
export function seenAtMs(s: KernelStateSnapshot): number {
  return s.doneAtMs ?? s.takenAtMs;
}

/** True when two listener lists hold the same sockets in the same state, in the same order. */
function sameListeners(a: readonly Listener[], b: readonly Listener[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x.inode !== y.inode ||
      x.port !== y.port ||
      x.acceptQueue !== y.acceptQueue ||
      x.backlog !== y.backlog ||
      x.address !== y.address ||
      x.family !== y.family ||
      x.v6only !== y.v6only ||
      x.v6onlySource !== y.v6onlySource ||
      x.uid !== y.uid
    )
      return false;
  }
  return true;
}

/** See the module comment. */
export class ReadHistory {
  /** Reads kept, oldest first, and the absolute index of each. */
  private readonly reads: KernelStateSnapshot[] = [];
  private readonly ids: number[] = [];
  /**
   * When each kept read was seen (`seenAtMs`) and taken, ms, beside `reads`: the searches, run for
   * every failure, compare numbers in arrays, not fields of the snapshots.
   */
  private readonly seenMs: number[] = [];
  private readonly takenMs: number[] = [];
  /** Reads made so far (the absolute index of the next). */
  count = 0;
  private readonly maxReads: number;
  /** Least time between two kept reads older than the recent ones, ms. */
  private readonly thinMs: number;

  /** @param historyMs how long reads are kept, ms */
  constructor(private readonly historyMs: number) {
    this.maxReads = maxReadsFor(historyMs);
    this.thinMs = historyMs / RECENT_READS;
  }

  /** Reads kept now. */
  get kept(): number {
    return this.reads.length;
  }

  /** The latest read, if any. */
  get latest(): KernelStateSnapshot | undefined {
    return this.reads[this.reads.length - 1];
  }

  /** Keeps read `s` (taken at `nowMs`) and lets go of those the bounds leave out. */
  add(s: KernelStateSnapshot, nowMs: number): void {
    const prev = this.latest;
    if (prev !== undefined && sameListeners(prev.listeners, s.listeners)) s.listeners = prev.listeners;
    this.reads.push(s);
    this.ids.push(this.count++);
    this.seenMs.push(seenAtMs(s));
    this.takenMs.push(s.takenAtMs);
    this.thin();
    let drop = Math.max(0, this.reads.length - this.maxReads);
    while (drop < this.reads.length - 1 && this.takenMs[drop] < nowMs - this.historyMs) drop++;
    if (drop > 0) this.removeReads(0, drop);
  }

  /** The read that just left the recent ones goes when it is within `thinMs` of the older one kept before it. */
  private thin(): void {
    const at = this.reads.length - RECENT_READS - 1;
    if (at < 1) return;
    if (this.takenMs[at] - this.takenMs[at - 1] >= this.thinMs) return;
    this.removeReads(at, 1);
  }

  /** Lets go of `n` kept reads from position `at`. */
  private removeReads(at: number, n: number): void {
    this.reads.splice(at, n);
    this.ids.splice(at, n);
    this.seenMs.splice(at, n);
    this.takenMs.splice(at, n);
  }

  /** The read with absolute index `index`, if kept. */
  get(index: number): KernelStateSnapshot | undefined {
    let lo = 0;
    let hi = this.ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const id = this.ids[mid];
      if (id === index) return this.reads[mid];
      if (id < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /**
   * Absolute index of the last read kept that ended at or before `times[at]` (ms); one not kept (-1
   * before any read) when there is none. The time is read from the caller's array, not handed over:
   * this runs for every failure, and a double handed to a call V8 does not inline is boxed.
   */
  atOrBefore(times: Readonly<Float64Array>, at: number): number {
    const ms = times[at];
    const seen = this.seenMs;
    let i = seen.length - 1;
    while (i >= 0 && seen[i] > ms) i--;
    if (i >= 0) return this.ids[i];
    return seen.length > 0 ? this.ids[0] - 1 : -1;
  }

  /** Absolute index of the first read kept that started after `times[at]` (ms; the next read when none is yet); as `atOrBefore`, the time is read from the array. */
  after(times: Readonly<Float64Array>, at: number): number {
    const taken = this.takenMs;
    const ms = times[at];
    let i = taken.length;
    while (i > 0 && taken[i - 1] > ms) i--;
    return i < taken.length ? this.ids[i] : this.count;
  }
}
