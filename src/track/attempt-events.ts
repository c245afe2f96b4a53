/**
 * The event contract of the tracker: what happens to connection attempts, told to one events
 * object as it happens. Consumers (the reset detector, the cause engine, the refusal log) extend
 * `AttemptEventsBase` and override the events they need; `chainEvents` joins them once, at
 * start-up, in the order given. The tracker holds the result and calls it without a test: with no
 * consumer it holds `NO_ATTEMPT_EVENTS`, whose methods do nothing.
 *
 * Every event names the attempt by its slot, an index valid only during the call (the slot is
 * reused once the attempt leaves the table); read the attempt through the `AttemptView` given to
 * the consumer at construction. `p` is the tracker's reused decoded packet: valid only during the
 * call. `direction` is a Direction code. The event's time, capture seconds, is the view's
 * `clock[0]` (a shared clock, not an argument: a double handed to a call V8 does not inline is
 * boxed, an allocation per packet). When an event counts something (refused, accepted, ...), the
 * tracker has counted it before telling.
 */
import type { DecodedPacket } from '../wire/decoded-packet.js';

/** How an attempt failed (index into FAILURE_KIND_NAMES): one failure event each. */
export const FailureKind = { Refused: 0, IcmpRejected: 1, Unanswered: 2, EarlyReset: 3 } as const;
/** `outcome` label values, by FailureKind. */
export const FAILURE_KIND_NAMES = ['refused', 'icmp_rejected', 'unanswered', 'early_reset'] as const;

/** What the tracker tells about attempts; see the module comment. */
export interface AttemptEvents {
  /** A SYN+ACK (not SYN+ACK+RST) `p` was seen, matched or not (the detector's TTL baselines). */
  synAck(p: DecodedPacket): void;
  /** SYN `p` started an attempt in `slot`; `afterRefusal` when it replaces one the tuple had refused. */
  started(slot: number, p: DecodedPacket, afterRefusal: boolean): void;
  /** SYN `p` retransmitted the pending attempt in `slot`. */
  retransmitted(slot: number, p: DecodedPacket): void;
  /** SYN+ACK `p` accepted the attempt in `slot`. */
  accepted(slot: number, p: DecodedPacket, direction: number): void;
  /** RST `p` refused the attempt in `slot`: a failure (FailureKind.Refused). */
  refused(slot: number, p: DecodedPacket, direction: number): void;
  /** ICMP unreachable `p` rejected the attempt in `slot`: a failure (FailureKind.IcmpRejected). */
  icmpRejected(slot: number, p: DecodedPacket, direction: number): void;
  /**
   * The attempt in `slot` got no answer: timed out, evicted from a full table, or pending at the
   * end of the capture (FailureKind.Unanswered). No packet: the clock is the time it was decided.
   */
  unanswered(slot: number, direction: number): void;
  /** RST `p` reset the accepted attempt in `slot` before any data (FailureKind.EarlyReset). */
  earlyReset(slot: number, p: DecodedPacket, direction: number): void;
  /** Another RST `p` arrived on the already refused attempt in `slot` (not counted again). */
  laterReset(slot: number, p: DecodedPacket, direction: number): void;
  /** A SYN+ACK `p` from the server arrived on the already refused attempt in `slot`. */
  synAckAfterReset(slot: number, p: DecodedPacket, direction: number): void;
}

/** Every event ignored: consumers extend it and override the events they need. */
export class AttemptEventsBase implements AttemptEvents {
  synAck(_p: DecodedPacket): void {}
  started(_slot: number, _p: DecodedPacket, _afterRefusal: boolean): void {}
  retransmitted(_slot: number, _p: DecodedPacket): void {}
  accepted(_slot: number, _p: DecodedPacket, _direction: number): void {}
  refused(_slot: number, _p: DecodedPacket, _direction: number): void {}
  icmpRejected(_slot: number, _p: DecodedPacket, _direction: number): void {}
  unanswered(_slot: number, _direction: number): void {}
  earlyReset(_slot: number, _p: DecodedPacket, _direction: number): void {}
  laterReset(_slot: number, _p: DecodedPacket, _direction: number): void {}
  synAckAfterReset(_slot: number, _p: DecodedPacket, _direction: number): void {}
}

/** The events object of a tracker nobody listens to: every event does nothing. */
export const NO_ATTEMPT_EVENTS: AttemptEvents = new AttemptEventsBase();

/** Two consumers told every event, `first` before `rest`. */
class EventPair implements AttemptEvents {
  constructor(
    private readonly first: AttemptEvents,
    private readonly rest: AttemptEvents,
  ) {}

  synAck(p: DecodedPacket): void {
    this.first.synAck(p);
    this.rest.synAck(p);
  }

  started(slot: number, p: DecodedPacket, afterRefusal: boolean): void {
    this.first.started(slot, p, afterRefusal);
    this.rest.started(slot, p, afterRefusal);
  }

  retransmitted(slot: number, p: DecodedPacket): void {
    this.first.retransmitted(slot, p);
    this.rest.retransmitted(slot, p);
  }

  accepted(slot: number, p: DecodedPacket, direction: number): void {
    this.first.accepted(slot, p, direction);
    this.rest.accepted(slot, p, direction);
  }

  refused(slot: number, p: DecodedPacket, direction: number): void {
    this.first.refused(slot, p, direction);
    this.rest.refused(slot, p, direction);
  }

  icmpRejected(slot: number, p: DecodedPacket, direction: number): void {
    this.first.icmpRejected(slot, p, direction);
    this.rest.icmpRejected(slot, p, direction);
  }

  unanswered(slot: number, direction: number): void {
    this.first.unanswered(slot, direction);
    this.rest.unanswered(slot, direction);
  }

  earlyReset(slot: number, p: DecodedPacket, direction: number): void {
    this.first.earlyReset(slot, p, direction);
    this.rest.earlyReset(slot, p, direction);
  }

  laterReset(slot: number, p: DecodedPacket, direction: number): void {
    this.first.laterReset(slot, p, direction);
    this.rest.laterReset(slot, p, direction);
  }

  synAckAfterReset(slot: number, p: DecodedPacket, direction: number): void {
    this.first.synAckAfterReset(slot, p, direction);
    this.rest.synAckAfterReset(slot, p, direction);
  }
}

/**
 * One events object telling `consumers` (absent ones skipped) each event in the order given:
 * `NO_ATTEMPT_EVENTS` for none, the consumer itself for one. Called once, at start-up.
 */
export function chainEvents(consumers: readonly (AttemptEvents | undefined)[]): AttemptEvents {
  const present = consumers.filter((c): c is AttemptEvents => c !== undefined);
  if (present.length === 0) return NO_ATTEMPT_EVENTS;
  return present.reduceRight((rest, first) => new EventPair(first, rest));
}
