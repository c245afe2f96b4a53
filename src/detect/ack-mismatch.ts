/**
 * `ack_mismatch`: a RST+ACK answering a SYN must acknowledge the SYN (ISN + 1, plus the SYN's data
 * for TCP Fast Open); one that does not was not written by the stack that received the SYN. A RST
 * without ACK carries no acknowledgment to check. When the client sent SYNs with several ISNs,
 * acknowledging the first or the latest is fine.
 */
import { TCP_ACK } from '../wire/decoded-packet.js';

/**
 * @param rstFlags the RST's TCP flags
 * @param rstAck its acknowledgment number (unsigned)
 * @param expectedFirst what the attempt's first SYN calls for (unsigned)
 * @param expectedLatest what its latest SYN calls for (unsigned)
 */
export function ackMismatch(rstFlags: number, rstAck: number, expectedFirst: number, expectedLatest: number): boolean {
  if ((rstFlags & TCP_ACK) === 0) return false;
  return rstAck !== expectedFirst && rstAck !== expectedLatest;
}

/** The acknowledgment a SYN with `isn` and `payloadLen` bytes of data calls for (mod 2^32). */
export function expectedAck(isn: number, payloadLen: number): number {
  return (isn + 1 + payloadLen) >>> 0;
}
