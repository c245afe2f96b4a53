/**
 * rstwatch's Prometheus metrics: collectors that read the tracker's, the pipeline's and the
 * capture's counters at scrape time (node_exporter's `Update`), plus prom-client's default
 * process and Node.js metrics. Nothing here changes a counter. Names and help texts: names.ts;
 * meaning, labels and bounds: docs/metrics.md.
 *
 * Two registries hold the same families, one per exposition format (the text format 0.0.4 and
 * OpenMetrics 1.0.0), each with its own collector objects: see collector.ts for why.
 */
import { collectDefaultMetrics, Registry, type RegistryContentType } from 'prom-client';
import type { CaptureStats } from '../capture/packet-source.js';
import type { PipelineSink } from '../replay.js';
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../track/counters.js';
import { Direction, DIRECTION_COUNT, DIRECTION_NAMES } from '../track/direction.js';
import { LATENCY_BUCKETS_SECONDS } from '../track/latency-histogram.js';
import type { Tracker } from '../track/tracker.js';
import { DECODE_STATUS_COUNT, DECODE_STATUS_NAMES, DecodeStatus, FIRST_ERROR_STATUS } from '../wire/status.js';
import { CollectorGuard, ReadCollector, type Sample } from './collector.js';
import { COLLECTORS, DEFAULT_METRICS_LEFT_OUT, DROP_WHERE_NAMES, EVICTION_STATE_NAMES, METRICS, UNMATCHED_KIND_NAMES, type MetricSpec } from './names.js';
import { OTHER_PORT, PortSelection, type PortSeries } from './port-selection.js';
import { RATIO_SAMPLE_INTERVAL_MS, RefusalRatioSampler } from './refusal-ratio.js';

import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
export { parsePortList } from './port-list.js';

export { DEFAULT_MAX_PORTS } from './port-selection.js';
export { DEFAULT_RATIO_WINDOW_SECONDS } from './refusal-ratio.js';

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

/** Failed inbound attempts by port, outcome and cause (diagnose/failure-causes.ts fits). */
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
  /** The live capture: running or not, and pcap_stats drop counts when the backend has them. */
  capture: { up(): boolean; stats(): CaptureStats; statsSupported: boolean };
  /** rstwatch's version, the `version` label of rstwatch_build_info. */
  version: string;
  /** Suspected spoofed resets; without it rstwatch_suspect_resets_total has no samples. */
  suspects?: SuspectResetSource;
  /** Causes of inbound failures; without it rstwatch_failure_causes_* have no samples. */
  causes?: CauseSource;
  /** The latest kernel-state snapshot of rstwatch's network namespace (diagnose/kernel-state.ts), if read. */
  kernel?: { latest(): Pick<KernelStateSnapshot, 'tcpExt' | 'sysctls'> | undefined };
}

/** A logger for collector failures (pino's `warn(obj, msg)` fits). */
export interface MetricsLogger {
  warn(obj: object, msg: string): void;
}

/** How the metrics bound and compute their series. */
export interface MetricsOptions {
  /** Port label values admitted per direction besides `keepPorts`; the rest are `port="other"`. */
  maxPorts: number;
  /** Ports that always get their own series once touched (parsePortList). */
  keepPorts: ReadonlySet<number>;
  /** Window of rstwatch_refusal_ratio, seconds (rounded to whole seconds, at least 1). */
  ratioWindowSeconds: number;
  /** Logs a collector's failure once, when it starts failing. Default: none. */
  logger?: MetricsLogger;
  /** Clock of the ratio sampler, milliseconds. Default: `performance.now()` (monotonic). */
  nowMs?: () => number;
  /** Ratio sampler period, milliseconds; 0 starts no timer (call `sample()`). Default 1000. */
  sampleIntervalMs?: number;
}

/** The metrics of one rstwatch process. */
export interface RstwatchMetrics {
  /** Registry for the Prometheus text format (text/plain; version=0.0.4). */
  readonly registry: Registry;
  /** Registry for OpenMetrics 1.0.0 (same families; ends with `# EOF`). */
  readonly openMetricsRegistry: Registry<RegistryContentType>;
  /** Takes one refusal-ratio snapshot now (the timer does this every second). */
  sample(): void;
  /**
   * Stops the sampler timer and empties the registries. (prom-client gives no way to stop the
   * event-loop-delay monitor and GC observer of its default metrics; they stay, idle and cheap.)
   */
  close(): void;
}

