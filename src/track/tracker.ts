/**
 * The handshake tracker: pairs each SYN with its first answer from the server side, exactly as
 * docs/semantics.md defines it, and counts attempts and outcomes by direction and server port.
 *
 * Per packet it reads the reused `DecodedPacket` and touches only typed arrays: no allocation.
 * Time is the capture time in seconds (a float: sub-microsecond resolution, enough for latency).
 */
import { AttemptState, AttemptTable } from './attempt-table.js';
import { AddressCounter } from './address-counter.js';
import { Counter, FIRST_ICMP_COUNTER, icmpReason, PortCounters } from './counters.js';
import { LocalNets } from './direction.js';
import { LatencyHistogram } from './latency-histogram.js';
import { DecodedPacket, PacketKind, TCP_ACK, TCP_RST, TCP_SYN } from '../wire/decoded-packet.js';
import { NO_ATTEMPT_EVENTS, type AttemptEvents } from './attempt-events.js';

/** Tracker settings; all have defaults. */
export interface TrackerOptions {
  /** Attempts held at once; beyond it the oldest is evicted (counted). Default 262144; unused when `table` is given. */
  maxAttempts?: number;
  /**
   * Seconds after its first SYN that a pending attempt becomes unanswered; 0 disables the
   * timeout, so only `finish()` (the end of the capture) makes attempts unanswered. Default 60.
   */
  attemptTimeoutSeconds?: number;
  /** Seconds an answered attempt stays matchable (retransmitted SYN, late answers). Default 60. */
  lingerSeconds?: number;
  /** Networks that decide direction. Default: none (every attempt `unknown`). */
  localNets?: LocalNets;
  /** Distinct addresses kept for the top-N tables. Default 65536. */
  maxTopAddresses?: number;
  /**
   * The attempt table, when the event consumers were given its view before the tracker was built
   * (pipeline/build.ts). Default: a new one of `maxAttempts` slots.
   */
  table?: AttemptTable;
  /** The port counters, when a consumer reads them (the refusal log). Default: new ones. */
  ports?: PortCounters;
  /** Told what happens to attempts (attempt-events.ts), chosen once. Default: nobody. */
  events?: AttemptEvents;
}

/** Default number of attempts held at once: about 20 MB of typed arrays. */
export const DEFAULT_MAX_ATTEMPTS = 262_144;
/** Default attempt timeout, seconds: docs/semantics.md asks for enough for a NAT answering 20 s late. */
export const DEFAULT_ATTEMPT_TIMEOUT_SECONDS = 60;
/** Default linger of an answered attempt, seconds (Linux TIME_WAIT is 60 s). */
export const DEFAULT_LINGER_SECONDS = 60;
/**
 * How soon after the SYN-ACK a reset still counts as early, seconds. A full accept queue with
 * tcp_abort_on_overflow=1 resets as soon as the client's ACK arrives (milliseconds); 5 s leaves
 * room for a slow client and still excludes a connection that lived and went idle.
 */
export const EARLY_RESET_WINDOW_SECONDS = 5;

/** Counts that are not per port: answers that matched nothing, table pressure. */
export class TrackerStats {
  /** RST segments seen, from either side, matched or not. */
  resetsSeen = 0;
  /** SYN+ACKs that matched no pending attempt (mid-stream captures, one-sided captures). */
  unmatchedSynAcks = 0;
  /** RSTs that matched no pending attempt (resets of established connections, late answers). */
  unmatchedResets = 0;
  /** ICMP unreachables quoting TCP that matched no pending attempt. */
  unmatchedIcmp = 0;
  /** Pending attempts evicted because the table was full (each also counted unanswered). */
  evictedPending = 0;
  /** Answered attempts evicted before their linger ended because the table was full. */
  evictedResolved = 0;
  /** Attempts that became unanswered by the timeout (not by the end of the capture). */
  timedOut = 0;
}

/** The handshake state machine and its counters; see the module comment. */
export class Tracker {
  /** Attempt counts by direction and server port. */
  readonly ports: PortCounters;
  /** Refusal latency per direction. */
  readonly refusalLatency: LatencyHistogram;
  /** Servers by number of refused attempts. */
  readonly refusingServers: AddressCounter;
  /** Clients by number of refused attempts. */
  readonly refusedClients: AddressCounter;
  /** Counts that are not per port. */
  readonly stats = new TrackerStats();
  /** The direction classifier. */
  readonly localNets: LocalNets;

