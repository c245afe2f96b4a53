/**
 * A read-only view of the attempts in the tracker's table, for the consumers of its events
 * (attempt-events.ts): what they may know of an attempt, by slot, and nothing of the table's
 * layout. Nothing allocates: addresses (and, on the packet path, times) are copied into the
 * caller's array.
 */

/** Read-only access to the attempt in a slot (valid while the slot holds that attempt). */
export interface AttemptView {
  /** Slots in the table: consumers size their per-attempt arrays by it. */
  readonly capacity: number;
  /**
   * `clock[0]`: the time of the event being told, capture seconds (the packet's, or the expiry's
   * for an unanswered attempt). Read it during the event; it changes with every packet.
   * `clock[1]`, `clock[2]`: the packet's time as the capture gave it, whole seconds and nanoseconds
   * (exact; NaN when no frame sink set them: attempt-table.ts).
   */
  readonly clock: Readonly<Float64Array>;
  /** Direction code of the attempt (track/direction.ts). */
  direction(slot: number): number;
  /** The client's port. */
  clientPort(slot: number): number;
  /** The server's port. */
  serverPort(slot: number): number;
  /** Capture time of the attempt's first SYN, seconds. */
  firstSynSeconds(slot: number): number;
  /** Copies the capture time of the attempt's first SYN, seconds, into `out[at]` (on the packet path: a returned double may be boxed). */
  firstSyn(slot: number, out: Float64Array, at: number): void;
  /** Copies the client's address (four words, as DecodedPacket holds it) into `out` (length >= 4). */
  client(slot: number, out: Uint32Array): void;
  /** Copies the server's address (four words) into `out` (length >= 4). */
  server(slot: number, out: Uint32Array): void;
}
