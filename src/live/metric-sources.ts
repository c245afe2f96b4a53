/**
 * What the daemon's metrics read, from the built pipeline, the capture and the kernel reader:
 * the optional families (suspect resets, failure causes) only when their part was built.
 */
import { CAUSES } from '../causes/classify.js';
import type { FailureCauses } from '../causes/failure-causes.js';
import type { ResetDetector } from '../detect/detector.js';
import { HEURISTIC_NAMES } from '../detect/heuristics.js';
import type { CauseSource, MetricsSources, SuspectResetSource } from '../metrics/metrics.js';
import type { Pipeline } from '../pipeline/build.js';
import { FAILURE_KIND_NAMES } from '../track/attempt-events.js';
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
    capture: { up: () => capture.up(), stats: () => capture.stats(), statsSupported, sinkErrors: () => capture.sinkErrors() },
    version,
    kernel: { latest: () => kernel.latest() },
    ...(causes ? { causes: causeSource(causes) } : {}),
    ...(detector ? { suspects: suspectSource(detector) } : {}),
  };
}

function causeSource(causes: FailureCauses): CauseSource {
  return {
    outcomeNames: FAILURE_KIND_NAMES,
    causeNames: CAUSES,
    get: (p, o, c) => causes.get(p, o, c),
    total: (o, c) => causes.total(o, c),
    pending: (p, o) => causes.pending(p, o),
    pendingTotal: (o) => causes.pendingTotal(o),
  };
}

function suspectSource(detector: ResetDetector): SuspectResetSource {
  return {
    heuristicNames: HEURISTIC_NAMES,
    get: (d, p, h) => detector.counters.get(d, p, h),
    total: (d, h) => detector.counters.total(d, h),
  };
}
