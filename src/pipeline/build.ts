/**
 * The composition root of the pipeline, for replay and live alike: builds the attempt table, the
 * port counters, the consumers of the tracker's events (the optional reset detector, cause engine
 * and logs) over the table's read-only view, chains them once, then the tracker and the frame
 * sink. Everything is built in the order data flows, each part given what it reads at
 * construction: nothing is attached afterwards. A part switched off is absent, not tested per
 * packet. The commands read the returned parts (metrics, the report, the daemon's timers).
 */
import type { Logger } from 'pino';
import { FailureCauses, type FailureCausesOptions } from '../causes/failure-causes.js';
import { ResetDetector, type SuspectEvidence, type SuspectListener } from '../detect/detector.js';
import { RefusalLog } from '../log/refusal-log.js';
import { SuspectLog } from '../log/suspect-log.js';
import { chainEvents, type AttemptEvents } from '../track/attempt-events.js';
import type { AttemptView } from '../track/attempt-view.js';
import { AttemptTable } from '../track/attempt-table.js';
import { PortCounters } from '../track/counters.js';
import { DEFAULT_MAX_ATTEMPTS, Tracker, type TrackerOptions } from '../track/tracker.js';
import { PipelineSink } from './pipeline-sink.js';

/** Tracker settings, plus which consumers to build. */
export interface PipelineOptions extends Omit<TrackerOptions, 'table' | 'ports' | 'events'> {
  /** Suspect-reset detection: its hop threshold, or false (the default) for none. */
  detect?: { hopThreshold: number } | false;
  /** Told of each suspect reset (replay's records), besides the suspect log and cause engine. */
  suspects?: SuspectListener;
  /** The live cause engine's settings; absent: no cause engine. */
  causes?: FailureCausesOptions;
  /** Where the refusal and suspect logs write; absent: no logs. */
  log?: Logger;
  /**
   * More consumers of the tracker's events, made over the table's view (the replay report's
   * collectors, built by the command, which the pipeline does not know), told after the others.
   */
  consumers?: readonly ((view: AttemptView) => AttemptEvents)[];
}

/** The built pipeline: frames go to `sink`; the rest is read by metrics, the report and timers. */
export interface Pipeline {
  /** Where frames go (decode -> tracker). */
  readonly sink: PipelineSink;
  readonly tracker: Tracker;
  /** The reset detector, when detection is on. */
  readonly detector: ResetDetector | undefined;
  /** The cause engine, when asked for. */
  readonly causes: FailureCauses | undefined;
  /** The refusal and suspect logs, when a logger was given. */
  readonly refusalLog: RefusalLog | undefined;
  readonly suspectLog: SuspectLog | undefined;
}

/** Builds the pipeline; see the module comment. */
export function buildPipeline(options: PipelineOptions = {}): Pipeline {
  const { detect = false, suspects, causes: causeOptions, log, consumers = [], ...trackerOptions } = options;
  const table = new AttemptTable(trackerOptions.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const view = table.view; // all the consumers may know of the table
  const ports = new PortCounters();
  const causes = causeOptions === undefined ? undefined : new FailureCauses(view, causeOptions);
  const suspectLog = log === undefined ? undefined : new SuspectLog(log.child({ component: 'suspects' }));
  const refusalLog = log === undefined ? undefined : new RefusalLog(log.child({ component: 'refusals' }), ports);
  const detector =
    detect === false
      ? undefined
      : new ResetDetector({
          slots: view.capacity,
          clock: view.clock,
          hopThreshold: detect.hopThreshold,
          listener: allOf([suspects, suspectLog?.listener, causes]),
        });
  // The detector first: it judges a refusal before the cause engine counts it.
  const events = chainEvents([detector, causes, refusalLog, ...consumers.map((make) => make(view))]);
  const tracker = new Tracker({ ...trackerOptions, table, ports, events });
  return { sink: new PipelineSink(tracker), tracker, detector, causes, refusalLog, suspectLog };
}

/** One listener telling `listeners` (absent ones skipped) in order; undefined for none. Suspect resets are rare: no need to be clever. */
function allOf(listeners: readonly (SuspectListener | undefined)[]): SuspectListener | undefined {
  const present = listeners.filter((l): l is SuspectListener => l !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return {
    suspectReset: (e: SuspectEvidence) => {
      for (const l of present) l.suspectReset(e);
    },
  };
}
