/**
 * What the metric collectors read (the sources, built by the daemon), and what the collectors of
 * one registry share: the port selection, the ratio sampler, and the registration helper.
 */
import type { CaptureStats } from '../capture/packet-source.js';
import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
import type { PipelineSink } from '../pipeline/pipeline-sink.js';
import type { Tracker } from '../track/tracker.js';
import type { Sample } from './collector.js';
import type { MetricSpec } from './names.js';
import { OTHER_PORT, type PortSelection, type PortSeries } from './port-selection.js';
import type { RefusalRatioSampler } from './refusal-ratio.js';

/**
 * Suspected spoofed resets by direction, server port and heuristic (the reset detector's counters).
 * Counts are cumulative, like PortCounters, and only read here.
 */
export interface SuspectResetSource {
  /** `heuristic` label values, by heuristic index (a fixed, small list). */
  readonly heuristicNames: readonly string[];
  /** Suspect resets on (direction code, server port) flagged by heuristic `heuristic`. */
  get(direction: number, port: number, heuristic: number): number;
  /** Suspect resets of `direction` over every port, flagged by heuristic `heuristic`. */
  total(direction: number, heuristic: number): number;
}

/** Failed inbound attempts by port, outcome and cause (causes/failure-causes.ts fits). */
export interface CauseSource {
  /** `outcome` and `cause` label values, by index. */
  readonly outcomeNames: readonly string[];
  readonly causeNames: readonly string[];
  get(port: number, outcome: number, cause: number): number;
  total(outcome: number, cause: number): number;
  pending(port: number, outcome: number): number;
  pendingTotal(outcome: number): number;
}

/** What the metrics read. */
export interface MetricsSources {
  /** The handshake tracker: per-port counters, latency histogram, table stats. */
  tracker: Tracker;
  /** The frame sink: frames seen, decode statuses. */
  sink: PipelineSink;
  /**
   * The live capture: running or not, seconds it was down and times it stopped on its own (both
   * cumulative), and pcap_stats drop counts when the backend has them.
   */
  capture: { up(): boolean; downSeconds(): number; faults(): number; stats(): CaptureStats; statsSupported: boolean; sinkErrors(): number };
  /** rstwatch's version, the `version` label of rstwatch_build_info. */
  version: string;
  /** Suspected spoofed resets; without it rstwatch_suspect_resets_total has no samples. */
  suspects?: SuspectResetSource;
  /** Causes of inbound failures; without it rstwatch_failure_causes_* have no samples. */
  causes?: CauseSource;
  /** The latest kernel-state snapshot of rstwatch's network namespace (kernel/kernel-state.ts), if read. */
  kernel?: { latest(): Pick<KernelStateSnapshot, 'tcpExt' | 'sysctls'> | undefined };
}

/** Everything the collectors of both registries share: the sources and the port bookkeeping. */
export interface Shared {
  readonly sources: MetricsSources;
  readonly selection: PortSelection;
  readonly sampler: RefusalRatioSampler;
  /** The last sampler error, cleared by a good sample: the ratio collector reports it. */
  samplerError: unknown;
}

/** Registers one family of `collector` in the registry being populated, read by `read` at scrape time. */
export type AddFamily = (spec: MetricSpec, collector: string, read: () => Sample[]) => void;

/** One collector's registration: its families, over the shared sources. */
export type RegisterCollector = (add: AddFamily, shared: Shared) => void;

/**
 * The value of series `s` from a per-port reading `get`: its port's, or, for `port="other"`, the
 * total over every port less the ports of its direction that have their own series.
 */
export function seriesValue(selection: PortSelection, s: PortSeries, get: (port: number) => number, total: () => number): number {
  if (s.port !== OTHER_PORT) return get(s.port);
  let v = total();
  for (const own of selection.selected[s.direction]) v -= get(own.port);
  return v;
}
