/**
 * Attempt counters by direction and server port, in one typed array indexed by port (gopacket's
 * `[65536]` port tables). The tracker adds; reports and metrics only read.
 */
import { DIRECTION_COUNT } from './direction.js';

/** Counter indexes within a (direction, port) row. */
export const Counter = {
  /** Attempts started (first SYN of an attempt). */
  Attempts: 0,
  /** SYNs that retransmitted a pending (or accepted, same-ISN) attempt. */
  SynRetransmits: 1,
  /** Attempts answered by SYN+ACK. */
  Accepted: 2,
  /** Attempts answered by RST. */
  Refused: 3,
  /** Attempts with no answer within the timeout or by the end of the capture (or evicted). */
  Unanswered: 4,
  /** ICMP-rejected, port unreachable (v4 code 3, v6 code 4). */
  IcmpPortUnreachable: 5,
  /** ICMP-rejected, administratively prohibited (v4 codes 9, 10, 13, v6 code 1). */
  IcmpAdminProhibited: 6,
  /** ICMP-rejected, host unreachable (v4 code 1, v6 code 3). */
  IcmpHostUnreachable: 7,
  /** ICMP-rejected, network unreachable (v4 code 0, v6 code 0). */
  IcmpNetUnreachable: 8,
  /** ICMP-rejected, any other code. */
  IcmpOther: 9,
  /**
   * Early resets (docs/semantics.md "Early resets"): accepted attempts the server reset before sending
   * any data, soon after the handshake (a full accept queue with tcp_abort_on_overflow=1). Not an
   * outcome: those attempts stay accepted.
   */
  EarlyResets: 10,
} as const;

/** Counters per (direction, port) row. */
export const PORT_COUNTERS = Object.keys(Counter).length;

/** First of the five ICMP-reason counters; `Counter.IcmpPortUnreachable + reason` is a reason's counter. */
export const FIRST_ICMP_COUNTER = Counter.IcmpPortUnreachable;

/** ICMP reason label values, in counter order from `FIRST_ICMP_COUNTER`. */
export const ICMP_REASON_NAMES: readonly string[] = ['port_unreachable', 'admin_prohibited', 'host_unreachable', 'net_unreachable', 'other'];

/** Reason index (0..4, see ICMP_REASON_NAMES) of an ICMPv4 type 3 / ICMPv6 type 1 code. */
export function icmpReason(ipVersion: number, code: number): number {
  if (ipVersion === 6) {
    // RFC 4443 section 3.1
    switch (code) {
      case 4:
        return 0;
      case 1:
        return 1;
      case 3:
        return 2;
      case 0:
        return 3;
      default:
        return 4;
    }
  }
  // RFC 792; codes 9, 10 from RFC 1122 section 3.2.2.1, 13 from RFC 1812 section 5.2.7.1
  switch (code) {
    case 3:
      return 0;
    case 9:
    case 10:
    case 13:
      return 1;
    case 1:
      return 2;
    case 0:
      return 3;
    default:
      return 4;
  }
}

/** Number of port values. */
export const PORT_SPACE = 65536;

/** Bytes of the counter table (per direction, port and counter; the system maps a page when it is first written). */
export const PORT_COUNTER_BYTES = DIRECTION_COUNT * PORT_SPACE * PORT_COUNTERS * Float64Array.BYTES_PER_ELEMENT;

/** The port-indexed counter table plus per-direction totals. */
export class PortCounters {
  /** `values[(direction * PORT_SPACE + port) * PORT_COUNTERS + counter]`. */
  readonly values = new Float64Array(DIRECTION_COUNT * PORT_SPACE * PORT_COUNTERS);
  /** `totals[direction * PORT_COUNTERS + counter]`. */
  readonly totals = new Float64Array(DIRECTION_COUNT * PORT_COUNTERS);
  /** Ports that have seen an attempt, in the order they first did: `seenPorts[0 .. seenCount)`. */
  readonly seenPorts = new Uint16Array(PORT_SPACE);
  /** How many entries of `seenPorts` are set. */
  seenCount = 0;
  private readonly seen = new Uint8Array(PORT_SPACE);

  /** Adds one to `counter` of (direction, port). */
  inc(direction: number, port: number, counter: number): void {
    this.values[(direction * PORT_SPACE + port) * PORT_COUNTERS + counter]++;
    this.totals[direction * PORT_COUNTERS + counter]++;
  }

  /** Adds one attempt on (direction, port), remembering the port (reports list only seen ports). */
  incAttempt(direction: number, port: number): void {
    this.inc(direction, port, Counter.Attempts);
    if (this.seen[port] === 0) {
      this.seen[port] = 1;
      this.seenPorts[this.seenCount++] = port;
    }
  }

  /** The value of `counter` for (direction, port). */
  get(direction: number, port: number, counter: number): number {
    return this.values[(direction * PORT_SPACE + port) * PORT_COUNTERS + counter];
  }

  /** The total of `counter` over all ports of `direction`. */
  total(direction: number, counter: number): number {
    return this.totals[direction * PORT_COUNTERS + counter];
  }

  /** The total of `counter` over all ports and directions. */
  grandTotal(counter: number): number {
    let t = 0;
    for (let d = 0; d < DIRECTION_COUNT; d++) t += this.totals[d * PORT_COUNTERS + counter];
    return t;
  }
}
