/**
 * The replay report as plain data: what `--json` prints and what the table renders. Built once
 * at the end of a replay from the tracker's counters (reading them, never changing them).
 */
import { isoTime } from '../capture/frame-sink.js';
import type { ReplayResult } from '../pipeline/replay.js';
import type { Tracker } from '../track/tracker.js';
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES, PORT_COUNTERS, PORT_SPACE, type PortCounters } from '../track/counters.js';
import { DIRECTION_COUNT, DIRECTION_NAMES } from '../track/direction.js';
import type { AddressCount } from '../track/address-counter.js';
import { HEURISTIC_COUNT, HEURISTIC_NAMES } from '../detect/heuristics.js';
import type { SuspectRecord } from '../detect/evidence-record.js';
import type { ResetDetector } from '../detect/detector.js';
import { DECODE_STATUS_COUNT, DECODE_STATUS_NAMES, FIRST_ERROR_STATUS, DecodeStatus } from '../wire/status.js';

/** Outcome counts of a set of attempts. */
export interface OutcomeCounts {
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
  syn_retransmits: number;
  /** Accepted attempts the server reset before sending data, soon after the handshake (still accepted). */
  early_resets: number;
  /** refused / attempts that ended (accepted + refused + icmp_rejected + unanswered); null if none ended. */
  refusal_ratio: number | null;
  /** icmp_rejected by ICMP code class. */
  icmp_rejected_by_reason: Record<string, number>;
}

/** One server port's row. */
export interface PortRow extends OutcomeCounts {
  port: number;
}