  /**
   * `clock[0]`: capture time of the packet being handled (or of the expiry), seconds: the table's
   * clock, which it stamps attempts with and the event consumers read (attempt-table.ts).
   */
  readonly clock: Float64Array;
  private readonly timeoutSeconds: number;
  private readonly lingerSeconds: number;
  private readonly table: AttemptTable;
  private readonly events: AttemptEvents;

  constructor(options: TrackerOptions = {}) {
    this.table = options.table ?? new AttemptTable(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.clock = this.table.clock;
    this.refusalLatency = new LatencyHistogram(this.clock);
    this.ports = options.ports ?? new PortCounters();
    this.events = options.events ?? NO_ATTEMPT_EVENTS;
    const timeout = options.attemptTimeoutSeconds ?? DEFAULT_ATTEMPT_TIMEOUT_SECONDS;
    // 0 disables the timeout: an infinite one makes the per-packet expiry check always false.
    this.timeoutSeconds = timeout > 0 ? timeout : Infinity;
    this.lingerSeconds = options.lingerSeconds ?? DEFAULT_LINGER_SECONDS;
    this.localNets = options.localNets ?? new LocalNets();
    const top = options.maxTopAddresses ?? 65_536;
    this.refusingServers = new AddressCounter(top);
    this.refusedClients = new AddressCounter(top);
  }

  /** Attempts currently waiting for an answer or lingering after one. */
  get tracked(): number {
    return this.table.size;
  }

  /** Attempts held at most (the table's slots). */
  get capacity(): number {
    return this.table.capacity;
  }

  /**
   * Feeds one decoded packet (status OK_TCP or OK_ICMP_UNREACH) captured at `ts` seconds.
   * Packets of any other kind are ignored.
   */
  onPacket(p: DecodedPacket, ts: number): void {
    this.clock[0] = ts;
    this.handle(p);
  }

  /**
   * `onPacket` at the clock's time: the caller has set `clock[0]` to the packet's capture time.
   * The packet path's entry (pipeline-sink.ts), where no double is handed to a call.
   */
  handle(p: DecodedPacket): void {
    this.expireNow();
    if (p.kind === PacketKind.Tcp) {
      const flags = p.tcpFlags;
      if ((flags & TCP_SYN) !== 0) {
        if ((flags & TCP_ACK) === 0) {
          this.onSyn(p);
        } else {
          // A SYN-ACK teaches its sender's TTL baseline (a SYN|ACK|RST does not).
          if ((flags & TCP_RST) === 0) this.events.synAck(p);
          this.onSynAck(p);
        }
      } else if ((flags & TCP_RST) !== 0) {
        this.onReset(p);
      }
    } else if (p.kind === PacketKind.IcmpUnreach) {
      this.onIcmpUnreach(p);
    }
  }

  /** Ends the capture: every pending attempt becomes unanswered. */
  finish(): void {
    const t = this.table;
    while (t.pendingHead !== -1) {
      const i = t.pendingHead;
      this.ports.inc(t.direction[i], t.serverPort(i), Counter.Unanswered);
      this.events.unanswered(i, t.direction[i]);
      t.remove(i);
    }
  }

  /** Moves attempts past the timeout at `ts` to unanswered and drops answered ones past their linger. */
  expire(ts: number): void {
    this.clock[0] = ts;
    this.expireNow();
  }

  private expireNow(): void {
    const t = this.table;
    const ts = this.clock[0];
    const pendingLimit = ts - this.timeoutSeconds;
    // Strictly older than the timeout: an answer exactly at the timeout is still within it.
    while (t.pendingHead !== -1 && t.firstSynTs[t.pendingHead] < pendingLimit) {
      const i = t.pendingHead;
      this.ports.inc(t.direction[i], t.serverPort(i), Counter.Unanswered);
      this.stats.timedOut++;
      this.events.unanswered(i, t.direction[i]);
      t.remove(i);
    }
    const resolvedLimit = ts - this.lingerSeconds;
    while (t.resolvedHead !== -1 && t.listTs[t.resolvedHead] <= resolvedLimit) {
      t.remove(t.resolvedHead);
    }
  }

  private onSyn(p: DecodedPacket): void {
    const t = this.table;
    const i = t.find(p.src, p.srcPort, p.dst, p.dstPort);
    if (i === -1) {
      this.startAttempt(p);
      return;
    }
    const state = t.state[i];
    if (state === AttemptState.Pending) {
      // Any ISN retransmits a pending attempt; keep the latest, the one a SYN-ACK will answer.
      t.isn[i] = p.seq;
      this.ports.inc(t.direction[i], p.dstPort, Counter.SynRetransmits);
      this.events.retransmitted(i, p);
      return;
    }
    if (state === AttemptState.Accepted && t.isn[i] === p.seq) {
      this.ports.inc(t.direction[i], p.dstPort, Counter.SynRetransmits);
      return;
    }
    // Refused, ICMP-rejected, or accepted with another ISN (port reuse): a new attempt.
    t.restartPending(i);
    t.isn[i] = p.seq;
    this.ports.incAttempt(t.direction[i], p.dstPort);
    this.events.started(i, p, state === AttemptState.Refused);
  }

  private startAttempt(p: DecodedPacket): void {
    const t = this.table;
    if (t.isFull()) this.evictOne();
    const i = t.insert(p.src, p.srcPort, p.dst, p.dstPort);
    t.isn[i] = p.seq;
    const dir = this.localNets.classify(p.src, p.dst);
    t.direction[i] = dir;
    this.ports.incAttempt(dir, p.dstPort);
    this.events.started(i, p, false);
  }

  private evictOne(): void {
    const t = this.table;
    if (t.resolvedHead !== -1) {
      this.stats.evictedResolved++;
      t.remove(t.resolvedHead);
      return;
    }
    const i = t.pendingHead;
    this.stats.evictedPending++;
    this.ports.inc(t.direction[i], t.serverPort(i), Counter.Unanswered);
    this.events.unanswered(i, t.direction[i]);
    t.remove(i);
  }

  private onSynAck(p: DecodedPacket): void {
    const t = this.table;
    // The answer travels server -> client: the client is the packet's destination.
    const i = t.find(p.dst, p.dstPort, p.src, p.srcPort);
    if (i === -1 || t.state[i] !== AttemptState.Pending) {
      this.stats.unmatchedSynAcks++;
      if (i !== -1 && t.state[i] === AttemptState.Refused) this.events.synAckAfterReset(i, p, t.direction[i]);
      return;
    }
    t.markResolved(i, AttemptState.Accepted);
    t.serverIsn[i] = p.seq;
    t.earlyReset[i] = 0;
    this.ports.inc(t.direction[i], p.srcPort, Counter.Accepted);
    this.events.accepted(i, p, t.direction[i]);
  }

  private onReset(p: DecodedPacket): void {
    const ts = this.clock[0];
    this.stats.resetsSeen++;
    const t = this.table;
    const i = t.find(p.dst, p.dstPort, p.src, p.srcPort);
    if (i !== -1 && t.state[i] === AttemptState.Accepted) {
      // Early reset: the server's RST still carries its ISN+1, so it sent no data since its
      // SYN-ACK (exact without tracking data, which the live filter does not capture).
      if (t.earlyReset[i] === 0 && p.seq === (t.serverIsn[i] + 1) >>> 0 && ts - t.listTs[i] <= EARLY_RESET_WINDOW_SECONDS) {
        t.earlyReset[i] = 1;
        this.ports.inc(t.direction[i], p.srcPort, Counter.EarlyResets);
        this.events.earlyReset(i, p, t.direction[i]);
        return;
      }
    }
    if (i === -1 || t.state[i] !== AttemptState.Pending) {
      this.stats.unmatchedResets++;
      if (i !== -1 && t.state[i] === AttemptState.Refused) this.events.laterReset(i, p, t.direction[i]);
      return;
    }
    const dir = t.direction[i];
    t.markResolved(i, AttemptState.Refused);
    this.ports.inc(dir, p.srcPort, Counter.Refused);
    this.refusalLatency.observeSince(dir, t.firstSynTs, i);
    this.refusingServers.inc(p.src);
    this.refusedClients.inc(p.dst);
    this.events.refused(i, p, dir);
  }

  private onIcmpUnreach(p: DecodedPacket): void {
    const t = this.table;
    // The quoted datagram is the client's SYN: quoted source = client, quoted destination = server.
    const i = t.find(p.quotedSrc, p.quotedSrcPort, p.quotedDst, p.quotedDstPort);
    if (i === -1 || t.state[i] !== AttemptState.Pending) {
      this.stats.unmatchedIcmp++;
      return;
    }
    t.markResolved(i, AttemptState.IcmpRejected);
    this.ports.inc(t.direction[i], p.quotedDstPort, FIRST_ICMP_COUNTER + icmpReason(p.ipVersion, p.icmpCode));
    this.events.icmpRejected(i, p, t.direction[i]);
  }
}
