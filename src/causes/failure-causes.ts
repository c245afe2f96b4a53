/**
 * Live cause classification (issue 5). A consumer of the tracker's failure events (refused,
 * icmpRejected, unanswered, earlyReset: track/attempt-events.ts), reading the attempt through the
 * table's read-only view; inbound failures wait here until the kernel-state read that follows them exists, then are
 * classified (classify.ts) from the two reads around the attempt, and counted by
 * (port, outcome, cause). The daemon's timer feeds the reads, once a second; nothing here reads
 * the kernel, and nothing here runs for a packet that is not a failure.
 *
 * Which reads: `before` is the last read that ended at or before the first SYN (the state at the
 * time of the attempt); `after` is the first read started after the answer (after the first SYN
 * for an unanswered attempt, whose outcome is only known at the timeout). A failure waits at
 * most `maxWaitMs` for its `after` read; past that it is decided from `before` alone.
 *
 * Failures with the same outcome, port, server address, suspect flag and reads are one group,
 * classified once: a flood of refusals costs a comparison per failure, not a classification; a
 * scan (every failure different) costs a lookup in the read's per-port index per failure.
 * Until its group is decided a failure counts as pending, so at every moment, per port and
 * outcome, the causes plus the pending add up to the tracker's count of inbound failures.
 *
 * Memory is fixed by construction, whatever the traffic (docs/live.md "Memory"): the counts in
 * columns indexed by port (cause-counts.ts), the waiting groups in a ring of `maxPendingGroups`
 * slots (failure-groups.ts), the evidence of the last 4096 ports (cause-evidence.ts), and the
 * reads of the last `historyMs`, thinned beyond the last 128 (read-history.ts).
 */
import { AttemptEventsBase, FAILURE_KIND_NAMES, FailureKind } from '../track/attempt-events.js';
import type { AttemptView } from '../track/attempt-view.js';
import { Direction } from '../track/direction.js';
import { formatAddress } from '../net/address.js';
import type { SuspectEvidence, SuspectListener } from '../detect/detector.js';
import { CAUSES, classifyFailure, queueFull, type Cause, type FailureOutcome } from './classify.js';
import { CAUSE_COUNT, CauseCounts, OUTCOME_COUNT } from './cause-counts.js';
import { CauseEvidenceStore } from './cause-evidence.js';
import { FailureGroups } from './failure-groups.js';
import { ReadHistory } from './read-history.js';
import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
import type { TcpExtCounters } from '../kernel/netstat.js';
import type { Listener } from '../kernel/listeners.js';
import type { SocketOwner } from '../kernel/sockets-to-processes.js';

export { CAUSE_COUNT, OUTCOME_COUNT } from './cause-counts.js';
export type { CauseEvidence } from './cause-evidence.js';
export { maxReadsFor } from './read-history.js';

/** Indexes in FailureCauses' `times`: the failure's time, its first SYN's. */
const AT = 0;
const SYN = 1;

/** Default time a failure waits for the read after it, ms. */
export const DEFAULT_MAX_WAIT_MS = 3000;
/** Default number of failure groups waiting at once (the ring's slots). */
export const DEFAULT_MAX_PENDING_GROUPS = 65_536;
/** How close after the first SYN a read may stand in for the state at the attempt, ms. */
const STAND_IN_MS = 2000;
/** Ports `report()` lists at most, by default. */
export const DEFAULT_REPORT_PORTS = 1000;

/** One port's failures by outcome and cause (`report()`). */
export interface PortCauses {
  port: number;
  outcomes: { outcome: FailureOutcome; count: number; pending: number; causes: { cause: Cause; count: number; evidence: string; last_seen: string }[] }[];
  /** Most recent failure on the port, ISO time ('' when its evidence is no longer kept). */
  last_seen: string;
}

/** What the daemon tells `rstwatch diagnose` (GET /api/v1/causes). */
export interface CausesReport {
  taken_at: string;
  /** Kernel-state reads made so far, and the time of the latest (null before the first). */
  kernel_reads: number;
  last_read: string | null;
  /** Parts the latest read could not see (what, message). */
  read_errors: { what: string; message: string }[];
  /** Ports with inbound failures in all; `ports` may hold fewer (asked for, or the limit). */
  ports_with_failures: number;
  /** Failures decided with no kernel read after them (reads stalled, just started, too many waiting). */
  decided_from_one_read: number;
  /** Refusals found suspect after their cause was decided (their cause stays). */
  late_suspects: number;
  /** Ports whose evidence was dropped to keep the last 4096 (their counts stay). */
  evidence_evictions: number;
  /** Ports with inbound failures, most recent first. */
  ports: PortCauses[];
}

