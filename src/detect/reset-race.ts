/**
 * `reset_race`: the server endpoint answers the SYN with a SYN-ACK after the RST on the same
 * tuple, so the RST raced the real answer (an on-path injector is faster than the server).
 * Data from the server is not checked separately: it cannot come without a SYN-ACK before it, and
 * a SYN-ACK before the RST makes the attempt accepted, not refused.
 */

/** True when a SYN-ACK from the server arrives on an attempt its RST already refused. */
export function resetRace(attemptRefused: boolean, isSynAckFromServer: boolean): boolean {
  return attemptRefused && isSynAckFromServer;
}
