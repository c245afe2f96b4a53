/**
 * The report's collector: a consumer of the tracker's events (src/track/attempt-events.ts) that
 * counts each attempt per (server, port, client) pair (pair-table.ts) and per time bucket of its
 * first SYN (timeline.ts), and the ICMP rejections sent by another address than the server. Built
 * by the replay command and chained after the detector; nothing is allocated per event.
 *
 * An attempt is counted when it ends, its start with its outcome: every attempt of a replay ends
 * (the end of the capture leaves the pending ones unanswered), and one lookup per attempt costs
 * less than one at its start and one at its end (on a flood every attempt is a new pair). Its start
 * is noted when it starts: the time of its first SYN in whole microseconds, from the capture's own
 * seconds and nanoseconds (the tracker's double of an epoch time is off by up to 0.12 us, which put
 * a SYN at .535999682 s in the bucket of .536 s).
 */
import { AddressCounter } from '../../track/address-counter.js';
import { AttemptEventsBase } from '../../track/attempt-events.js';
import type { AttemptView } from '../../track/attempt-view.js';
import { PORT_SPACE } from '../../track/counters.js';
import { DIRECTION_COUNT } from '../../track/direction.js';
import type { DecodedPacket } from '../../wire/decoded-packet.js';
import { PairCount, PairTable } from './pair-table.js';
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
export class ReportCollector extends AttemptEventsBase {
  readonly pairs: PairTable;
  readonly timeline: Timeline;
  /**
   * ICMP rejections sent by an address other than the server itself (a router or firewall
   * answering for it), by `direction * PORT_SPACE + server port`.
   */
  readonly icmpFromOther = new Float64Array(DIRECTION_COUNT * PORT_SPACE);
  /** The addresses that sent them, by how many. */
  readonly icmpAnswerers = new AddressCounter(MAX_ICMP_ANSWERERS);
  /** A time handed to the timeline (an array: a double handed to a call may be boxed). */
  private readonly at = new Float64Array(1);
  /** The first SYN of the attempt in each slot, whole microseconds since the epoch. */
  private readonly firstUs: Float64Array;
  private readonly server = new Uint32Array(4);
  private readonly client = new Uint32Array(4);

  constructor(
    private readonly view: AttemptView,
    options: CollectOptions = {},
  ) {
    super();
    this.pairs = new PairTable(options.maxPairs ?? DEFAULT_MAX_PAIRS);
    this.timeline = new Timeline(options.bucketSeconds);
    this.firstUs = new Float64Array(view.capacity);
  }

  override started(slot: number, _p: DecodedPacket, _afterRefusal: boolean): void {
    const clock = this.view.clock;
    const ts = clock[0];
    // The capture's own seconds and nanoseconds when the frame sink gave them for this packet (a
    // caller of Tracker.onPacket gives only the double), else the double to the nearest microsecond.
    const sec = clock[1];
    const us = sec * 1e6 + Math.floor(clock[2] / 1000);
    this.firstUs[slot] = Math.abs(sec - ts) < 2 ? us : Math.round(ts * 1e6);
  }

  override accepted(slot: number, _p: DecodedPacket, _direction: number): void {
    this.end(slot, PairCount.Accepted);
  }

  override refused(slot: number, _p: DecodedPacket, _direction: number): void {
    this.end(slot, PairCount.Refused);
  }

  override icmpRejected(slot: number, p: DecodedPacket, direction: number): void {
    this.end(slot, PairCount.IcmpRejected);
    // The ICMP error's sender is the packet's source; the server, the quoted SYN's destination
    // (`end` has copied it).
    const s = this.server;
    const from = p.src;
    if (from[0] !== s[0] || from[1] !== s[1] || from[2] !== s[2] || from[3] !== s[3]) {
      this.icmpFromOther[direction * PORT_SPACE + this.view.serverPort(slot)]++;
      this.icmpAnswerers.inc(from);
    }
  }

  override unanswered(slot: number, _direction: number): void {
    this.end(slot, PairCount.Unanswered);
  }

  /** Counts the attempt in `slot`, ended with `outcome`, in its pair and in the bucket of its first SYN. */
  private end(slot: number, outcome: number): void {
    const view = this.view;
    view.server(slot, this.server);
    view.client(slot, this.client);
    this.at[0] = this.firstUs[slot];
    this.pairs.count(this.server, view.serverPort(slot), this.client, outcome, this.at);
    this.timeline.add(this.at, outcome);
  }
}
