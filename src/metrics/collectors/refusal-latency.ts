/** The `refusal_latency` collector: rstwatch_refusal_latency_seconds (tracker.refusalLatency). */
import { DIRECTION_COUNT, DIRECTION_NAMES } from '../../track/direction.js';
import { LATENCY_BUCKETS_SECONDS } from '../../track/latency-histogram.js';
import type { Tracker } from '../../track/tracker.js';
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** `{direction}` label objects, built once. */
const DIRECTION_LABELS = DIRECTION_NAMES.map((direction) => ({ direction }));
const LE_LABELS: string[] = [...LATENCY_BUCKETS_SECONDS.map(String), '+Inf'];
const BUCKET_LABELS = DIRECTION_NAMES.map((direction) => LE_LABELS.map((le) => ({ direction, le })));

/** Registers the refusal latency histogram. */
export function registerRefusalLatency(add: AddFamily, shared: Shared): void {
  add(METRICS.refusalLatency, COLLECTORS.refusalLatency, () => latencySamples(shared.sources.tracker));
}

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
