/**
 * The report's collector: a reader of ended attempts (ended-attempt.ts) that counts each attempt
 * per (server, port, client) pair (pair-table.ts) and per time bucket of its first SYN
 * (timeline.ts), and the ICMP rejections sent by another address than the server. Built by the
 * replay command; nothing is allocated per attempt.
 *
 * An attempt is counted when it ends, its start with its outcome: every attempt of a replay ends
 * (the end of the capture leaves the pending ones unanswered), and one lookup per attempt costs
 * less than one at its start and one at its end (on a flood every attempt is a new pair). The
 * time of its first SYN is exact to the microsecond (EndedAttempt.times).
 */
import { AddressCounter } from '../../track/address-counter.js';
import { PORT_SPACE } from '../../track/counters.js';
import { DIRECTION_COUNT } from '../../track/direction.js';
import { Ended, FIRST_SYN_US, type EndedAttempt, type EndedAttemptConsumer } from './ended-attempt.js';
import { PairTable } from './pair-table.js';
import { Timeline } from './timeline.js';

/** Default of `--max-pairs`: pairs held at once (about 1 MB). */
export const DEFAULT_MAX_PAIRS = 10_000;
/** Distinct addresses kept of those that sent ICMP unreachables for other hosts. */
export const MAX_ICMP_ANSWERERS = 4096;

/** Collector settings. */
export interface CollectOptions {
  /** Pairs held at most (`--max-pairs`); default DEFAULT_MAX_PAIRS. */
  maxPairs?: number;
  /** Timeline bucket width, seconds (`--bucket`); default: chosen from the capture's span. */
  bucketSeconds?: number;
}

/** Pairs and timeline of a replay; see the module comment. */
export class ReportCollector implements EndedAttemptConsumer {
  readonly pairs: PairTable;
  readonly timeline: Timeline;
  /**
   * ICMP rejections sent by an address other than the server itself (a router or firewall
   * answering for it), by `direction * PORT_SPACE + server port`.
   */
  readonly icmpFromOther = new Float64Array(DIRECTION_COUNT * PORT_SPACE);
  /** The addresses that sent them, by how many. */
  readonly icmpAnswerers = new AddressCounter(MAX_ICMP_ANSWERERS);
  /** A time handed to the pair table and the timeline (an array: a double handed to a call may be boxed). */
  private readonly at = new Float64Array(1);

  constructor(options: CollectOptions = {}) {
    this.pairs = new PairTable(options.maxPairs ?? DEFAULT_MAX_PAIRS);
    this.timeline = new Timeline(options.bucketSeconds);
  }

  /** Counts attempt `a` in its pair and in the bucket of its first SYN, and who sent its ICMP error. */
  ended(a: EndedAttempt): void {
    this.at[0] = a.times[FIRST_SYN_US];
    this.pairs.count(a.server, a.serverPort, a.client, a.outcome, this.at);
    this.timeline.add(this.at, a.outcome);
    if (a.outcome !== Ended.IcmpRejected) return;
    const s = a.server;
    const from = a.icmpFrom;
    if (from[0] !== s[0] || from[1] !== s[1] || from[2] !== s[2] || from[3] !== s[3]) {
      this.icmpFromOther[a.direction * PORT_SPACE + a.serverPort]++;
      this.icmpAnswerers.inc(from);
    }
  }
}
