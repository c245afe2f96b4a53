/**
 * The replay pipeline: capture files -> frame decoder -> tracker, one frame at a time, with no
 * allocation per frame. Several files are read one after another, in the order given, as one
 * capture: the tracker's state carries over, so a SYN near the end of one file can be answered in
 * the next (give rotated files in time order).
 */
import { readCaptureFile, type CaptureReadResult, type ReadOptions } from '../capture/file-reader.js';
import { isRstwatchError, RstwatchError } from '../base/errors.js';
import { DEFAULT_HOP_THRESHOLD, type ResetDetector } from '../detect/detector.js';
import { suspectRecord, type SuspectRecord } from '../detect/evidence-record.js';
import type { Tracker, TrackerOptions } from '../track/tracker.js';
import { buildPipeline, type PipelineOptions } from './build.js';
import type { PipelineSink } from './pipeline-sink.js';

/** Suspect resets listed in a replay report at most; the rest are counted. */
export const MAX_LISTED_SUSPECTS = 10_000;

/** Replay settings: the tracker's, plus detection and reader callbacks. */
export interface ReplayOptions extends Omit<TrackerOptions, 'table' | 'ports' | 'events'> {
  /** Suspect-reset detection: its hop threshold, or false for none. Default: on, at DEFAULT_HOP_THRESHOLD. */
  detect?: { hopThreshold: number } | false;
  /** Called as each file is read: bytes so far in this file, its size (-1 if unknown), its index. */
  onProgress?: (bytesRead: number, totalBytes: number, fileIndex: number) => void;
  /** Called with each warning (a truncated last record, ...). */
  onWarning?: (message: string) => void;
  /** Read buffer size in bytes (default: the reader's DEFAULT_READ_BUFFER_BYTES). */
  bufferSize?: number;
  /** More consumers of the tracker's events (the report's collectors): see PipelineOptions. */
  consumers?: PipelineOptions['consumers'];
}

/** Everything a replay learned; the report is built from it. */
export interface ReplayResult {
  /**
   * What each file's reader returned, in order; a file that a fault stopped after it was opened is
   * the last, with what was read of it and `stoppedAt` (files after it are absent).
   */
  files: CaptureReadResult[];
  /** The pipeline's counts. */
  sink: PipelineSink;
  /** The tracker, finished: no attempt is pending. */
  tracker: Tracker;
  /** Warnings from the readers. */
  warnings: string[];
  /** The reset detector (its counts), when detection was on. */
  detector: ResetDetector | undefined;
  /** Suspect resets in capture order (at most MAX_LISTED_SUSPECTS; `detector` counts all). */
  suspects: SuspectRecord[];
  /**
   * Set when a file could not be read to its end (open error, corrupt record): everything before
   * the failure is counted, the files after it are not read.
   */
  error?: RstwatchError;
}

/** Replays `paths` (`-` is standard input) through the pipeline; never throws for bad input. */
export async function runReplay(paths: readonly string[], options: ReplayOptions = {}): Promise<ReplayResult> {
  const suspects: SuspectRecord[] = [];
  const { onProgress, onWarning, bufferSize, detect, ...trackerOptions } = options;
  const { sink, tracker, detector } = buildPipeline({
    ...trackerOptions,
    detect: detect ?? { hopThreshold: DEFAULT_HOP_THRESHOLD },
    suspects: {
      suspectReset: (e) => {
        if (suspects.length < MAX_LISTED_SUSPECTS) suspects.push(suspectRecord(e));
      },
    },
  });
  const files: CaptureReadResult[] = [];
  const warnings: string[] = [];
  let error: RstwatchError | undefined;
  for (let f = 0; f < paths.length; f++) {
    const readOptions: ReadOptions = {
      onWarning: (message) => {
        warnings.push(message);
        onWarning?.(message);
      },
      onFault: (partial) => files.push(partial),
    };
    if (bufferSize !== undefined) readOptions.bufferSize = bufferSize;
    if (onProgress) readOptions.onProgress = (bytesRead, totalBytes) => onProgress(bytesRead, totalBytes, f);
    try {
      files.push(await readCaptureFile(paths[f], sink, readOptions));
    } catch (err) {
      error = isRstwatchError(err)
        ? err
        : new RstwatchError('RSTWATCH_ERR_INTERNAL', `unexpected failure while replaying ${paths[f]}: ${String(err)}`, { cause: err });
      break;
    }
  }
  tracker.finish();
  const result: ReplayResult = { files, sink, tracker, detector, warnings, suspects };
  if (error) result.error = error;
  return result;
}
