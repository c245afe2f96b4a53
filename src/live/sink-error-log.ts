/**
 * A throw from the pipeline while it handles a captured frame is a bug in rstwatch: the capture
 * skips that frame and goes on, and counts it (`rstwatch_capture_sink_errors_total`). This log
 * says so too, with the error, once per check that finds new ones, so that a bug shows up in the
 * log with its stack instead of only as a number, and a bug hit on every frame makes one line per
 * check, not one per frame.
 */
import type { Logger } from 'pino';

/** Where the errors are counted: the capture controller. */
export interface SinkErrorSource {
  sinkErrors(): number;
  lastSinkError(): unknown;
}

/** Logs the sink errors that came since the last `check`. */
export class SinkErrorLog {
  private logged = 0;

  constructor(
    private readonly source: SinkErrorSource,
    private readonly log: Logger,
  ) {}

  /** Logs one error line if the count grew since the last check; returns how many were new. */
  check(): number {
    const total = this.source.sinkErrors();
    const fresh = total - this.logged;
    if (fresh <= 0) return 0;
    this.logged = total;
    this.log.error(
      { event: 'sink_errors', new: fresh, total, err: this.source.lastSinkError() },
      `${fresh} captured frame batch(es) skipped: the pipeline threw (a bug in rstwatch; please report it with this line)`,
    );
    return fresh;
  }
}
