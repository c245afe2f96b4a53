/** The `tracker` collector: the attempt table's size and evictions, resets seen, unmatched answers. */
import { COLLECTORS, EVICTION_STATE_NAMES, METRICS, UNMATCHED_KIND_NAMES } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers the tracker's table statistics. */
export function registerTracker(add: AddFamily, shared: Shared): void {
  const { tracker } = shared.sources;
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
}
