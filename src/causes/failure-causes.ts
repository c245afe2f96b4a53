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
 */
import { AttemptEventsBase, FAILURE_KIND_NAMES, FailureKind } from '../track/attempt-events.js';
import type { AttemptView } from '../track/attempt-view.js';
import { Direction } from '../track/direction.js';
import { formatAddress } from '../net/address.js';
import type { DecodedPacket } from '../wire/decoded-packet.js';
import type { SuspectEvidence, SuspectListener } from '../detect/detector.js';
import { CAUSES, classifyFailure, queueFull, type Cause, type FailureOutcome } from './classify.js';
import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
import type { TcpExtCounters } from '../kernel/netstat.js';
import type { Listener } from '../kernel/listeners.js';
import type { SocketOwner } from '../kernel/sockets-to-processes.js';

/** Outcomes (FailureKind order). */
export const OUTCOME_COUNT = FAILURE_KIND_NAMES.length;
/** Causes (CAUSES order). */
export const CAUSE_COUNT = CAUSES.length;
/** Default time a failure waits for the read after it, ms. */
export const DEFAULT_MAX_WAIT_MS = 3000;
/** Default number of failure groups waiting at once. */
export const DEFAULT_MAX_PENDING_GROUPS = 65_536;
/** How close after the first SYN a read may stand in for the state at the attempt, ms. */
const STAND_IN_MS = 2000;
/** Ports `report()` lists at most, by default. */
export const DEFAULT_REPORT_PORTS = 1000;
/** Ports whose last evidence is kept for `report()`. */
const MAX_EVIDENCE_PORTS = 4096;

/** Failures that share everything the classification depends on. */
interface Group {
  kind: number;
  port: number;
  w0: number;
  w1: number;
  w2: number;
  w3: number;
  suspect: boolean;
  /** Absolute index of the `before` read (-1: none yet) and of the `after` read (may not exist yet). */
  before: number;
  after: number;
  /** Capture time of the first SYN of the group's first failure, ms. */
  synMs: number;
  /** Capture time of the group's latest failure, ms. */
  atMs: number;
  count: number;
  /** The port's pending counts (`pendingCounts.get(port)` while the group has failures). */
  pending: Float64Array | null;
}

/** The last evidence of one (port, outcome, cause); its count is in the counts. */
export interface CauseEvidence {
  evidence: string;
  lastSeenMs: number;
}

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

/** When a read's state was seen: the end of the read (its start when unknown). */
function seenAtMs(s: KernelStateSnapshot): number {
  return s.doneAtMs ?? s.takenAtMs;
}

/** A read's listeners indexed for the classifier: by port, and the ports with connections queued or a full queue. */
interface ReadIndex {
  /** null when the listeners could not be read. */
  byPort: Map<number, Listener[]> | null;
  queued: Set<number>;
  full: Set<number>;
}

