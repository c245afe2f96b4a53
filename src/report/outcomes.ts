/**
 * Outcome counts of a set of attempts (all of them, a direction's, a port's), read from the
 * tracker's counters: the numbers every part of the report is made of.
 */
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../track/counters.js';

/** Outcome counts of a set of attempts. */
export interface OutcomeCounts {
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
  syn_retransmits: number;
  /** Accepted attempts the server reset before sending data, soon after the handshake (still accepted). */
  early_resets: number;
  /** refused / attempts that ended (accepted + refused + icmp_rejected + unanswered); null if none ended. */
  refusal_ratio: number | null;
  /** (refused + icmp_rejected + unanswered) / attempts that ended; null if none ended. */
  failure_ratio: number | null;
  /** icmp_rejected by ICMP code class: only the reasons seen. */
  icmp_rejected_by_reason: Record<string, number>;
  /** ICMP rejections sent by an address other than the server itself (a router or firewall answering for it). */
  icmp_from_other: number;
}

/** Refused attempts over the attempts that ended (any outcome); null when none ended. */
export function refusalRatio(accepted: number, refused: number, icmpRejected: number, unanswered: number): number | null {
  const ended = accepted + refused + icmpRejected + unanswered;
  return ended > 0 ? refused / ended : null;
}

/** Failed attempts (refused, ICMP-rejected, unanswered) over the attempts that ended; null when none ended. */
export function failureRatio(accepted: number, refused: number, icmpRejected: number, unanswered: number): number | null {
  const ended = accepted + refused + icmpRejected + unanswered;
  return ended > 0 ? (refused + icmpRejected + unanswered) / ended : null;
}

/**
 * The outcome counts of a set of attempts whose counter `c` (a `Counter`) is `get(c)` and of
 * whose ICMP rejections `icmpFromOther` came from another address than the server.
 */
export function outcomes(get: (counter: number) => number, icmpFromOther: number): OutcomeCounts {
  const byReason: Record<string, number> = {};
  let icmp = 0;
  for (let r = 0; r < ICMP_REASON_NAMES.length; r++) {
    const n = get(FIRST_ICMP_COUNTER + r);
    if (n > 0) byReason[ICMP_REASON_NAMES[r]] = n;
    icmp += n;
  }
  const accepted = get(Counter.Accepted);
  const refused = get(Counter.Refused);
  const unanswered = get(Counter.Unanswered);
  return {
    attempts: get(Counter.Attempts),
    accepted,
    refused,
    icmp_rejected: icmp,
    unanswered,
    syn_retransmits: get(Counter.SynRetransmits),
    early_resets: get(Counter.EarlyResets),
    refusal_ratio: refusalRatio(accepted, refused, icmp, unanswered),
    failure_ratio: failureRatio(accepted, refused, icmp, unanswered),
    icmp_rejected_by_reason: byReason,
    icmp_from_other: icmpFromOther,
  };
}
