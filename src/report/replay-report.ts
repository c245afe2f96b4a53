/**
 * The replay report: what `--json` prints (`ReplayReport`) and what the table renders. Built once
 * at the end of a replay from the tracker's counters (reading them, never changing them), as a
 * `ReplaySummary`: the report's fields in its order, but for the port rows, which stay in the
 * counters until printed (port-rows.ts; a scan's 65535 rows would be 65535 objects).
 */
import { isoTime } from '../capture/frame-sink.js';
import type { Tracker } from '../track/tracker.js';
import { PORT_SPACE } from '../track/counters.js';
import { DIRECTION_COUNT, DIRECTION_NAMES } from '../track/direction.js';
import type { AddressCount } from '../track/address-counter.js';
import { HEURISTIC_COUNT, HEURISTIC_NAMES } from '../detect/heuristics.js';
import type { SuspectRecord } from '../detect/evidence-record.js';
import type { ResetDetector } from '../detect/detector.js';
import { DECODE_STATUS_COUNT, DECODE_STATUS_NAMES, FIRST_ERROR_STATUS, DecodeStatus } from '../wire/status.js';
import { outcomes, type OutcomeCounts } from './outcomes.js';
import { PortRows, type PortRow } from './port-rows.js';
import { PairCount, type PairRow, type PairTable } from './collect/pair-table.js';
import type { Collected } from './collect/report-thread.js';
import type { ReportRun } from './replay-run.js';
import type { ScanRow } from './scans.js';
import { MAX_ASKED_BUCKETS } from './collect/timeline.js';

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

/** The replay report; `--json` prints exactly this (json-report.ts writes it from a `ReplaySummary`). */
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
  options: {
    attempt_timeout_seconds: number;
    local_nets: string[];
    max_attempts: number;
    /** Pairs held at most (`--max-pairs`). */
    max_pairs: number;
    detection: { enabled: boolean; hop_threshold: number | null };
  };
  totals: OutcomeCounts & { suspect_resets: number };
  directions: Record<string, OutcomeCounts>;
  ports: PortRow[];
  /** Outcome counts per (server, server port, client), most failures first (at most --max-pairs held). */
  pairs: PairJson[];
  /** The pairs folded out of the table when it was full, counted together; null when none were. */
  pairs_other: PairsOther | null;
  /** Outcome counts per time bucket of the attempts' first SYN, every bucket from the first to the last. */
  timeline: TimelineJson;
  top_refusing_servers: { address: string; refused: number }[];
  top_refused_clients: { address: string; refused: number }[];
  /** Addresses that sent ICMP unreachables for another host (routers, firewalls), most first. */
  icmp_answerers: { address: string; rejections: number }[];
  /** Scans and floods named (docs/scans.md), most failures first. */
  scans: ScanRow[];
  /**
   * What the scan finder's bounded tables could not hold: unnamed keys pushed out, failures not
   * counted under a pattern (docs/scans.md: scans named early are complete).
   */
  scan_finder: { evicted_keys: number; dropped_failures: number };
  refusal_latency_seconds: LatencySummary;
  /** Refusing RSTs found suspect, by heuristic (a RST may count under several). */
  suspect_resets_by_heuristic: Record<string, number>;
  /**
   * Each suspect reset with its evidence, one per RST with every heuristic that fired on it
   * (pipeline/replay.ts), in capture order (at most 10 000; `totals.suspect_resets` counts all).
   */
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

/** Counts of one (server, server port, client) pair; `first`/`last`: its earliest and latest first SYN (RFC 3339). */
export type PairJson = Omit<PairRow, 'firstUs' | 'lastUs'> & { first: string | null; last: string | null };

/** The pairs folded together: how many, and their counts. */
export interface PairsOther extends EndedCounts {
  pairs: number;
}

/** Outcome counts of a set of attempts, without the rest of OutcomeCounts. */
export interface EndedCounts {
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
}

/**
 * The timeline: bucket width in seconds, each bucket's start (RFC 3339) and counts; the attempts
 * whose first SYN has no known time apart (null when none). The buckets and `unknown_time` add up
 * to the totals.
 */
export interface TimelineJson {
  bucket_seconds: number;
  buckets: ({ start: string | null } & EndedCounts)[];
  unknown_time: EndedCounts | null;
}

/** The replay report as built: `ReplayReport`'s fields, in its order, the port rows still in the tracker's counters. */
export type ReplaySummary = Omit<ReplayReport, 'ports' | 'pairs'> & { ports: PortRows; pairs: PairRows | readonly PairJson[] };

/**
 * The report's pairs, made objects one at a time as they are read (`--json` writes them so: 10000
 * pairs held as objects at once raised the peak memory of the 2 M flood by 20 MB), in the pair
 * table's order: most failures first.
 */
export class PairRows implements Iterable<PairJson> {
  private readonly entries: Int32Array;

  constructor(private readonly table: PairTable) {
    this.entries = table.order();
  }

  get length(): number {
    return this.entries.length;
  }

