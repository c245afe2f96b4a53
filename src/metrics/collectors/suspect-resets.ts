/** The `suspect_resets` collector: rstwatch_suspect_resets_total (the reset detector's counters). */
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import { seriesValue, type AddFamily, type Shared } from '../sources.js';

/** Registers rstwatch_suspect_resets_total (no samples without a detector). */
export function registerSuspectResets(add: AddFamily, shared: Shared): void {
  add(METRICS.suspectResets, COLLECTORS.suspectResets, () => suspectSamples(shared));
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
      const v = seriesValue(
        selection,
        s,
        (port) => src.get(s.direction, port, h),
        () => src.total(s.direction, h),
      );
      if (v > 0) out.push({ labels: { ...s.labels, heuristic: heuristics[h] }, value: v });
    }
  });
  return out;
}