/** Everything the collectors of both registries share: the sources and the port bookkeeping. */
interface Shared {
  readonly sources: MetricsSources;
  readonly selection: PortSelection;
  readonly sampler: RefusalRatioSampler;
  /** The last sampler error, cleared by a good sample: the ratio collector reports it. */
  samplerError: unknown;
}

/** `{direction}` label objects, built once. */
const DIRECTION_LABELS = DIRECTION_NAMES.map((direction) => ({ direction }));

/** Builds the metrics over `sources`; the sampler timer is unref'd (it never keeps the process up). */
export function createMetrics(sources: MetricsSources, options: MetricsOptions): RstwatchMetrics {
  const nowMs = options.nowMs ?? (() => performance.now());
  const selection = new PortSelection(sources.tracker.ports, options.maxPorts, options.keepPorts);
  const sampler = new RefusalRatioSampler(selection, options.ratioWindowSeconds, nowMs);
  const shared: Shared = { sources, selection, sampler, samplerError: undefined };
  const sample = (): void => {
    try {
      sampler.sample();
      shared.samplerError = undefined;
    } catch (err) {
      shared.samplerError = err;
    }
  };
  const interval = options.sampleIntervalMs ?? RATIO_SAMPLE_INTERVAL_MS;
  const timer = interval > 0 ? setInterval(sample, interval) : undefined;
  timer?.unref();

  // Log a collector when it starts failing, not at every scrape.
  const failing = new Set<string>();
  const logger = options.logger;
  const onError = (collector: string, family: string, err: unknown): void => {
    if (failing.has(collector)) return;
    failing.add(collector);
    logger?.warn({ collector, family, err }, `metrics collector '${collector}' failed; its metrics are left out of the scrape`);
  };
  const onScrapeEnd = (failed: ReadonlySet<string>): void => {
    for (const c of failing) if (!failed.has(c)) failing.delete(c);
  };

  const registry = new Registry();
  // prom-client's typings declare no constructor argument; setContentType is the typed way.
  const openMetricsRegistry = new Registry<RegistryContentType>();
  openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  populate(registry as Registry<RegistryContentType>, shared, onError, onScrapeEnd);
  populate(openMetricsRegistry, shared, onError, onScrapeEnd);

  return {
    registry,
    openMetricsRegistry,
    sample,
    close(): void {
      if (timer) clearInterval(timer);
      registry.clear();
      openMetricsRegistry.clear();
    },
  };
}

