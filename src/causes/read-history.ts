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
    this.thin();
    let drop = Math.max(0, this.reads.length - this.maxReads);
    while (drop < this.reads.length - 1 && this.reads[drop].takenAtMs < nowMs - this.historyMs) drop++;
    if (drop > 0) {
      this.reads.splice(0, drop);
      this.ids.splice(0, drop);
    }
  }

  /** The read that just left the recent ones goes when it is within `thinMs` of the older one kept before it. */
  private thin(): void {
    const at = this.reads.length - RECENT_READS - 1;
    if (at < 1) return;
    if (this.reads[at].takenAtMs - this.reads[at - 1].takenAtMs >= this.thinMs) return;
    this.reads.splice(at, 1);
    this.ids.splice(at, 1);
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

  /** Absolute index of the last read kept that ended at or before `ms`; one not kept (-1 before any read) when there is none. */
  atOrBefore(ms: number): number {
    const r = this.reads;
    let i = r.length - 1;
    while (i >= 0 && seenAtMs(r[i]) > ms) i--;
    if (i >= 0) return this.ids[i];
    return r.length > 0 ? this.ids[0] - 1 : -1;
  }

  /** Absolute index of the first read kept that started after `ms` (the next read when none is yet). */
  after(ms: number): number {
    const r = this.reads;
    let i = r.length;
    while (i > 0 && r[i - 1].takenAtMs > ms) i--;
    return i < r.length ? this.ids[i] : this.count;
  }
}
