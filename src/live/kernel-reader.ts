/**
 * The namespace's kernel state, read by the daemon's timer (never per packet, never at scrape):
 * the rstwatch_kernel_* metrics read the latest snapshot, and the cause engine is given each one.
 * Owners are looked up only for listeners with connections queued (the only ones whose owner can
 * decide a cause). A read still running when the next is due is not doubled.
 */
import type { Logger } from 'pino';
import type { FailureCauses } from '../causes/failure-causes.js';
import { readKernelState, type KernelStateSnapshot } from '../kernel/kernel-state.js';

/** See the module comment. */
export class KernelReader {
  private snapshot: KernelStateSnapshot | undefined;
  private reading = false;
  /** The parts the last read could not see, as logged (a change is logged once). */
  private errors = '';

  /**
   * @param causes the cause engine told of each read, if there is one
   * @param log where a change in the parts that cannot be read is logged
   */
  constructor(
    private readonly causes: FailureCauses | undefined,
    private readonly log: Logger,
  ) {}

  /** The latest snapshot, if one was read. */
  latest(): KernelStateSnapshot | undefined {
    return this.snapshot;
  }

  /** Starts a read unless one is running; the cause engine gets its result. */
  read(): void {
    if (this.reading) return;
    this.reading = true;
    readKernelState({ ownersOf: 'queued' })
      .then((s) => {
        this.snapshot = s;
        this.causes?.addRead(s, Date.now());
        this.logErrors(s);
      })
      .finally(() => {
        this.reading = false;
      });
  }

  private logErrors(s: KernelStateSnapshot): void {
    const errors = s.errors.map((e) => e.what).join(', ');
    if (errors === this.errors) return;
    if (errors !== '') {
      this.log.warn({ event: 'kernel_state_partial', errors: s.errors }, `cannot read part of the kernel state (${errors}): causes that need it are unknown`);
    }
    this.errors = errors;
  }
}
