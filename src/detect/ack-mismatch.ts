/**
 * `ack_mismatch`: a RST+ACK answering a SYN must acknowledge the SYN (ISN + 1, plus the SYN's data
 * for TCP Fast Open); one that does not was not written by the stack that received the SYN. A RST
 * without ACK carries no acknowledgment to check. When the client sent SYNs with several ISNs,
 * acknowledging the first or the latest is fine.
 */
import { TCP_ACK } from '../wire/decoded-packet.js';

/**
 * The numbers are 32-bit words compared by their bits, signed or unsigned alike: the detector
 * hands them over signed (`| 0`), since a number above 2^31 handed to a call V8 does not inline
 * is boxed, an allocation per refusal.
 * @param rstFlags the RST's TCP flags
 * @param rstAck its acknowledgment number
 * @param expectedFirst what the attempt's first SYN calls for
 * @param expectedLatest what its latest SYN calls for
 */
export function ackMismatch(rstFlags: number, rstAck: number, expectedFirst: number, expectedLatest: number): boolean {
  if ((rstFlags & TCP_ACK) === 0) return false;
  return (rstAck ^ expectedFirst) !== 0 && (rstAck ^ expectedLatest) !== 0;
}

/**
 * The acknowledgment a SYN with `isn` (signed or unsigned) and `payloadLen` bytes of data calls
 * for (mod 2^32), as a signed 32-bit word (`| 0`: a Uint32Array stores the same bits, and a number
 * above 2^31 returned from a call V8 does not inline is boxed).
 */
export function expectedAck(isn: number, payloadLen: number): number {
  return (isn + 1 + payloadLen) | 0;
}