  *[Symbol.iterator](): Iterator<PairJson> {
    for (const e of this.entries) yield pairJson(this.table.row(e));
  }

  /** The pairs as the table holds them (times in microseconds), in order. */
  *raw(): Generator<PairRow, void, undefined> {
    for (const e of this.entries) yield this.table.row(e);
  }

  /** Every pair as an object. */
  list(): PairJson[] {
    return [...this];
  }
}

/** Settings echoed in the report. */
export interface ReportSettings {
  version: string;
  attemptTimeoutSeconds: number;
  maxAttempts: number;
  topN: number;
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

/** The report of a finished replay as one object, a row object per port (the commands print a `ReplaySummary`). */
export function buildReplayReport(result: ReportRun, settings: ReportSettings): ReplayReport {
  const summary = summarizeReplay(result, settings);
  return { ...summary, ports: summary.ports.rows(), pairs: [...summary.pairs] };
}

/** Sums up a finished replay: the report, but for the port rows, which it reads when printed. */
export function summarizeReplay(result: ReportRun, settings: ReportSettings): ReplaySummary {
  const { tracker, sink, collector } = result;
  const ports = tracker.ports;
  const fromOther = icmpFromOtherByDirection(collector);
  const directions: Record<string, OutcomeCounts> = {};
  for (let d = 0; d < DIRECTION_COUNT; d++) directions[DIRECTION_NAMES[d]] = outcomes((c) => ports.total(d, c), fromOther[d]);
  const timeline = timelineJson(collector);
  const warnings = timeline.widened === undefined ? result.warnings : [...result.warnings, timeline.widened];
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
      max_pairs: collector.pairs.capacity,
      detection: { enabled: det !== undefined, hop_threshold: det ? det.hopThreshold : null },
    },
    totals: { ...outcomes((c) => ports.grandTotal(c), fromOther[0] + fromOther[1] + fromOther[2]), suspect_resets: det ? det.suspectResets : 0 },
    directions,
    ports: new PortRows(ports, collector.icmpFromOther),
    pairs: new PairRows(collector.pairs),
    pairs_other: pairsOther(collector),
    timeline: timeline.json,
    top_refusing_servers: renameCount(tracker.refusingServers.top(settings.topN)),
    top_refused_clients: renameCount(tracker.refusedClients.top(settings.topN)),
    icmp_answerers: collector.icmpAnswerers.top(settings.topN).map((r) => ({ address: r.address, rejections: r.count })),
    scans: result.scans.rows(),
    scan_finder: { evicted_keys: result.scans.evictedKeys, dropped_failures: result.scans.droppedFailures },
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
    warnings,
  };
}

/** ICMP rejections sent by another address than the server, per direction. */
function icmpFromOtherByDirection(collector: Collected): number[] {
  const sums: number[] = [];
  for (let d = 0; d < DIRECTION_COUNT; d++) {
    let n = 0;
    for (let port = 0; port < PORT_SPACE; port++) n += collector.icmpFromOther[d * PORT_SPACE + port];
    sums.push(n);
  }
  return sums;
}

function pairJson({ firstUs, lastUs, ...pair }: PairRow): PairJson {
  return { ...pair, first: isoTime(Math.floor(firstUs / 1000)), last: isoTime(Math.floor(lastUs / 1000)) };
}

function pairsOther(collector: Collected): PairsOther | null {
  const { other, otherPairs } = collector.pairs;
  return otherPairs === 0 ? null : { pairs: otherPairs, ...endedCounts(other) };
}

/** Counts kept by PairCount, as the JSON has them. */
function endedCounts(c: Float64Array): EndedCounts {
  return {
    attempts: c[PairCount.Attempts],
    accepted: c[PairCount.Accepted],
    refused: c[PairCount.Refused],
    icmp_rejected: c[PairCount.IcmpRejected],
    unanswered: c[PairCount.Unanswered],
  };
}

/** The timeline as the JSON has it, and the warning to give when the width asked for had to be widened. */
function timelineJson(collector: Collected): { json: TimelineJson; widened: string | undefined } {
  const t = collector.timeline.rows();
  const json: TimelineJson = {
    bucket_seconds: t.bucketSeconds,
    buckets: t.buckets.map((b) => ({
      start: isoTime(b.startMs),
      attempts: b.attempts,
      accepted: b.accepted,
      refused: b.refused,
      icmp_rejected: b.icmp_rejected,
      unanswered: b.unanswered,
    })),
    unknown_time: collector.timeline.unknown[PairCount.Attempts] > 0 ? endedCounts(collector.timeline.unknown) : null,
  };
  const widened = t.widened
    ? `the timeline's buckets were widened to ${t.bucketSeconds} s: the capture's span needs more than ${MAX_ASKED_BUCKETS} of the width asked for`
    : undefined;
  return { json, widened };
}

/** The capture's time span; frames of unknown time count in neither end. */
function captureTimes(result: ReportRun): ReplayReport['capture'] {
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
