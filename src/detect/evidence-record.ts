/**
 * Suspect-reset evidence as a plain record: the same fields in the replay JSON
 * (`suspect_resets`), the table, and the live warn log line. Made only when a suspect reset is
 * reported (rare), never per packet.
 */
import { isoTime } from '../capture/frame-sink.js';
import { DIRECTION_NAMES } from '../track/direction.js';
import { formatAddress } from '../net/address.js';
import type { SuspectEvidence } from './detector.js';
import { HEURISTIC_NAMES, heuristicNames } from './heuristics.js';

/** One suspect reset, as reported. */
export interface SuspectRecord {
  /** Capture time of the packet that completed the evidence (ISO 8601; null beyond the range of a date). */
  ts: string | null;
  direction: string;
  client: string;
  client_port: number;
  server: string;
  server_port: number;
  /** The heuristics that fired. */
  heuristics: string[];
  /** The RST's TTL / hop limit, the initial TTL inferred from it, and its hop distance. */
  ttl: number;
  initial_ttl: number;
  hop_distance: number;
  /** The server's own packets: their initial TTL, hop distance and how many there were (null: no baseline). */
  baseline_initial_ttl: number | null;
  baseline_hop_distance: number | null;
  baseline_samples: number;
  /** Acknowledgment the SYN called for, and the one the RST carried (null: the RST had no ACK). */
  expected_ack: number | null;
  received_ack: number | null;
}

/** Copies `e` into a record. */
export function suspectRecord(e: SuspectEvidence): SuspectRecord {
  const hasBaseline = e.baselineSamples > 0;
  return {
    ts: isoTime(Math.round(e.ts * 1000)),
    direction: DIRECTION_NAMES[e.direction],
    client: formatAddress(e.client),
    client_port: e.clientPort,
    server: formatAddress(e.server),
    server_port: e.serverPort,
    heuristics: heuristicNames(e.mask),
    ttl: e.ttl,
    initial_ttl: e.initialTtl,
    hop_distance: e.hopDistance,
    baseline_initial_ttl: hasBaseline ? e.baselineInitialTtl : null,
    baseline_hop_distance: hasBaseline ? e.baselineHops : null,
    baseline_samples: e.baselineSamples,
    expected_ack: e.expectedAck >= 0 ? e.expectedAck : null,
    received_ack: e.receivedAck >= 0 ? e.receivedAck : null,
  };
}

/**
 * `first`, a suspect RST's record, with what a later telling about the same RST (`later`: a flag
 * raised after the RST, such as `reset_race` when the server's SYN-ACK follows) adds: its
 * heuristics (all of them in HEURISTIC_NAMES order), and its baseline when `first` had none (a
 * SYN-ACK after the RST gives the server its first). The time, TTL and acks stay the RST's.
 */
export function mergeSuspectRecord(first: SuspectRecord, later: SuspectRecord): SuspectRecord {
  const merged = { ...first, heuristics: HEURISTIC_NAMES.filter((h) => first.heuristics.includes(h) || later.heuristics.includes(h)) };
  if (first.baseline_samples === 0 && later.baseline_samples > 0) {
    merged.baseline_initial_ttl = later.baseline_initial_ttl;
    merged.baseline_hop_distance = later.baseline_hop_distance;
    merged.baseline_samples = later.baseline_samples;
  }
  return merged;
}