/** Registers every family in `registry`, the collector-success family last. */
function populate(
  registry: Registry<RegistryContentType>,
  shared: Shared,
  onError: (collector: string, family: string, err: unknown) => void,
  onScrapeEnd: (failed: ReadonlySet<string>) => void,
): void {
  const guard = new CollectorGuard(onError);
  const add = (spec: MetricSpec, collector: string, read: () => Sample[]): void => {
    new ReadCollector(spec, () => guard.read(collector, spec.name, read)).registerIn(registry);
  };
  const { sources, selection } = shared;
  const { tracker, sink, capture } = sources;

  // Per-port attempt and outcome counters.
  const portCounter = (spec: MetricSpec, counter: number): void =>
    add(spec, COLLECTORS.attempts, () => {
      selection.refresh();
      const out: Sample[] = [];
      selection.forEachExported((s) => out.push({ labels: s.labels, value: selection.value(s, counter) }));
      return out;
    });
  portCounter(METRICS.synAttempts, Counter.Attempts);
  portCounter(METRICS.synRetransmits, Counter.SynRetransmits);
  portCounter(METRICS.accepted, Counter.Accepted);
  portCounter(METRICS.refused, Counter.Refused);
  portCounter(METRICS.unanswered, Counter.Unanswered);
  portCounter(METRICS.earlyResets, Counter.EarlyResets);
  const icmpLabels: Record<string, string>[][] = [];
  const icmpLabelsOf = (s: PortSeries): Record<string, string>[] =>
    (icmpLabels[s.index] ??= ICMP_REASON_NAMES.map((reason) => ({ ...s.labels, reason })));
  add(METRICS.icmpRejected, COLLECTORS.attempts, () => {
    selection.refresh();
    const out: Sample[] = [];
    selection.forEachExported((s) => {
      const labels = icmpLabelsOf(s);
      for (let r = 0; r < ICMP_REASON_NAMES.length; r++) out.push({ labels: labels[r], value: selection.value(s, FIRST_ICMP_COUNTER + r) });
    });
    return out;
  });

  add(METRICS.refusalRatio, COLLECTORS.refusalRatio, () => {
    if (shared.samplerError !== undefined) throw shared.samplerError;
    const out: Sample[] = [];
    // Series are those the sampler has seen (it refreshes the selection each second).
    selection.forEachExported((s) => {
      const ratio = shared.sampler.ratio(s);
      if (!Number.isNaN(ratio)) out.push({ labels: s.labels, value: ratio });
    });
    return out;
  });

  add(METRICS.refusalLatency, COLLECTORS.refusalLatency, () => latencySamples(tracker));

  add(METRICS.suspectResets, COLLECTORS.suspectResets, () => suspectSamples(shared));

  add(METRICS.failureCauses, COLLECTORS.causes, () => causeSamples(shared, false));
  add(METRICS.failureCausesPending, COLLECTORS.causes, () => causeSamples(shared, true));

  add(METRICS.attemptsTracked, COLLECTORS.tracker, () => [{ value: tracker.tracked }]);
  add(METRICS.attemptEvictions, COLLECTORS.tracker, () => [
    { labels: { state: EVICTION_STATE_NAMES[0] }, value: tracker.stats.evictedPending },
    { labels: { state: EVICTION_STATE_NAMES[1] }, value: tracker.stats.evictedResolved },
  ]);
  add(METRICS.resetsSeen, COLLECTORS.tracker, () => [{ value: tracker.stats.resetsSeen }]);
  add(METRICS.unmatchedAnswers, COLLECTORS.tracker, () => {
    const st = tracker.stats;
    const values = [st.unmatchedSynAcks, st.unmatchedResets, st.unmatchedIcmp];
    return UNMATCHED_KIND_NAMES.map((kind, i) => ({ labels: { kind }, value: values[i] }));
  });

  add(METRICS.captureUp, COLLECTORS.capture, () => [{ value: capture.up() ? 1 : 0 }]);
  add(METRICS.capturePackets, COLLECTORS.capture, () => [{ value: sink.packets }]);
  add(METRICS.captureDropped, COLLECTORS.capture, () => {
    // A backend without pcap_stats (cap) would report 0 forever: leave the samples out instead.
    if (!capture.statsSupported) return [];
    const st = capture.stats();
    return [
      { labels: { where: DROP_WHERE_NAMES[0] }, value: st.droppedKernel },
      { labels: { where: DROP_WHERE_NAMES[1] }, value: st.droppedInterface },
    ];
  });

  // Decode statuses: a fixed, small set, all exported from the start (rate() sees the first one).
  add(METRICS.decodeErrors, COLLECTORS.decode, () => statusSamples(sink, FIRST_ERROR_STATUS, DECODE_STATUS_COUNT));
  add(METRICS.framesSkipped, COLLECTORS.decode, () => statusSamples(sink, DecodeStatus.SKIP_NOT_IP, FIRST_ERROR_STATUS));

  // Kernel state: the latest snapshot the daemon's timer read (never read here, at scrape time).
  // Always registered (HELP/TYPE only until a snapshot exists, as for suspect resets).
  const kernel = sources.kernel ?? { latest: () => undefined };
  {
    const one = (v: number | null | undefined): Sample[] => (v === null || v === undefined ? [] : [{ value: v }]);
    add(METRICS.kernelListenOverflows, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.listenOverflows));
    add(METRICS.kernelListenDrops, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.listenDrops));
    add(METRICS.kernelSyncookiesSent, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.syncookiesSent));
    add(METRICS.kernelSomaxconn, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.somaxconn));
    add(METRICS.kernelTcpMaxSynBacklog, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpMaxSynBacklog));
    add(METRICS.kernelTcpAbortOnOverflow, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpAbortOnOverflow));
    add(METRICS.kernelSyncookies, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpSyncookies));
  }

  const buildLabels = { version: sources.version };
  add(METRICS.buildInfo, COLLECTORS.build, () => [{ labels: buildLabels, value: 1 }]);

  const before = new Set(registry.getMetricsAsArray());
  collectDefaultMetrics({ register: registry });
  for (const name of DEFAULT_METRICS_LEFT_OUT) registry.removeSingleMetric(name);
  for (const m of registry.getMetricsAsArray()) {
    if (!before.has(m)) guard.wrapForeign(m, COLLECTORS.process);
  }

  // Last: the registry reads families in registration order, so this one ends the scrape.
  const collectorNames = Object.values(COLLECTORS);
  const successLabels = collectorNames.map((collector) => ({ collector }));
  new ReadCollector(METRICS.collectorSuccess, async () => {
    const failed = await guard.finish();
    onScrapeEnd(failed);
    return collectorNames.map((c, i) => ({ labels: successLabels[i], value: failed.has(c) ? 0 : 1 }));
  }).registerIn(registry);
}

