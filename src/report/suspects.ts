/**
 * Suspect resets one per RST. The detector tells each heuristic when it fires (docs/semantics.md
 * "Suspected spoofed resets"): `ack_mismatch` and `reserved_bits` as the RST arrives, `reset_race`
 * and a late `ttl_mismatch` when the server's SYN-ACK follows it, `seq_burst` when another RST
 * does. Each telling is a record; `groupSuspects` merges the records of one RST into one, with
 * every heuristic that fired, for the table and the JSON alike. Pure: records in, records out.
 */
import type { SuspectRecord } from '../detect/evidence-record.js';
import { HEURISTIC_NAMES } from '../detect/heuristics.js';

/**
 * The suspect records of `records` (in capture order, as the detector told them) merged one per
 * RST, in the order of each RST's first record.
 *
 * A record belongs to the RST of the latest earlier record of the same client address and port,
 * server address and port when it carries that RST's TTL and none of its heuristics already fired
 * for that RST (each fires at most once per refused attempt, so a heuristic seen again is a later
 * refusal of the tuple, such as a client re-sending its SYN after each RST). The record's own time
 * cannot tell: it is the time of the packet that completed the evidence, and a SYN-ACK that reveals
 * `reset_race` comes after the RST (1 s after it in zeek_rst-inject-rae.pcap).
 *
 * The merged record keeps the first record's time, TTL and acknowledgments (those of the RST as it
 * was refused), the heuristics in HEURISTIC_NAMES order, and the first baseline seen (a SYN-ACK
 * after the RST gives the server its first one).
 */
export function groupSuspects(records: readonly SuspectRecord[]): SuspectRecord[] {
  const out: SuspectRecord[] = [];
  /** The index in `out` of each tuple's latest RST. */
  const latest = new Map<string, number>();
  for (const r of records) {
    const key = `${r.client} ${r.client_port} ${r.server} ${r.server_port}`;
    const at = latest.get(key);
    const into = at === undefined ? undefined : out[at];
    if (into !== undefined && sameReset(into, r)) {
      out[at as number] = merged(into, r);
      continue;
    }
    latest.set(key, out.length);
    out.push({ ...r, heuristics: ordered(r.heuristics) });
  }
  return out;
}

/** Whether `r` tells more about the RST of `into`: its TTL, and no heuristic told twice. */
function sameReset(into: SuspectRecord, r: SuspectRecord): boolean {
  return r.ttl === into.ttl && !r.heuristics.some((h) => into.heuristics.includes(h));
}

/** `into` with the heuristics of `r` added, and its baseline when `into` had none. */
function merged(into: SuspectRecord, r: SuspectRecord): SuspectRecord {
  const out = { ...into, heuristics: ordered([...into.heuristics, ...r.heuristics]) };
  if (into.baseline_samples === 0 && r.baseline_samples > 0) {
    out.baseline_initial_ttl = r.baseline_initial_ttl;
    out.baseline_hop_distance = r.baseline_hop_distance;
    out.baseline_samples = r.baseline_samples;
  }
  return out;
}

/** `names` in HEURISTIC_NAMES order, each once. */
function ordered(names: readonly string[]): string[] {
  return HEURISTIC_NAMES.filter((h) => names.includes(h));
}

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
