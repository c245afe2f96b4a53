/**
 * What the daemon's metrics read, from the built pipeline, the capture and the kernel reader:
 * the optional families (suspect resets, failure causes) only when their part was built (the
 * cause engine and the detector's counters are the metrics' sources as they are).
 */
import type { MetricsSources } from '../metrics/metrics.js';
import type { Pipeline } from '../pipeline/build.js';
import type { CaptureController } from './capture-controller.js';
import type { KernelReader } from './kernel-reader.js';

/** The metric sources of a live pipeline; `statsSupported` is the capture backend's. */
export function liveMetricSources(
  pipeline: Pipeline,
  capture: CaptureController,
  statsSupported: boolean,
  kernel: KernelReader,
  version: string,
): MetricsSources {
  const { tracker, sink, detector, causes } = pipeline;
  return {
    tracker,
    sink,
    capture: {
      up: () => capture.up(),
      downSeconds: () => capture.downSeconds(),
      faults: () => capture.faults,
      stats: () => capture.stats(),
      statsSupported,
      sinkErrors: () => capture.sinkErrors(),
    },
    version,
    kernel: { latest: () => kernel.latest() },
    ...(causes ? { causes } : {}),
    ...(detector ? { suspects: detector.counters } : {}),
  };
}