/** Settings of FailureCauses. */
export interface FailureCausesOptions {
  /** How long reads are kept, ms: at least the attempt timeout plus a few seconds. */
  historyMs: number;
  /** Longest wait for the read after a failure, ms (default 3000). */
  maxWaitMs?: number;
  /** Groups waiting at once (default 65536); beyond it the oldest is decided now. */
  maxPendingGroups?: number;
}

/**
 * Sum of the counters that say the SYN queue overflowed; null when none is printed. With
 * tcp_syncookies=2 every SYN is answered with a cookie, so the cookie counters rise with normal
 * traffic: only TCPReqQFullDrop says anything then.
 */
function synQueueDrops(t: TcpExtCounters | null, cookiesAlways: boolean): number | null {
  if (t === null) return null;
  const parts = (cookiesAlways ? [t.reqQFullDrop] : [t.reqQFullDrop, t.reqQFullDoCookies, t.syncookiesSent]).filter((v): v is number => v !== null);
  return parts.length === 0 ? null : parts.reduce((a, b) => a + b, 0);
}

/** True when the counter rose between the reads, false when it did not, undefined when either is unknown. */
function rising(before: number | null | undefined, after: number | null | undefined): boolean | undefined {
  if (before === null || before === undefined || after === null || after === undefined) return undefined;
  return after > before;
}

/** A read's listeners indexed for the classifier: by port, and the ports with connections queued or a full queue. */
interface ReadIndex {
  /** null when the listeners could not be read. */
  byPort: Map<number, Listener[]> | null;
  queued: Set<number>;
  full: Set<number>;
}

function indexRead(listeners: readonly Listener[]): ReadIndex {
  const byPort = new Map<number, Listener[]>();
  const queued = new Set<number>();
  const full = new Set<number>();
  for (const l of listeners) {
    let a = byPort.get(l.port);
    if (a === undefined) byPort.set(l.port, (a = []));
    a.push(l);
    if (l.acceptQueue > 0) queued.add(l.port);
    if (queueFull(l) === true) full.add(l.port);
  }
  return { byPort, queued, full };
}

/** True when `set` holds a port other than `port`. */
function hasOther(set: ReadonlySet<number>, port: number): boolean {
  return set.size > 1 || (set.size === 1 && !set.has(port));
}

/** No listeners on a port (shared). */
const NO_LISTENERS: readonly Listener[] = Object.freeze([]);

/** The index of a read whose listeners could not be read. */
const UNREADABLE_INDEX: ReadIndex = { byPort: null, queued: new Set(), full: new Set() };

/**
 * Counts inbound failures by cause; see the module comment. It is also the reset detector's
 * listener (pipeline/build.ts wires it): the detector, before it in the events chain, tells it
 * whether the refusal about to be counted is suspect, and of refusals found suspect later.
 */
export class FailureCauses extends AttemptEventsBase implements SuspectListener {
  /** `outcome` label values, by FailureKind (the metrics read the engine as a CauseSource). */
  readonly outcomeNames = FAILURE_KIND_NAMES;
  /** `cause` label values, by index. */
  readonly causeNames = CAUSES;
  private readonly view: AttemptView;
  /** The server address of the failure being counted (the view copies it here). */
  private readonly server = new Uint32Array(4);
  /** The server address last formatted, and its text ('' before the first). */
  private readonly lastServer = new Uint32Array(4);
  private lastServerText = '';
  /** The failure being counted: what groups it (its server is in `server`). */
  private readonly failure = { kind: 0, port: 0, suspect: 0, before: 0, after: 0 };
  /** The failure being counted: its time and its first SYN's, ms (at AT and SYN). */
  private readonly times = new Float64Array(2);
  /** True between the detector flagging a refusal as it judges it and the `refused` event that follows. */
  private refusalSuspect = false;
  private readonly historyMs: number;
  private readonly maxWaitMs: number;
  private readonly counts = new CauseCounts();
  private readonly groups: FailureGroups;
  /** Groups with failures not decided yet. */
  private liveGroups = 0;
  /** The slot of the group the last failure joined, or -1. */
  private last = -1;
  /** The kernel reads kept (read-history.ts). */
  private readonly history: ReadHistory;
  /** A read's listeners indexed, by the list (reads whose listeners did not change share it). */
  private readonly indexes = new WeakMap<readonly Listener[], ReadIndex>();
  private readonly evidence = new CauseEvidenceStore();
  /** The last decision and the slot of its group; `slot` -1 once that group's fields or the reads may have changed. */
  private readonly decided = { slot: -1, cause: 0, evidence: '', fromOneRead: false };
  /** Failures decided with no read after them (reads stalled, rstwatch just started, too many waiting). */
  decidedFromOneRead = 0;
  /** Refusals found suspect only after their cause was decided (their cause stays). */
  lateSuspects = 0;

