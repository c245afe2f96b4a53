/**
 * What the suspect-reset heuristics mean, for the legends under the table's and the page's suspect
 * resets (docs/detection.md says it at length). The report lists one record per RST: the replay
 * merges a flag raised later into its RST's record (pipeline/replay.ts).
 */

/** What each heuristic means, in one line: the legend under the table's and the page's suspect resets (docs/detection.md has more). */
export const HEURISTIC_LEGEND: Readonly<Record<string, string>> = {
  ttl_mismatch:
    "the RST's initial TTL (the nearest of 32, 64, 128, 255 at or above the TTL it arrived with) differs from that of the server's own SYN-ACKs (the baseline), or its hop distance differs from theirs by more than the hop threshold",
  ack_mismatch: "the RST acknowledges something other than the SYN's sequence number + 1",
  reset_race: 'the server sent a SYN-ACK on the same connection after the RST: the RST raced the real answer',
  seq_burst:
    'another RST on the same connection within 1 s with other sequence or acknowledgment numbers (injectors spray bursts; a stack repeats the same RST)',
  reserved_bits: 'the RST has reserved TCP header bits set (RFC 9293 3.1: sent as zero by every stack)',
};
