/**
 * The replay pipeline with a ScanFinder chained after the reset detector, built from the real
 * parts as pipeline/build.ts builds them (the attempt table, the tracker, the frame sink and its
 * decoder): what the scan tests feed crafted frames, capture files and floods to, until the
 * composition root chains the ScanFinder itself.
 */
import { readCaptureFile } from '../../src/capture/file-reader.js';
import { DEFAULT_HOP_THRESHOLD, ResetDetector } from '../../src/detect/detector.js';
import { PipelineSink } from '../../src/pipeline/pipeline-sink.js';
import { EndedAttemptFeed } from '../../src/report/collect/ended-attempt.js';
import { ScanFinder, type ScanOptions } from '../../src/report/scans.js';
import { chainEvents } from '../../src/track/attempt-events.js';
import { AttemptTable } from '../../src/track/attempt-table.js';
import { Tracker } from '../../src/track/tracker.js';

/** The parts a scan test reads. */
export interface ScanPipeline {
  readonly sink: PipelineSink;
  readonly tracker: Tracker;
  readonly scans: ScanFinder;
}

/** Settings of the test pipeline: the scan options, the table's size and the attempt timeout (replay's 0 unless given). */
export interface ScanPipelineOptions {
  scans?: ScanOptions;
  maxAttempts?: number;
  attemptTimeoutSeconds?: number;
}

/** Builds the pipeline; see the module comment. */
export function scanPipeline(options: ScanPipelineOptions = {}): ScanPipeline {
  const table = new AttemptTable(options.maxAttempts ?? 65_536);
  const view = table.view;
  const detector = new ResetDetector({ slots: view.capacity, clock: view.clock, hopThreshold: DEFAULT_HOP_THRESHOLD });
  const scans = new ScanFinder(options.scans);
  const feed = new EndedAttemptFeed(view, [scans]);
  const tracker = new Tracker({ table, attemptTimeoutSeconds: options.attemptTimeoutSeconds ?? 0, events: chainEvents([detector, feed]) });
  return { sink: new PipelineSink(tracker), tracker, scans };
}

/** Replays capture files `paths`, in order, through a new scan pipeline and finishes it. */
export async function replayScans(paths: readonly string[], options: ScanPipelineOptions = {}): Promise<ScanPipeline> {
  const p = scanPipeline(options);
  for (const path of paths) await readCaptureFile(path, p.sink);
  p.tracker.finish();
  return p;
}
