/**
 * A replay run for the report: the pipeline's replay (pipeline/replay.ts) with the report's own
 * consumers of the tracker's events chained in (the pair and timeline collector, the scan finder,
 * told of each ended attempt by collect/ended-attempt.ts), which the pipeline does not know; in
 * this thread, or in the report thread (collect/report-thread.ts). The commands and tests that
 * print a report start here.
 */
import { RstwatchError } from '../base/errors.js';
import { runReplay, type ReplayOptions, type ReplayResult } from '../pipeline/replay.js';
import { EndedAttemptFeed } from './collect/ended-attempt.js';
import { ReportCollector, type CollectOptions } from './collect/report-collector.js';
import {
  ReportThread,
  reportWorkerEntry,
  useReportThread,
  whyOneThread,
  type Collected,
  type FoundScans,
  type ReportThreadChoice,
} from './collect/report-thread.js';
import { ScanFinder } from './scans.js';

/** Replay settings, plus the collector's and where it runs. */
export interface ReportRunOptions extends Omit<ReplayOptions, 'consumers'>, CollectOptions {
  /** Whether the collectors run in a second thread (default `auto`). */
  reportThread?: ReportThreadChoice;
  /** The report thread's script: the build's (reportWorkerEntry) unless given (tests). */
  reportWorker?: string;
}

/** What a replay learned, with what the report's collector and scan finder found. */
export interface ReportRun extends ReplayResult {
  readonly collector: Collected;
  readonly scans: FoundScans;
  /** True when the collectors ran in the report thread. */
  readonly threaded: boolean;
}

/** Replays `paths` (`-` is standard input) with the report's collector; never throws for bad input. */
export async function replayForReport(paths: readonly string[], options: ReportRunOptions = {}): Promise<ReportRun> {
  const { maxPairs, bucketSeconds, reportThread = 'auto', reportWorker, ...replayOptions } = options;
  const entry = reportWorker ?? reportWorkerEntry();
  if (useReportThread(paths, reportThread, entry)) {
    const thread = new ReportThread(entry, { maxPairs, bucketSeconds });
    let result: ReplayResult;
    try {
      result = await runReplay(paths, { ...replayOptions, consumers: [(view) => new EndedAttemptFeed(view, [thread.writer])] });
    } catch (err) {
      await thread.stop();
      throw err;
    }
    try {
      return { ...result, ...(await thread.finish()), threaded: true };
    } catch (err) {
      throw new RstwatchError('RSTWATCH_ERR_INTERNAL', `the report thread failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  if (reportThread === 'on') replayOptions.onWarning?.(`--report-thread on: ${whyOneThread(paths, entry)}; the report is counted on this thread`);
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
  return { ...result, collector: collector as ReportCollector, scans: scans as ScanFinder, threaded: false };
}
