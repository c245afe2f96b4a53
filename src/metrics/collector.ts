/**
 * Read-at-scrape collectors for prom-client, and the guard that keeps one failing collector from
 * failing the scrape (node_exporter's `scrape_collector_success`).
 *
 * A `ReadCollector` is a metric family whose samples are computed from rstwatch's own counters
 * when the registry asks for them; it stores nothing and changes nothing. prom-client's Registry
 * needs four things of a registered metric: `name`, `type`, `get()` (name, help, type, values)
 * and `reset()`; a ReadCollector implements exactly those, so it registers like a Gauge without
 * copying every value into prom-client's label maps at each scrape.
 *
 * prom-client 15's Registry, in OpenMetrics mode, renames every registered counter in place
 * (`x_total` -> `x`, then writes samples as `x_total`): a counter registered in both a text and
 * an OpenMetrics registry would lose its `_total` in the text format after the first OpenMetrics
 * scrape. Each registry therefore gets its own collector objects (see metrics.ts).
 */
import type { Metric, Registry, RegistryContentType } from 'prom-client';
import type { MetricSpec } from './names.js';

/** One sample: labels (reused objects are fine: the registry only reads them) and a value. */
export interface Sample {
  /** Label values by name; omitted for a metric without labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** The value (counters: cumulative count; gauges: current value). */
  readonly value: number;
  /** The sample name when it differs from the family's (histograms: `_bucket`, `_sum`, `_count`). */
  readonly metricName?: string;
}

/** A metric family as prom-client's Registry reads it from `get()`. */
export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: Sample[];
  readonly aggregator: string;
}

/** Receives a collector failure: which collector, which family, the error. */
export type CollectorErrorHandler = (collector: string, family: string, err: unknown) => void;

/** Failures and pending asynchronous reads of one scrape. */
class ScrapeRecord {
  readonly failed = new Set<string>();
  readonly pending: Promise<unknown>[] = [];
}

/**
 * Runs every read of a registry under a try/catch and remembers, per scrape, which collectors
 * failed. A scrape is the span between two `finish()` calls: the registry asks for every family
 * in registration order, synchronously, so the success family, registered last, ends it.
 */
export class CollectorGuard {
  private current = new ScrapeRecord();

  constructor(private readonly onError: CollectorErrorHandler) {}

  /** Returns `read()`'s samples, or none (and marks `collector` failed) when it throws. */
  read(collector: string, family: string, read: () => Sample[]): Sample[] {
    try {
      return read();
    } catch (err) {
      this.current.failed.add(collector);
      this.onError(collector, family, err);
      return [];
    }
  }

  /**
   * Wraps a prom-client metric registered by someone else (the default process metrics) so that
   * a throw or a rejection marks `collector` failed and yields the family with no samples.
   */
  wrapForeign(metric: { readonly name: string; readonly help: string; readonly type: unknown }, collector: string): void {
    const target = metric as unknown as Record<string, unknown>;
    for (const method of ['get', 'getForPromString']) {
      const original = target[method];
      if (typeof original !== 'function') continue;
      target[method] = (): Promise<unknown> => {
        const record = this.current;
        let result: Promise<unknown>;
        try {
          result = Promise.resolve(original.call(metric));
        } catch (err) {
          result = Promise.reject(err);
        }
        const guarded = result.catch((err: unknown) => {
          record.failed.add(collector);
          this.onError(collector, metric.name, err);
          return { name: metric.name, help: metric.help, type: metric.type, values: [], aggregator: 'sum' };
        });
        record.pending.push(guarded);
        return guarded;
      };
    }
  }

  /** Ends the current scrape: waits for its asynchronous reads, returns the collectors that failed. */
  async finish(): Promise<ReadonlySet<string>> {
    const record = this.current;
    this.current = new ScrapeRecord();
    await Promise.allSettled(record.pending);
    return record.failed;
  }
}

/** A metric family read from rstwatch's counters at scrape time; see the module comment. */
export class ReadCollector {
  /** Family name (prom-client strips `_total` from counters of an OpenMetrics registry). */
  name: string;
  /** HELP text. */
  readonly help: string;
  /** Prometheus type. */
  readonly type: MetricSpec['type'];
  /** How prom-client's cluster aggregation combines workers (unused here). */
  readonly aggregator = 'sum';

  constructor(
    spec: MetricSpec,
    private readonly read: () => Sample[] | Promise<Sample[]>,
  ) {
    this.name = spec.name;
    this.help = spec.help;
    this.type = spec.type;
  }

  /** The family and its samples, as prom-client's Registry expects them. */
  get(): Family | Promise<Family> {
    const values = this.read();
    if (values instanceof Promise) return values.then((v) => this.family(v));
    return this.family(values);
  }

  private family(values: Sample[]): Family {
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** Nothing to reset: the values live in rstwatch's counters, which metrics never change. */
  reset(): void {}

  /** Registers this family in `registry`. */
  registerIn(registry: Registry<RegistryContentType>): void {
    // prom-client types registerMetric for its own classes; it only calls what is implemented here.
    registry.registerMetric(this as unknown as Metric);
  }
}
