/**
 * A replay run for the report: the pipeline's replay (pipeline/replay.ts) with the report's own
 * consumers of the tracker's events chained in (the pair and timeline collector, the scan finder),
 * which the pipeline does not know. The commands and tests that print a report start here.
 */
import { runReplay, type ReplayOptions, type ReplayResult } from '../pipeline/replay.js';
import { EndedAttemptFeed } from './collect/ended-attempt.js';
import { ReportCollector, type CollectOptions } from './collect/report-collector.js';
import { ScanFinder } from './scans.js';

/** Replay settings, plus the collector's. */
export interface ReportRunOptions extends Omit<ReplayOptions, 'consumers'>, CollectOptions {}

/** What a replay learned, with the report's collector and scan finder. */
export interface ReportRun extends ReplayResult {
  readonly collector: ReportCollector;
  readonly scans: ScanFinder;
}

/** Replays `paths` (`-` is standard input) with the report's collector; never throws for bad input. */
export async function replayForReport(paths: readonly string[], options: ReportRunOptions = {}): Promise<ReportRun> {
  const { maxPairs, bucketSeconds, ...replayOptions } = options;
  let collector: ReportCollector | undefined;
  let scans: ScanFinder | undefined;
  const result = await runReplay(paths, {
    ...replayOptions,
    consumers: [
      (view) => {
        collector = new ReportCollector({ maxPairs, bucketSeconds });
        scans = new ScanFinder();
        return new EndedAttemptFeed(view, [collector, scans]);
      },
    ],
  });
  // buildPipeline makes every consumer before the first frame.
  return { ...result, collector: collector as ReportCollector, scans: scans as ScanFinder };
}