/** Decode-status counts for statuses `from` .. `to - 1`, labelled by reason. */
function statusSamples(sink: PipelineSink, from: number, to: number): Sample[] {
  const out: Sample[] = [];
  for (let s = from; s < to; s++) out.push({ labels: { reason: DECODE_STATUS_NAMES[s] }, value: sink.statusCounts[s] });
  return out;
}

const LE_LABELS: string[] = [...LATENCY_BUCKETS_SECONDS.map(String), '+Inf'];
const BUCKET_LABELS = DIRECTION_NAMES.map((direction) => LE_LABELS.map((le) => ({ direction, le })));

/** Cumulative buckets, sum and count per direction that has seen a refusal. */
function latencySamples(tracker: Tracker): Sample[] {
  const h = tracker.refusalLatency;
  const name = METRICS.refusalLatency.name;
  const slots = LE_LABELS.length;
  const out: Sample[] = [];
  for (let d = 0; d < DIRECTION_COUNT; d++) {
    if (h.count[d] === 0) continue;
    let cumulative = 0;
    for (let b = 0; b < slots; b++) {
      cumulative += h.counts[d * slots + b];
      out.push({ metricName: `${name}_bucket`, labels: BUCKET_LABELS[d][b], value: cumulative });
    }
    out.push({ metricName: `${name}_sum`, labels: DIRECTION_LABELS[d], value: h.sumSeconds[d] });
    out.push({ metricName: `${name}_count`, labels: DIRECTION_LABELS[d], value: h.count[d] });
  }
  return out;
}

/**
 * The value of series `s` from a per-port reading `get`: its port's, or, for `port="other"`, the
 * total over every port less the ports of its direction that have their own series.
 */
function seriesValue(selection: PortSelection, s: PortSeries, get: (port: number) => number, total: () => number): number {
  if (s.port !== OTHER_PORT) return get(s.port);
  let v = total();
  for (const own of selection.selected[s.direction]) v -= get(own.port);
  return v;
}

/**
 * Non-zero cause counts (or pending counts) of every exported inbound series, labelled by port,
 * outcome and cause: the same port selection as the outcome counters, so the two add up.
 */
function causeSamples(shared: Shared, pending: boolean): Sample[] {
  const src = shared.sources.causes;
  if (!src) return [];
  const selection = shared.selection;
  selection.refresh();
  const out: Sample[] = [];
  const outcomes = src.outcomeNames.length;
  const causes = pending ? 1 : src.causeNames.length;
  const value = (port: number, o: number, c: number): number => (pending ? src.pending(port, o) : src.get(port, o, c));
  const total = (o: number, c: number): number => (pending ? src.pendingTotal(o) : src.total(o, c));
  selection.forEachExported((s) => {
    if (s.direction !== Direction.Inbound) return;
    for (let o = 0; o < outcomes; o++) {
      for (let c = 0; c < causes; c++) {
        const v = seriesValue(selection, s, (port) => value(port, o, c), () => total(o, c));
        if (v <= 0) continue;
        const labels: Record<string, string> = { port: s.labels.port, outcome: src.outcomeNames[o] };
        if (!pending) labels.cause = src.causeNames[c];
        out.push({ labels, value: v });
      }
    }
  });
  return out;
}

/** Non-zero suspect-reset counts of every exported series (the same port selection). */
function suspectSamples(shared: Shared): Sample[] {
  const src = shared.sources.suspects;
  if (!src) return [];
  const selection = shared.selection;
  selection.refresh();
  const out: Sample[] = [];
  const heuristics = src.heuristicNames;
  selection.forEachExported((s) => {
    for (let h = 0; h < heuristics.length; h++) {
      const v = seriesValue(selection, s, (port) => src.get(s.direction, port, h), () => src.total(s.direction, h));
      if (v > 0) out.push({ labels: { ...s.labels, heuristic: heuristics[h] }, value: v });
    }
  });
  return out;
}
