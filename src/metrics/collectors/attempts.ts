/** The `attempts` collector: per-port attempt and outcome counters (tracker.ports), ICMP by reason. */
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../../track/counters.js';
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS, type MetricSpec } from '../names.js';
import type { PortSeries } from '../port-selection.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers the per-port outcome counters and rstwatch_icmp_rejected_total. */
export function registerAttempts(add: AddFamily, shared: Shared): void {
  const { selection } = shared;
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
  // Label objects per series and reason, built once per series.
  const icmpLabels: Record<string, string>[][] = [];
  const icmpLabelsOf = (s: PortSeries): Record<string, string>[] => (icmpLabels[s.index] ??= ICMP_REASON_NAMES.map((reason) => ({ ...s.labels, reason })));
  add(METRICS.icmpRejected, COLLECTORS.attempts, () => {
    selection.refresh();
    const out: Sample[] = [];
    selection.forEachExported((s) => {
      const labels = icmpLabelsOf(s);
      for (let r = 0; r < ICMP_REASON_NAMES.length; r++) out.push({ labels: labels[r], value: selection.value(s, FIRST_ICMP_COUNTER + r) });
    });
    return out;
  });
}
