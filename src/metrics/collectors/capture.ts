/** The `capture` collector: whether the capture runs, how long and how often it stopped, frames seen, drops (pcap_stats and the capture queue). */
import { COLLECTORS, DROP_WHERE_NAMES, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

/** Registers the capture's state, packet and drop counters. */
export function registerCapture(add: AddFamily, shared: Shared): void {
  const { sink, capture } = shared.sources;
  add(METRICS.captureUp, COLLECTORS.capture, () => [{ value: capture.up() ? 1 : 0 }]);
  add(METRICS.captureDownSeconds, COLLECTORS.capture, () => [{ value: capture.downSeconds() }]);
  add(METRICS.captureFaults, COLLECTORS.capture, () => [{ value: capture.faults() }]);
  add(METRICS.capturePackets, COLLECTORS.capture, () => [{ value: sink.packets }]);
  add(METRICS.captureSinkErrors, COLLECTORS.capture, () => [{ value: capture.sinkErrors() }]);
  add(METRICS.captureDropped, COLLECTORS.capture, () => {
    // A backend without pcap_stats (cap) would report 0 forever: leave the samples out instead.
    if (!capture.statsSupported) return [];
    const st = capture.stats();
    return [
      { labels: { where: DROP_WHERE_NAMES[0] }, value: st.droppedKernel },
      { labels: { where: DROP_WHERE_NAMES[1] }, value: st.droppedInterface },
      { labels: { where: DROP_WHERE_NAMES[2] }, value: st.droppedQueue },
    ];
  });
}
