/**
 * Suspect resets in the log: one `warn` line each, with the tuple and the evidence (the same
 * fields as replay's `suspect_resets`), at most `burst` lines per interval; the rest are counted
 * and the next `flush` says how many were not logged. An injector spraying resets cannot flood it.
 */
import type { Logger } from 'pino';
import type { SuspectListener } from '../detect/detector.js';
import { suspectRecord } from '../detect/evidence-record.js';

/** Suspect-reset lines allowed per interval. */
export const DEFAULT_SUSPECT_BURST = 20;

/** See the module comment. */
export class SuspectLog {
  /** Give this to the ResetDetector. */
  readonly listener: SuspectListener;
  private budget: number;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly burst = DEFAULT_SUSPECT_BURST,
  ) {
    this.budget = burst;
    this.listener = {
      suspectReset: (e) => {
        if (this.budget <= 0) {
          this.suppressed++;
          return;
        }
        this.budget--;
        const r = suspectRecord(e);
        this.log.warn(
          { event: 'suspect_reset', ...r },
          `suspect reset ${r.server}:${r.server_port} -> ${r.client}:${r.client_port} (${r.heuristics.join(', ')}): ttl ${r.ttl}` +
            (r.baseline_samples > 0 ? `, the server's own packets ${r.baseline_initial_ttl}-${r.baseline_hop_distance} hops (${r.baseline_samples})` : ''),
        );
      },
    };
  }

  /** Ends an interval: says how many lines were not logged in it, and refills the budget. */
  flush(intervalSeconds: number): void {
    if (this.suppressed > 0) {
      this.log.warn(
        { event: 'suspect_resets_not_logged', count: this.suppressed, interval_seconds: intervalSeconds },
        `${this.suppressed} more suspect resets in the last ${intervalSeconds} s were not logged one by one`,
      );
    }
    this.suppressed = 0;
    this.budget = this.burst;
  }
}