  constructor(view: AttemptView, options: FailureCausesOptions) {
    super();
    this.view = view;
    this.historyMs = options.historyMs;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.groups = new FailureGroups(options.maxPendingGroups ?? DEFAULT_MAX_PENDING_GROUPS);
    this.history = new ReadHistory(this.historyMs);
  }

  /** Reads made so far. */
  get readCount(): number {
    return this.history.count;
  }

  /** Reads kept now (at most `maxReadsFor(historyMs)`: read-history.ts). */
  get readsKept(): number {
    return this.history.kept;
  }

  /** The latest read, if any. */
  get latestRead(): KernelStateSnapshot | undefined {
    return this.history.latest;
  }

  /** Ports whose evidence was dropped to keep the last 4096 (their counts stay). */
  get evidenceEvictions(): number {
    return this.evidence.evictions;
  }

  /** Columns of counts allocated (each 512 KiB: cause-counts.ts). */
  get countColumns(): number {
    return this.counts.columnCount;
  }

  override refused(slot: number): void {
    const suspect = this.refusalSuspect;
    this.refusalSuspect = false;
    this.failed(FailureKind.Refused, slot, suspect);
  }

  override icmpRejected(slot: number): void {
    this.failed(FailureKind.IcmpRejected, slot, false);
  }

  override unanswered(slot: number): void {
    this.failed(FailureKind.Unanswered, slot, false);
  }

  override earlyReset(slot: number): void {
    this.failed(FailureKind.EarlyReset, slot, false);
  }

  /**
   * SuspectListener: the detector flagged a refusal. Flagged as it was judged (`atRefusal`): the
   * `refused` event that follows counts it suspect. Flagged later, for the first time, inbound: see
   * `refusalFoundSuspect`.
   */
  suspectReset(e: SuspectEvidence): void {
    if (e.atRefusal) this.refusalSuspect = true;
    else if (e.firstFlag && e.direction === Direction.Inbound) this.refusalFoundSuspect(e.server, e.serverPort, e.ts);
  }

  /** A failure the tracker just counted, as `kind` (a FailureKind), now; only inbound ones are classified. */
  private failed(kind: number, slot: number, suspect: boolean): void {
    const v = this.view;
    if (v.direction(slot) !== Direction.Inbound) return;
    const f = this.failure;
    f.kind = kind;
    f.port = v.serverPort(slot);
    f.suspect = suspect ? 1 : 0;
    v.server(slot, this.server);
    // Times stay in `times` (ms): no double is handed to a call here, the packet path of a flood.
    const t = this.times;
    t[AT] = v.clock[0] * 1000;
    v.firstSyn(slot, t, SYN);
    t[SYN] *= 1000;
    f.before = this.readAtOrBefore(SYN);
    // The first read started after the answer; for an unanswered attempt, after its first SYN (the
    // read right after `before` may have started before the SYN, and ended after it).
    f.after = this.readAfter(kind === FailureKind.Unanswered ? SYN : AT);
    let g = this.last;
    if (g < 0 || !this.joins(g)) g = this.openGroup();
    const gs = this.groups;
    if (gs.count[g] === 0) this.liveGroups++;
    gs.count[g]++;
    gs.atMs[g] = t[AT];
    this.counts.addPending(f.port, kind, 1);
    // Its reads already exist (an unanswered attempt, told at the timeout): decide now. The group
    // stays the last one, so the next failure like it is counted and decided the same way.
    if (f.after < this.readCount) this.decide(g);
  }

  /** True when the failure being counted (`failure`, its server in `server`) belongs to group `g`. */
  private joins(g: number): boolean {
    const gs = this.groups;
    const f = this.failure;
    const w = g * 4;
    const a = this.server;
    return (
      gs.kind[g] === f.kind &&
      gs.port[g] === f.port &&
      gs.suspect[g] === f.suspect &&
      gs.before[g] === f.before &&
      gs.after[g] === f.after &&
      gs.server[w + 3] === a[3] &&
      gs.server[w + 2] === a[2] &&
      gs.server[w + 1] === a[1] &&
      gs.server[w] === a[0]
    );
  }