/** Refusal latency summary, seconds. */
export interface LatencySummary {
  count: number;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** The replay report; `--json` prints exactly this. */
export interface ReplayReport {
  rstwatch_version: string;
  /** True when every file was read to its end. */
  complete: boolean;
  error: { code: string; message: string } | null;
  /**
   * Each file read, in order; `stopped_at` is the byte offset of the fault that stopped the read of
   * the last one (null for a file read to its end).
   */
  files: { path: string; format: string; frames: number; bytes: number; truncated_tail: boolean; stopped_at: number | null }[];
  packets: number;
  /**
   * First and last capture time (ISO 8601; null when no frame, or unknown), seconds between them
   * (null when either is unknown); frames whose own time lay beyond the range of a date, each
   * given the time of the frame before it.
   */
  capture: {
    first: string | null;
    last: string | null;
    duration_seconds: number | null;
    timestamp_regressions: number;
    out_of_range_times: number;
  };
  options: { attempt_timeout_seconds: number; local_nets: string[]; max_attempts: number; detection: { enabled: boolean; hop_threshold: number | null } };
  totals: OutcomeCounts & { suspect_resets: number };
  directions: Record<string, OutcomeCounts>;
  ports: PortRow[];
  top_refusing_servers: { address: string; refused: number }[];
  top_refused_clients: { address: string; refused: number }[];
  refusal_latency_seconds: LatencySummary;
  /** Refusing RSTs found suspect, by heuristic (a RST may count under several). */
  suspect_resets_by_heuristic: Record<string, number>;
  /** Each suspect reset with its evidence, in capture order (at most 10 000; `totals.suspect_resets` counts all). */
  suspect_resets: SuspectRecord[];
  /** TTL baselines: hosts dropped for room, and packets not learned from (TTL 1 or 255). */
  baselines: { evictions: number; ignored_samples: number } | null;
  resets_seen: number;
  unmatched: { syn_acks: number; resets: number; icmp: number };
  tracker: { max_attempts: number; evicted_pending: number; evicted_resolved: number; timed_out: number; top_address_overflow: number };
  decoded: { tcp: number; icmp_unreachable: number };
  skipped: Record<string, number>;
  decode_errors: Record<string, number>;
  warnings: string[];
}

/** Settings echoed in the report. */
export interface ReportSettings {
  version: string;
  attemptTimeoutSeconds: number;
  maxAttempts: number;
  topN: number;
}

function outcomes(get: (counter: number) => number): OutcomeCounts {
  const byReason: Record<string, number> = {};
  let icmp = 0;
  for (let r = 0; r < ICMP_REASON_NAMES.length; r++) {
    const n = get(FIRST_ICMP_COUNTER + r);
    byReason[ICMP_REASON_NAMES[r]] = n;
    icmp += n;
  }
  const accepted = get(Counter.Accepted);
  const refused = get(Counter.Refused);
  const unanswered = get(Counter.Unanswered);
  const ended = accepted + refused + icmp + unanswered;
  return {
    attempts: get(Counter.Attempts),
    accepted,
    refused,
    icmp_rejected: icmp,
    unanswered,
    syn_retransmits: get(Counter.SynRetransmits),
    early_resets: get(Counter.EarlyResets),
    refusal_ratio: ended > 0 ? refused / ended : null,
    icmp_rejected_by_reason: byReason,
  };
}

function portRows(ports: PortCounters): PortRow[] {
  const v = ports.values;
  const dirStride = PORT_SPACE * PORT_COUNTERS;
  const seen = Array.from(ports.seenPorts.subarray(0, ports.seenCount)).sort((a, b) => a - b);
  return seen.map((port) => {
    const row = port * PORT_COUNTERS;
    const sum = (counter: number): number => {
      let s = 0;
      for (let d = 0; d < DIRECTION_COUNT; d++) s += v[d * dirStride + row + counter];
      return s;
    };
    return { port, ...outcomes(sum) };
  });
}

/** A capture time in seconds as ISO 8601; null when there is none, or it is beyond the range of a date. */
function iso(ts: number): string | null {
  return isoTime(ts * 1000);
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function renameCount(rows: AddressCount[]): { address: string; refused: number }[] {
  return rows.map((r) => ({ address: r.address, refused: r.count }));
}

/** Builds the report of a finished replay. */
export function buildReplayReport(result: ReplayResult, settings: ReportSettings): ReplayReport {
  const { tracker, sink } = result;
  const ports = tracker.ports;
  const directions: Record<string, OutcomeCounts> = {};
  for (let d = 0; d < DIRECTION_COUNT; d++) directions[DIRECTION_NAMES[d]] = outcomes((c) => ports.total(d, c));
  const { skipped, decodeErrors } = statusBreakdown(sink.statusCounts);
  const det = result.detector;
  return {
    rstwatch_version: settings.version,
    complete: result.error === undefined,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    files: result.files.map((f) => ({
      path: f.path,
      format: f.format,
      frames: f.frames,
      bytes: f.bytesRead,
      truncated_tail: f.truncatedTail,
      stopped_at: f.stoppedAt,
    })),
    packets: sink.packets,
    capture: captureTimes(result),
    options: {
      attempt_timeout_seconds: settings.attemptTimeoutSeconds,
      local_nets: tracker.localNets.list().map((n) => n.text),
      max_attempts: settings.maxAttempts,
      detection: { enabled: det !== undefined, hop_threshold: det ? det.hopThreshold : null },
    },
    totals: { ...outcomes((c) => ports.grandTotal(c)), suspect_resets: det ? det.suspectResets : 0 },
    directions,
    ports: portRows(ports),
    top_refusing_servers: renameCount(tracker.refusingServers.top(settings.topN)),
    top_refused_clients: renameCount(tracker.refusedClients.top(settings.topN)),
    refusal_latency_seconds: latencySummary(tracker),
    suspect_resets_by_heuristic: suspectsByHeuristic(det),
    suspect_resets: result.suspects,
    baselines: det ? { evictions: det.baselines.evictions, ignored_samples: det.baselines.ignoredSamples } : null,
    resets_seen: tracker.stats.resetsSeen,
    unmatched: { syn_acks: tracker.stats.unmatchedSynAcks, resets: tracker.stats.unmatchedResets, icmp: tracker.stats.unmatchedIcmp },
    tracker: {
      max_attempts: tracker.capacity,
      evicted_pending: tracker.stats.evictedPending,
      evicted_resolved: tracker.stats.evictedResolved,
      timed_out: tracker.stats.timedOut,
      top_address_overflow: tracker.refusingServers.overflow + tracker.refusedClients.overflow,
    },
    decoded: { tcp: sink.statusCounts[DecodeStatus.OK_TCP], icmp_unreachable: sink.statusCounts[DecodeStatus.OK_ICMP_UNREACH] },
    skipped,
    decode_errors: decodeErrors,
    warnings: result.warnings,
  };
}

/** The capture's time span; frames of unknown time count in neither end. */
function captureTimes(result: ReplayResult): ReplayReport['capture'] {
  const { sink } = result;
  const first = iso(sink.firstTs);
  const last = iso(sink.lastTs);
  return {
    first,
    last,
    duration_seconds: first !== null && last !== null ? finite(sink.lastTs - sink.firstTs) : null,
    timestamp_regressions: sink.timestampRegressions,
    out_of_range_times: result.files.reduce((n, f) => n + f.outOfRangeTimes, 0),
  };
}

/** Frames by status past the decoded ones: skipped (no TCP) and malformed, each by reason, non-zero only. */
function statusBreakdown(counts: Float64Array): { skipped: Record<string, number>; decodeErrors: Record<string, number> } {
  const skipped: Record<string, number> = {};
  const decodeErrors: Record<string, number> = {};
  for (let s = DecodeStatus.OK_ICMP_UNREACH + 1; s < DECODE_STATUS_COUNT; s++) {
    const n = counts[s];
    if (n === 0) continue;
    if (s >= FIRST_ERROR_STATUS) decodeErrors[DECODE_STATUS_NAMES[s]] = n;
    else skipped[DECODE_STATUS_NAMES[s]] = n;
  }
  return { skipped, decodeErrors };
}

/** The refusal latency over every direction: count, min, quantiles, max, mean (seconds). */
function latencySummary(tracker: Tracker): ReplayReport['refusal_latency_seconds'] {
  const allDirections = [0, 1, 2];
  const lat = tracker.refusalLatency;
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const d of allDirections) {
    count += lat.count[d];
    sum += lat.sumSeconds[d];
    min = Math.min(min, lat.minSeconds[d]);
    max = Math.max(max, lat.maxSeconds[d]);
  }
  return {
    count,
    min: finite(min),
    p50: finite(lat.quantile(0.5, allDirections)),
    p90: finite(lat.quantile(0.9, allDirections)),
    p99: finite(lat.quantile(0.99, allDirections)),
    max: finite(max),
    mean: count > 0 ? sum / count : null,
  };
}

/** Suspect resets per heuristic over every direction (zeros without a detector). */
function suspectsByHeuristic(det: ResetDetector | undefined): Record<string, number> {
  const byHeuristic: Record<string, number> = {};
  for (let h = 0; h < HEURISTIC_COUNT; h++) {
    let n = 0;
    for (let d = 0; d < DIRECTION_COUNT; d++) n += det ? det.counters.total(d, h) : 0;
    byHeuristic[HEURISTIC_NAMES[h]] = n;
  }
  return byHeuristic;
}
