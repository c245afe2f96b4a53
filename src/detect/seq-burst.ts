/**
 * `seq_burst`: several RSTs on one tuple within `windowSeconds`, with differing sequence or
 * acknowledgment numbers: an out-of-path injector, blind to the right numbers, sprays a burst
 * (Weaver, Sommer and Paxson, NDSS 2009). A stack repeats the same RST, with the same numbers.
 */

/** Default window for a burst, seconds. */
export const SEQ_BURST_WINDOW_SECONDS = 1;

/** True when a RST follows another on the same tuple within the window, with other numbers. */
export function seqBurst(prevSeq: number, prevAck: number, prevTs: number, seq: number, ack: number, ts: number, windowSeconds: number): boolean {
  return ts - prevTs <= windowSeconds && (seq !== prevSeq || ack !== prevAck);
}