  /**
   * A group for the failure being counted, unlike the last one: the newest group again when it was
   * decided at once (unanswered attempts, a scan), so that a run of distinct failures never fills
   * the ring; else a new slot, deciding the oldest groups first while the ring is full.
   */
  private openGroup(): number {
    const gs = this.groups;
    const f = this.failure;
    let g = this.last;
    if (g < 0 || g !== gs.newest() || gs.count[g] !== 0) {
      while (gs.length >= gs.capacity) this.decideOldest();
      g = gs.push();
      this.last = g;
    }
    this.decided.slot = -1; // g's fields change (it may even be the slot just decided)
    gs.kind[g] = f.kind;
    gs.port[g] = f.port;
    gs.server.set(this.server, g * 4);
    gs.suspect[g] = f.suspect;
    gs.before[g] = f.before;
    gs.after[g] = f.after;
    gs.synMs[g] = this.times[SYN];
    return g;
  }

  /** Takes the oldest group off the ring and decides it now. */
  private decideOldest(): void {
    const g = this.groups.shift();
    if (g === this.last) this.last = -1;
    this.decide(g);
  }

  /**
   * The detector found a refusal suspect after it was counted (reset_race on the server's late
   * SYN-ACK, seq_burst on a later RST): server address `server` (four words), port `port`. While
   * that refusal waits for its read it moves to a suspect group; once decided, its cause stays
   * (counted in `lateSuspects`).
   */
  refusalFoundSuspect(server: ArrayLike<number>, port: number, ts: number): void {
    const gs = this.groups;
    let from = -1;
    for (let i = gs.length - 1; i >= 0 && from < 0; i--) {
      const g = gs.slot(i);
      const w = g * 4;
      if (gs.count[g] === 0 || gs.kind[g] !== FailureKind.Refused || gs.suspect[g] === 1 || gs.port[g] !== port) continue;
      if (gs.server[w] === server[0] && gs.server[w + 1] === server[1] && gs.server[w + 2] === server[2] && gs.server[w + 3] === server[3]) from = g;
    }
    // A full ring decides its oldest group first: when that is the refusal's own, it was decided.
    while (from >= 0 && gs.length >= gs.capacity) {
      if (gs.slot(0) === from) from = -1;
      this.decideOldest();
    }
    if (from < 0) {
      this.lateSuspects++;
      return;
    }
    // Still pending: the port's pending count is unchanged, the failure only changes group.
    this.decided.slot = -1;
    const moved = gs.push();
    gs.copy(from, moved);
    gs.suspect[moved] = 1;
    gs.atMs[moved] = ts * 1000;
    gs.count[moved] = 1;
    gs.count[from]--;
    if (gs.count[from] > 0) this.liveGroups++;
  }

  /** A new kernel-state read: kept (read-history.ts), and the failures it was waiting for are decided. */
  addRead(s: KernelStateSnapshot, nowMs = s.takenAtMs): void {
    this.history.add(s, nowMs);
    this.decided.slot = -1;
    this.settle(nowMs);
  }

  /** Decides every group whose `after` read exists, and those that waited longer than maxWaitMs. */
  settle(nowMs: number): void {
    const total = this.readCount;
    const gs = this.groups;
    // Groups are in arrival order; `after` is non-decreasing for refusals but not for unanswered
    // attempts, so walk all of them (they are few: one per port, outcome and second).
    let last = -1;
    gs.retain(
      (g) => {
        if (gs.count[g] === 0 || gs.after[g] < total || nowMs - gs.atMs[g] > this.maxWaitMs) {
          this.decide(g);
          return false;
        }
        if (g === this.last) last = g;
        return true;
      },
      (from, to) => {
        if (from === last) last = to;
      },
    );
    this.last = last;
    this.decided.slot = -1; // groups moved to other slots
  }

  /** Count of `cause` for (port, outcome), decided so far. */
  get(port: number, outcome: number, cause: number): number {
    return this.counts.get(port, outcome, cause);
  }

  /** Count of `cause` for `outcome` over every port. */
  total(outcome: number, cause: number): number {
    return this.counts.total(outcome, cause);
  }

  /** Failures of `outcome` over every port not decided yet. */
  pendingTotal(outcome: number): number {
    return this.counts.pendingTotal(outcome);
  }

