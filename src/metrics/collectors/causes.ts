/** The `causes` collector: rstwatch_failure_causes_total and _pending (the live cause engine). */
import { Direction } from '../../track/direction.js';
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import { seriesValue, type AddFamily, type Shared } from '../sources.js';

/** Registers the cause counters (no samples without a cause engine). */
export function registerCauses(add: AddFamily, shared: Shared): void {
  add(METRICS.failureCauses, COLLECTORS.causes, () => causeSamples(shared, false));
  add(METRICS.failureCausesPending, COLLECTORS.causes, () => causeSamples(shared, true));
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
        const v = seriesValue(
          selection,
          s,
          (port) => value(port, o, c),
          () => total(o, c),
        );
        if (v <= 0) continue;
        const labels: Record<string, string> = { port: s.labels.port, outcome: src.outcomeNames[o] };
        if (!pending) labels.cause = src.causeNames[c];
        out.push({ labels, value: v });
      }
    }
  });
  return out;
}
