/** The `refusal_ratio` collector: rstwatch_refusal_ratio from the sampler's ring. */
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers rstwatch_refusal_ratio; a failed last sample fails this collector. */
export function registerRefusalRatio(add: AddFamily, shared: Shared): void {
  add(METRICS.refusalRatio, COLLECTORS.refusalRatio, () => {
    if (shared.samplerError !== undefined) throw shared.samplerError;
    const out: Sample[] = [];
    // Series are those the sampler has seen (it refreshes the selection each second).
    shared.selection.forEachExported((s) => {
      const ratio = shared.sampler.ratio(s);
      if (!Number.isNaN(ratio)) out.push({ labels: s.labels, value: ratio });
    });
    return out;
  });
}