  /** Failures of (port, outcome) not decided yet. */
  pending(port: number, outcome: number): number {
    return this.counts.pending(port, outcome);
  }

  /**
   * Everything decided and pending, per port, for `rstwatch diagnose` to ask: the ports in
   * `only` (all when empty), most recent first, at most `limit` of them. Evidence is kept for the
   * 4096 ports with the most recent failures; older ones keep their counts, without evidence.
   * Only the ports listed are built: a report after a scan costs the sort of the ports, not an
   * object per port.
   */
  report(nowMs = Date.now(), only: readonly number[] = [], limit = DEFAULT_REPORT_PORTS): CausesReport {
    const latest = this.latestRead;
    const counts = this.counts;
    const ports = only.length > 0 ? [...new Set(only)].filter((p) => counts.failed(p)) : Array.from(counts.failedPorts.subarray(0, counts.failedPortCount));
    const lastSeen = new Map<number, number>();
    for (const p of ports) lastSeen.set(p, this.evidence.lastSeenMs(p));
    const gs = this.groups;
    for (let i = 0; i < gs.length; i++) {
      const g = gs.slot(i);
      const seen = lastSeen.get(gs.port[g]);
      if (gs.count[g] > 0 && seen !== undefined && gs.atMs[g] > seen) lastSeen.set(gs.port[g], gs.atMs[g]);
    }
    const seenOf = (p: number): number => lastSeen.get(p) ?? 0;
    ports.sort((a, b) => seenOf(b) - seenOf(a) || a - b);
    return {
      taken_at: new Date(nowMs).toISOString(),
      kernel_reads: this.readCount,
      last_read: latest === undefined ? null : new Date(latest.takenAtMs).toISOString(),
      read_errors: latest?.errors ?? [],
      ports_with_failures: counts.failedPortCount,
      decided_from_one_read: this.decidedFromOneRead,
      late_suspects: this.lateSuspects,
      evidence_evictions: this.evidence.evictions,
      ports: ports.slice(0, limit).map((p) => this.portCauses(p, seenOf(p))),
    };
  }

  /** One port's failures by outcome and cause, most frequent cause first. */
  private portCauses(port: number, lastSeenMs: number): PortCauses {
    const outcomes: PortCauses['outcomes'] = [];
    for (let o = 0; o < OUTCOME_COUNT; o++) {
      const causes: PortCauses['outcomes'][number]['causes'] = [];
      let count = 0;
      for (let c = 0; c < CAUSE_COUNT; c++) {
        const n = this.get(port, o, c);
        if (n === 0) continue;
        count += n;
        const e = this.evidence.get(port, o * CAUSE_COUNT + c);
        causes.push({ cause: CAUSES[c], count: n, evidence: e?.evidence ?? '', last_seen: e === undefined ? '' : new Date(e.lastSeenMs).toISOString() });
      }
      const pending = this.pending(port, o);
      if (count + pending === 0) continue;
      causes.sort((a, b) => b.count - a.count);
      outcomes.push({ outcome: FAILURE_KIND_NAMES[o], count: count + pending, pending, causes });
    }
    return { port, outcomes, last_seen: lastSeenMs > 0 ? new Date(lastSeenMs).toISOString() : '' };
  }

  /** Absolute index of the last read taken at or before `times[which]` (ms). */
  private readAtOrBefore(which: number): number {
    return this.history.atOrBefore(this.times, which);
  }

  /** Absolute index of the first read taken after `times[which]` (ms; the next read when none is yet). */
  private readAfter(which: number): number {
    return this.history.after(this.times, which);
  }

  private read(index: number): KernelStateSnapshot | undefined {
    return this.history.get(index);
  }

  /**
   * Classifies group `g`'s failures, counts them, and takes them off the pending counts. A group
   * decided again with nothing changed since (the newest group, reused by a run of failures like
   * it whose reads exist: a flood of unanswered SYNs at their timeout) reuses its decision.
   */
  private decide(g: number): void {
    const gs = this.groups;
    const n = gs.count[g];
    if (n === 0) return;
    this.liveGroups--;
    if (g !== this.decided.slot) this.classifyGroup(g);
    const d = this.decided;
    gs.count[g] = 0;
    const kind = gs.kind[g];
    if (d.fromOneRead && kind !== FailureKind.IcmpRejected && gs.suspect[g] === 0) this.decidedFromOneRead += n;
    this.counts.decide(gs.port[g], kind, d.cause, n);
    this.evidence.remember(gs.port[g], kind * CAUSE_COUNT + d.cause, d.evidence, gs.atMs, g);
  }

