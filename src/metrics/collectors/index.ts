/**
 * rstwatch's own collectors, one file each (node_exporter's collector/ folder), in the order their
 * families appear in a scrape. prom-client's process metrics and the collector-success family are
 * registered by metrics.ts, around these.
 */
import type { RegisterCollector } from '../sources.js';
import { registerAttempts } from './attempts.js';
import { registerBuild } from './build.js';
import { registerCapture } from './capture.js';
import { registerCauses } from './causes.js';
import { registerDecode } from './decode.js';
import { registerKernel } from './kernel.js';
import { registerRefusalLatency } from './refusal-latency.js';
import { registerRefusalRatio } from './refusal-ratio.js';
import { registerSuspectResets } from './suspect-resets.js';
import { registerTracker } from './tracker.js';

/** Every collector's registration, in exposition order. */
export const COLLECTOR_REGISTRATIONS: readonly RegisterCollector[] = [
  registerAttempts,
  registerRefusalRatio,
  registerRefusalLatency,
  registerSuspectResets,
  registerCauses,
  registerTracker,
  registerCapture,
  registerDecode,
  registerKernel,
  registerBuild,
];
