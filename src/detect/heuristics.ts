/**
 * The suspect-reset heuristics (docs/semantics.md "Suspected spoofed resets"), by index.
 * Each has its own pure function in this folder; the tracker gathers their verdicts into a
 * bit mask (bit i = heuristic i fired).
 */

/** Heuristic indexes; `1 << index` is the heuristic's bit in an evidence mask. */
export const Heuristic = {
  /** The RST's inferred initial TTL or hop distance is unlike the server's own packets. */
  TtlMismatch: 0,
  /** A RST+ACK answering a SYN does not acknowledge ISN+1. */
  AckMismatch: 1,
  /** The server sent a SYN-ACK on the tuple after the RST: the RST raced the real answer. */
  ResetRace: 2,
  /** Several RSTs on one tuple within a short time, with differing sequence or ack numbers. */
  SeqBurst: 3,
  /** The RST has TCP reserved bits set (they must be zero: RFC 9293 section 3.1). */
  ReservedBits: 4,
} as const;

/** Label value per heuristic index (`heuristic` label, JSON and log field values). */
export const HEURISTIC_NAMES: readonly string[] = ['ttl_mismatch', 'ack_mismatch', 'reset_race', 'seq_burst', 'reserved_bits'];

/** Number of heuristics. */
export const HEURISTIC_COUNT = HEURISTIC_NAMES.length;

/** The names of the heuristics whose bits are set in `mask`. */
export function heuristicNames(mask: number): string[] {
  const out: string[] = [];
  for (let h = 0; h < HEURISTIC_COUNT; h++) if ((mask & (1 << h)) !== 0) out.push(HEURISTIC_NAMES[h]);
  return out;
}
