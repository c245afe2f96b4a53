/**
 * Ended attempts as the report's collectors read them: the pair and timeline collector
 * (report-collector.ts) and the scan finder (../scans.ts) are told each attempt once it has ended,
 * its addresses, port, direction, outcome and first-SYN time copied once out of the attempt table
 * into one reused record (an `EndedAttempt`), which each reads in turn. Nothing is allocated per
 * attempt, and the table is read once for both.
 *
 * `EndedAttemptFeed` is the tracker's events consumer that makes the records: chained after the
 * tracker's other consumers, it notes each attempt's exact first-SYN time when it starts and fills
 * the record when it ends.
 */
import { AttemptEventsBase } from '../../track/attempt-events.js';
import type { AttemptView } from '../../track/attempt-view.js';
import type { DecodedPacket } from '../../wire/decoded-packet.js';
import { PairCount } from './pair-table.js';

/** An ended attempt's outcome: the pair table's and the timeline's count indexes. */
export const Ended = {
  Accepted: PairCount.Accepted,
  Refused: PairCount.Refused,
  IcmpRejected: PairCount.IcmpRejected,
  Unanswered: PairCount.Unanswered,
} as const;

/** One ended attempt; see the module comment. Reused: read it during `ended`, keep nothing of it. */
export class EndedAttempt {
  readonly client = new Uint32Array(4);
  readonly server = new Uint32Array(4);
  /** The ICMP error's sender (an `IcmpRejected` attempt's), else zeros. */
  readonly icmpFrom = new Uint32Array(4);
  /**
   * `[FIRST_SYN_SECONDS]`: the first SYN's capture time as the tracker holds it (seconds);
   * `[FIRST_SYN_US]`: the same in whole microseconds since the epoch, exact (from the capture's
   * own seconds and nanoseconds). In an array: a double handed to a call may be boxed.
   */
  readonly times = new Float64Array(2);
  serverPort = 0;
  /** The attempt's Direction. */
  direction = 0;
  /** Ended.* */
  outcome = 0;
}

/** Index in `EndedAttempt.times` of the first SYN in seconds. */
export const FIRST_SYN_SECONDS = 0;
/** Index in `EndedAttempt.times` of the first SYN in whole microseconds. */
export const FIRST_SYN_US = 1;

/** A reader of ended attempts. */
export interface EndedAttemptConsumer {
  ended(a: EndedAttempt): void;
}

/** Fills an EndedAttempt for each attempt that ends and tells `consumers`, in order; see the module comment. */
export class EndedAttemptFeed extends AttemptEventsBase {
  private readonly record = new EndedAttempt();
  /** The first SYN of the attempt in each slot, whole microseconds since the epoch. */
  private readonly firstUs: Float64Array;

  constructor(
    private readonly view: AttemptView,
    private readonly consumers: readonly EndedAttemptConsumer[],
  ) {
    super();
    this.firstUs = new Float64Array(view.capacity);
  }

  override started(slot: number, _p: DecodedPacket, _afterRefusal: boolean): void {
    const clock = this.view.clock;
    const ts = clock[0];
    // The capture's own seconds and nanoseconds when the frame sink gave them for this packet (a
    // caller of Tracker.onPacket gives only the double), else the double to the nearest
    // microsecond (the double of an epoch time is off by up to 0.12 us, which put a SYN at
    // .535999682 s in the bucket of .536 s).
    const sec = clock[1];
    const us = sec * 1e6 + Math.floor(clock[2] / 1000);
    this.firstUs[slot] = Math.abs(sec - ts) < 2 ? us : Math.round(ts * 1e6);
  }

  override accepted(slot: number, _p: DecodedPacket, direction: number): void {
    this.end(slot, direction, Ended.Accepted);
  }

  override refused(slot: number, _p: DecodedPacket, direction: number): void {
    this.end(slot, direction, Ended.Refused);
  }

  override icmpRejected(slot: number, p: DecodedPacket, direction: number): void {
    // The ICMP error's sender is the packet's source.
    const from = this.record.icmpFrom;
    for (let w = 0; w < 4; w++) from[w] = p.src[w];
    this.end(slot, direction, Ended.IcmpRejected);
  }

  override unanswered(slot: number, direction: number): void {
    this.end(slot, direction, Ended.Unanswered);
  }

  /** Fills the record for the attempt in `slot` and tells the consumers. */
  private end(slot: number, direction: number, outcome: number): void {
    const r = this.record;
    const view = this.view;
    view.client(slot, r.client);
    view.server(slot, r.server);
    view.firstSyn(slot, r.times, FIRST_SYN_SECONDS);
    r.times[FIRST_SYN_US] = this.firstUs[slot];
    r.serverPort = view.serverPort(slot);
    r.direction = direction;
    r.outcome = outcome;
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i].ended(r);
    if (outcome === Ended.IcmpRejected) r.icmpFrom.fill(0);
  }
}