  /** Classifies group `g` from its reads into `decided`. */
  private classifyGroup(g: number): void {
    const gs = this.groups;
    let before = this.read(gs.before[g]);
    let after = this.read(gs.after[g]);
    // No read before the attempt (rstwatch had just started, or the read is no longer kept): the
    // read just after it stands for the state at the time only when it came within 2 s.
    if (before === undefined && after !== undefined && after.takenAtMs - gs.synMs[g] <= STAND_IN_MS) {
      before = after;
      after = undefined;
    }
    const c = this.classify(g, before, after);
    const d = this.decided;
    d.slot = g;
    d.cause = CAUSES.indexOf(c.cause);
    d.evidence = c.evidence;
    d.fromOneRead = after === undefined;
  }

  private classify(g: number, before: KernelStateSnapshot | undefined, after: KernelStateSnapshot | undefined): { cause: Cause; evidence: string } {
    const gs = this.groups;
    const outcome = FAILURE_KIND_NAMES[gs.kind[g]];
    const port = gs.port[g];
    const suspect = gs.suspect[g] === 1;
    const serverAddress = this.serverText(g);
    if (before === undefined) {
      if (outcome === 'icmp_rejected' || suspect) {
        return classifyFailure({
          outcome,
          serverAddress,
          port,
          suspect,
          listeners: null,
          owners: new Map(),
          listenOverflowsRising: undefined,
          synQueueOverflowing: undefined,
        });
      }
      return { cause: 'unknown', evidence: 'no kernel-state read was kept from the time of the attempt' };
    }
    const bi = this.index(before);
    const ai = after === undefined ? undefined : this.index(after);
    let owners: ReadonlyMap<number, readonly SocketOwner[]> = before.owners;
    if (after !== undefined && after.owners.size > 0) {
      const merged = new Map<number, SocketOwner[]>(before.owners);
      for (const [inode, o] of after.owners) merged.set(inode, o);
      owners = merged;
    }
    const cookiesAlways = before.sysctls.tcpSyncookies === 2 || after?.sysctls.tcpSyncookies === 2;
    return classifyFailure({
      outcome,
      serverAddress,
      port,
      suspect,
      // The port's own listeners (the index spares a walk over every listener per failure).
      listeners: bi.byPort === null ? null : (bi.byPort.get(port) ?? NO_LISTENERS),
      listenersAfter: ai === undefined ? undefined : ai.byPort === null ? null : (ai.byPort.get(port) ?? NO_LISTENERS),
      otherPorts: {
        queued: hasOther(bi.queued, port) || (ai !== undefined && hasOther(ai.queued, port)),
        full: hasOther(bi.full, port) || (ai !== undefined && hasOther(ai.full, port)),
      },
      owners,
      ownersUnreadable: before.unreadablePids.length > 0 || (after?.unreadablePids.length ?? 0) > 0,
      listenOverflowsRising: after === undefined ? undefined : rising(before.tcpExt?.listenOverflows, after.tcpExt?.listenOverflows),
      synQueueOverflowing: after === undefined ? undefined : rising(synQueueDrops(before.tcpExt, cookiesAlways), synQueueDrops(after.tcpExt, cookiesAlways)),
    });
  }

  /** Group `g`'s server address as text; the last one is kept (a scan's failures share their server). */
  private serverText(g: number): string {
    const w = this.groups.server;
    const k = this.lastServer;
    const at = g * 4;
    if (this.lastServerText === '' || w[at] !== k[0] || w[at + 1] !== k[1] || w[at + 2] !== k[2] || w[at + 3] !== k[3]) {
      k[0] = w[at];
      k[1] = w[at + 1];
      k[2] = w[at + 2];
      k[3] = w[at + 3];
      this.lastServerText = formatAddress(k);
    }
    return this.lastServerText;
  }

  /** A read's listeners indexed (once per list: reads that share their list share the index). */
  private index(s: KernelStateSnapshot): ReadIndex {
    if (s.errors.length > 0 && s.errors.some((e) => e.what === 'listeners')) return UNREADABLE_INDEX;
    let i = this.indexes.get(s.listeners);
    if (i === undefined) {
      i = indexRead(s.listeners);
      this.indexes.set(s.listeners, i);
    }
    return i;
  }
}
