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
import { CollectorGuard, ReadCollector, type Sample } from './collector.js';
import { COLLECTOR_REGISTRATIONS } from './collectors/index.js';
import { COLLECTORS, DEFAULT_METRICS_LEFT_OUT, METRICS, type MetricSpec } from './names.js';
import { PortSelection } from './port-selection.js';
import { RATIO_SAMPLE_INTERVAL_MS, RefusalRatioSampler } from './refusal-ratio.js';
import type { MetricsSources, Shared } from './sources.js';

export type { CauseSource, MetricsSources, SuspectResetSource } from './sources.js';

/** A logger for collector failures (pino's `warn(obj, msg)` fits). */
export interface MetricsLogger {
  warn(obj: object, msg: string): void;
}

/** How the metrics bound and compute their series. */
export interface MetricsOptions {
  /** Port label values admitted per direction besides `keepPorts`; the rest are `port="other"`. */
  maxPorts: number;
  /** Ports that always get their own series once touched (the --ports list). */
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

/** Registers every family in `registry`: rstwatch's collectors, prom-client's process metrics, and the collector-success family last. */
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
  for (const register of COLLECTOR_REGISTRATIONS) register(add, shared);

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