function indexRead(s: KernelStateSnapshot): ReadIndex {
  if (s.errors.some((e) => e.what === 'listeners')) return { byPort: null, queued: new Set(), full: new Set() };
  const byPort = new Map<number, Listener[]>();
  const queued = new Set<number>();
  const full = new Set<number>();
  for (const l of s.listeners) {
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
  /** True between the detector flagging a refusal as it judges it and the `refused` event that follows. */
  private refusalSuspect = false;
  private readonly historyMs: number;
  private readonly maxWaitMs: number;
  private readonly maxPendingGroups: number;
  /** port -> counts at [outcome * CAUSE_COUNT + cause]. */
  private readonly counts = new Map<number, Float64Array>();
  /** Sums over every port, same layout. */
  private readonly totals = new Float64Array(OUTCOME_COUNT * CAUSE_COUNT);
  /** port -> failures waiting, by outcome. */
  private readonly pendingCounts = new Map<number, Float64Array>();
  private readonly pendingTotals = new Float64Array(OUTCOME_COUNT);
  private readonly groups: Group[] = [];
  private groupsHead = 0;
  /** Groups with failures not decided yet. */
  private liveGroups = 0;
  private last: Group | null = null;
  /** Reads kept, oldest first; `reads[i]` has absolute index `firstRead + i`. */
  private readonly reads: KernelStateSnapshot[] = [];
  private firstRead = 0;
  /** Reads kept at most, whatever their times say (a clock stepping back must not keep them all). */
  private readonly maxReads: number;
  private readonly indexes = new WeakMap<KernelStateSnapshot, ReadIndex>();
  /** port -> `${outcome} ${cause}` -> last evidence; ports in least-recent-first order. */
  private readonly evidence = new Map<number, Map<string, CauseEvidence>>();
  /** Failures decided with no read after them (reads stalled, rstwatch just started, too many waiting). */
  decidedFromOneRead = 0;
  /** Refusals found suspect only after their cause was decided (their cause stays). */
  lateSuspects = 0;
  /** Ports whose evidence was dropped to keep MAX_EVIDENCE_PORTS (their counts stay). */
  evidenceEvictions = 0;

  constructor(view: AttemptView, options: FailureCausesOptions) {
    super();
    this.view = view;
    this.historyMs = options.historyMs;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxPendingGroups = options.maxPendingGroups ?? DEFAULT_MAX_PENDING_GROUPS;
    this.maxReads = Math.ceil(this.historyMs / 1000) * 2 + 16;
  }

  /** Reads made so far. */
  get readCount(): number {
    return this.firstRead + this.reads.length;
  }

  /** The latest read, if any. */
  get latestRead(): KernelStateSnapshot | undefined {
    return this.reads[this.reads.length - 1];
  }

  override refused(slot: number, _p: DecodedPacket, _direction: number, ts: number): void {
    const suspect = this.refusalSuspect;
    this.refusalSuspect = false;
    this.failed(FailureKind.Refused, slot, ts, suspect);
  }

  override icmpRejected(slot: number, _p: DecodedPacket, _direction: number, ts: number): void {
    this.failed(FailureKind.IcmpRejected, slot, ts, false);
  }

  override unanswered(slot: number, _direction: number, ts: number): void {
    this.failed(FailureKind.Unanswered, slot, ts, false);
  }

  override earlyReset(slot: number, _p: DecodedPacket, _direction: number, ts: number): void {
    this.failed(FailureKind.EarlyReset, slot, ts, false);
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

  /** A failure the tracker just counted, as `kind` (a FailureKind); only inbound ones are classified. */
  private failed(kind: number, slot: number, ts: number, suspect: boolean): void {
    const v = this.view;
    if (v.direction(slot) !== Direction.Inbound) return;
    const port = v.serverPort(slot);
    const server = this.server;
    v.server(slot, server);
    const atMs = ts * 1000;
    const synMs = v.firstSynSeconds(slot) * 1000;
    const before = this.readAtOrBefore(synMs);
    // The first read started after the answer; for an unanswered attempt, after its first SYN (the
    // read right after `before` may have started before the SYN, and ended after it).
    const after = this.readAfter(kind === FailureKind.Unanswered ? synMs : atMs);
    let g = this.last;
    if (
      g === null ||
      g.kind !== kind ||
      g.port !== port ||
      g.suspect !== suspect ||
      g.before !== before ||
      g.after !== after ||
      g.w3 !== server[3] ||
      g.w2 !== server[2] ||
      g.w1 !== server[1] ||
      g.w0 !== server[0]
    ) {
      while (this.liveGroups >= this.maxPendingGroups && this.groupsHead < this.groups.length) {
        const oldest = this.groups[this.groupsHead++];
        if (oldest === this.last) this.last = null;
        this.decide(oldest);
      }
      // (`this.last`, not `g`: the loop above may have taken it off the list.)
      const tailAt = this.groups.length - 1;
      g = this.last;
      if (g !== null && tailAt >= this.groupsHead && this.groups[tailAt] === g && g.count === 0) {
        // The last group was decided at once (unanswered attempts, a scan): reuse it, so that
        // a run of distinct failures neither allocates nor grows the list.
        g.kind = kind;
        g.port = port;
        g.w0 = server[0];
        g.w1 = server[1];
        g.w2 = server[2];
        g.w3 = server[3];
        g.suspect = suspect;
        g.before = before;
        g.after = after;
        g.synMs = synMs;
      } else {
        g = { kind, port, w0: server[0], w1: server[1], w2: server[2], w3: server[3], suspect, before, after, synMs, atMs, count: 0, pending: null };
        this.groups.push(g);
        this.last = g;
      }
    }
    if (g.count === 0) this.liveGroups++;
    g.count++;
    g.atMs = atMs;
    this.pendingTotals[kind]++;
    let p = g.pending;
    if (p === null) {
      p = this.pendingCounts.get(port) ?? null;
      if (p === null) {
        p = new Float64Array(OUTCOME_COUNT);
        this.pendingCounts.set(port, p);
      }
      g.pending = p;
    }
    p[kind]++;
    // Its reads already exist (an unanswered attempt, told at the timeout): decide now. The group
    // stays the last one, so the next failure like it is counted and decided the same way.
    if (after < this.readCount) this.decide(g);
  }

  /**
   * The detector found a refusal suspect after it was counted (reset_race on the server's late
   * SYN-ACK, seq_burst on a later RST): server address `server` (four words), port `port`. While
   * that refusal waits for its read it moves to a suspect group; once decided, its cause stays
   * (counted in `lateSuspects`).
   */
  refusalFoundSuspect(server: ArrayLike<number>, port: number, ts: number): void {
    for (let i = this.groups.length - 1; i >= this.groupsHead; i--) {
      const g = this.groups[i];
      if (g.count === 0 || g.kind !== FailureKind.Refused || g.suspect || g.port !== port) continue;
      if (g.w0 !== server[0] || g.w1 !== server[1] || g.w2 !== server[2] || g.w3 !== server[3]) continue;
      // Still pending: the port's pending count is unchanged, the failure only changes group.
      const moved: Group = { ...g, suspect: true, atMs: ts * 1000, count: 1 };
      g.count--;
      if (g.count === 0) {
        this.liveGroups--;
        g.pending = null;
      }
      this.groups.push(moved);
      this.liveGroups++;
      return;
    }
    this.lateSuspects++;
  }

  /** A new kernel-state read: kept, and the failures it was waiting for are decided. */
  addRead(s: KernelStateSnapshot, nowMs = s.takenAtMs): void {
    this.reads.push(s);
    let drop = Math.max(0, this.reads.length - this.maxReads);
    while (drop < this.reads.length - 1 && this.reads[drop].takenAtMs < nowMs - this.historyMs) drop++;
    if (drop > 0) {
      this.reads.splice(0, drop);
      this.firstRead += drop;
    }
    this.settle(nowMs);
  }

  /** Decides every group whose `after` read exists, and those that waited longer than maxWaitMs. */
  settle(nowMs: number): void {
    const total = this.readCount;
    // Groups are in arrival order; `after` is non-decreasing for refusals but not for unanswered
    // attempts, so walk all of them (they are few: one per port, outcome and second).
    let kept = 0;
    const gs = this.groups;
    let lastKept = false;
    for (let i = this.groupsHead; i < gs.length; i++) {
      const g = gs[i];
      if (g.count === 0 || g.after < total || nowMs - g.atMs > this.maxWaitMs) {
        this.decide(g);
      } else {
        gs[kept++] = g;
        if (g === this.last) lastKept = true;
      }
    }
    gs.length = kept;
    this.groupsHead = 0;
    if (!lastKept) this.last = null;
  }

  /** Count of `cause` for (port, outcome), decided so far. */
  get(port: number, outcome: number, cause: number): number {
    return this.counts.get(port)?.[outcome * CAUSE_COUNT + cause] ?? 0;
  }

  /** Count of `cause` for `outcome` over every port. */
  total(outcome: number, cause: number): number {
    return this.totals[outcome * CAUSE_COUNT + cause];
  }

  /** Failures of `outcome` over every port not decided yet. */
  pendingTotal(outcome: number): number {
    return this.pendingTotals[outcome];
  }

  /** Failures of (port, outcome) not decided yet. */
  pending(port: number, outcome: number): number {
    return this.pendingCounts.get(port)?.[outcome] ?? 0;
  }

  /**
   * Everything decided and pending, per port, for `rstwatch diagnose` to ask: the ports in
   * `only` (all when empty), most recent first, at most `limit` of them. Evidence is kept for the
   * 4096 ports with the most recent failures; older ones keep their counts, without evidence.
   */
  report(nowMs = Date.now(), only: readonly number[] = [], limit = DEFAULT_REPORT_PORTS): CausesReport {
    const latest = this.latestRead;
    const pendingSeen = new Map<number, number>();
    for (let i = this.groupsHead; i < this.groups.length; i++) {
      const g = this.groups[i];
      if (g.count > 0) pendingSeen.set(g.port, Math.max(pendingSeen.get(g.port) ?? 0, g.atMs));
    }
    const candidates = only.length > 0 ? [...new Set(only)] : [...new Set([...this.counts.keys(), ...this.pendingCounts.keys()])];
    const ports: PortCauses[] = [];
    for (const port of candidates) {
      const ev = this.evidence.get(port);
      let lastSeen = pendingSeen.get(port) ?? 0;
      const outcomes: PortCauses['outcomes'] = [];
      for (let o = 0; o < OUTCOME_COUNT; o++) {
        const causes: PortCauses['outcomes'][number]['causes'] = [];
        let count = 0;
        for (let c = 0; c < CAUSE_COUNT; c++) {
          const n = this.get(port, o, c);
          if (n === 0) continue;
          count += n;
          const e = ev?.get(`${o} ${c}`);
          if (e !== undefined) lastSeen = Math.max(lastSeen, e.lastSeenMs);
          causes.push({ cause: CAUSES[c], count: n, evidence: e?.evidence ?? '', last_seen: e === undefined ? '' : new Date(e.lastSeenMs).toISOString() });
        }
        const pending = this.pending(port, o);
        if (count + pending === 0) continue;
        causes.sort((a, b) => b.count - a.count);
        outcomes.push({ outcome: FAILURE_KIND_NAMES[o], count: count + pending, pending, causes });
      }
      if (outcomes.length > 0) ports.push({ port, outcomes, last_seen: lastSeen > 0 ? new Date(lastSeen).toISOString() : '' });
    }
    ports.sort((a, b) => (a.last_seen < b.last_seen ? 1 : a.last_seen > b.last_seen ? -1 : a.port - b.port));
    return {
      taken_at: new Date(nowMs).toISOString(),
      kernel_reads: this.readCount,
      last_read: latest === undefined ? null : new Date(latest.takenAtMs).toISOString(),
      read_errors: latest?.errors ?? [],
      ports_with_failures: this.counts.size + [...this.pendingCounts.keys()].filter((p) => !this.counts.has(p)).length,
      decided_from_one_read: this.decidedFromOneRead,
      late_suspects: this.lateSuspects,
      evidence_evictions: this.evidenceEvictions,
      ports: ports.slice(0, limit),
    };
  }

  /** Absolute index of the last read taken at or before `ms`; -1 when none is kept. */
  private readAtOrBefore(ms: number): number {
    const r = this.reads;
    let i = r.length - 1;
    while (i >= 0 && seenAtMs(r[i]) > ms) i--;
    return i < 0 ? (r.length > 0 || this.firstRead > 0 ? this.firstRead - 1 : -1) : this.firstRead + i;
  }

  /** Absolute index of the first read taken after `ms` (the next read when none is yet). */
  private readAfter(ms: number): number {
    const r = this.reads;
    let i = r.length;
    while (i > 0 && r[i - 1].takenAtMs > ms) i--;
    return this.firstRead + i;
  }

  private read(index: number): KernelStateSnapshot | undefined {
    return index >= this.firstRead ? this.reads[index - this.firstRead] : undefined;
  }

  /** Classifies group `g`'s failures, counts them, and takes them off the pending counts. */
  private decide(g: Group): void {
    if (g.count === 0) return;
    this.liveGroups--;
    let before = this.read(g.before);
    let after = this.read(g.after);
    // No read before the attempt (rstwatch had just started, or the read is no longer kept): the
    // read just after it stands for the state at the time only when it came within 2 s.
    if (before === undefined && after !== undefined && after.takenAtMs - g.synMs <= STAND_IN_MS) {
      before = after;
      after = undefined;
    }
    const cause = this.classify(g, before, after);
    const n = g.count;
    g.count = 0;
    if (after === undefined && g.kind !== FailureKind.IcmpRejected && !g.suspect) this.decidedFromOneRead += n;
    let c = this.counts.get(g.port);
    if (c === undefined) {
      c = new Float64Array(OUTCOME_COUNT * CAUSE_COUNT);
      this.counts.set(g.port, c);
    }
    const at = g.kind * CAUSE_COUNT + CAUSES.indexOf(cause.cause);
    c[at] += n;
    this.totals[at] += n;
    this.pendingTotals[g.kind] -= n;
    const p = g.pending ?? this.pendingCounts.get(g.port);
    g.pending = null;
    if (p !== undefined) {
      p[g.kind] -= n;
      if (p.every((v) => v === 0) && this.pendingCounts.get(g.port) === p) this.pendingCounts.delete(g.port);
    }
    this.remember(g, cause.cause, cause.evidence);
  }

  private classify(g: Group, before: KernelStateSnapshot | undefined, after: KernelStateSnapshot | undefined): { cause: Cause; evidence: string } {
    const outcome = FAILURE_KIND_NAMES[g.kind];
    const words = [g.w0, g.w1, g.w2, g.w3];
    const serverAddress = formatAddress(words);
    if (before === undefined) {
      if (outcome === 'icmp_rejected' || g.suspect) {
        return classifyFailure({
          outcome,
          serverAddress,
          port: g.port,
          suspect: g.suspect,
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
    const empty: Listener[] = [];
    return classifyFailure({
      outcome,
      serverAddress,
      port: g.port,
      suspect: g.suspect,
      // The port's own listeners (the index spares a walk over every listener per failure).
      listeners: bi.byPort === null ? null : (bi.byPort.get(g.port) ?? empty),
      listenersAfter: ai === undefined ? undefined : ai.byPort === null ? null : (ai.byPort.get(g.port) ?? empty),
      otherPorts: {
        queued: hasOther(bi.queued, g.port) || (ai !== undefined && hasOther(ai.queued, g.port)),
        full: hasOther(bi.full, g.port) || (ai !== undefined && hasOther(ai.full, g.port)),
      },
      owners,
      ownersUnreadable: before.unreadablePids.length > 0 || (after?.unreadablePids.length ?? 0) > 0,
      listenOverflowsRising: after === undefined ? undefined : rising(before.tcpExt?.listenOverflows, after.tcpExt?.listenOverflows),
      synQueueOverflowing: after === undefined ? undefined : rising(synQueueDrops(before.tcpExt, cookiesAlways), synQueueDrops(after.tcpExt, cookiesAlways)),
    });
  }

  private index(s: KernelStateSnapshot): ReadIndex {
    let i = this.indexes.get(s);
    if (i === undefined) {
      i = indexRead(s);
      this.indexes.set(s, i);
    }
    return i;
  }

  private remember(g: Group, cause: Cause, evidence: string): void {
    let ev = this.evidence.get(g.port);
    if (ev === undefined) {
      if (this.evidence.size >= MAX_EVIDENCE_PORTS) {
        const oldest = this.evidence.keys().next().value;
        if (oldest !== undefined) this.evidence.delete(oldest);
        this.evidenceEvictions++;
      }
      ev = new Map();
    } else {
      this.evidence.delete(g.port);
    }
    this.evidence.set(g.port, ev);
    const key = `${g.kind} ${CAUSES.indexOf(cause)}`;
    const e = ev.get(key);
    if (e === undefined) ev.set(key, { evidence, lastSeenMs: g.atMs });
    else {
      e.evidence = evidence;
      e.lastSeenMs = Math.max(e.lastSeenMs, g.atMs);
    }
  }
}
