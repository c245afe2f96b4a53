/**
 * The cause engine's counts, in typed arrays indexed by port (STYLE: counters by port are typed
 * arrays): decided failures by (port, outcome, cause) and failures still waiting by (port,
 * outcome), with their sums over every port, and the ports that ever had a failure.
 *
 * Memory, by construction: a column of PORT_SPACE counts (512 KiB) per (outcome, cause) pair that
 * has been counted at least once, allocated then: at most OUTCOME_COUNT x CAUSE_COUNT columns
 * (20 MiB), in practice two or three (a port scan fills one: refused, no_listener). The waiting
 * counts are one array of OUTCOME_COUNT x PORT_SPACE (2 MiB, allocated at construction; the system
 * maps its pages only as they are written). Nothing is allocated per port or per failure.
 */
import { FAILURE_KIND_NAMES } from '../track/attempt-events.js';
import { PORT_SPACE } from '../track/counters.js';
import { CAUSES } from './classify.js';

/** Outcomes (FailureKind order). */
export const OUTCOME_COUNT = FAILURE_KIND_NAMES.length;
/** Causes (CAUSES order). */
export const CAUSE_COUNT = CAUSES.length;
/** Bytes of one column of decided counts (one per port). */
export const CAUSE_COLUMN_BYTES = PORT_SPACE * Float64Array.BYTES_PER_ELEMENT;
/** Bytes of the waiting counts (one per outcome and port). */
export const PENDING_COUNTS_BYTES = OUTCOME_COUNT * PORT_SPACE * Float64Array.BYTES_PER_ELEMENT;

/** See the module comment. */
export class CauseCounts {
  /** [outcome * CAUSE_COUNT + cause] -> count per port, null until that pair is first counted. */
  private readonly columns: (Float64Array | null)[] = new Array<Float64Array | null>(OUTCOME_COUNT * CAUSE_COUNT).fill(null);
  /** Sums over every port, [outcome * CAUSE_COUNT + cause]. */
  private readonly totals = new Float64Array(OUTCOME_COUNT * CAUSE_COUNT);
  /** Waiting failures, [outcome * PORT_SPACE + port]. */
  private readonly waiting = new Float64Array(OUTCOME_COUNT * PORT_SPACE);
  private readonly waitingTotals = new Float64Array(OUTCOME_COUNT);
  /** 1 for a port that had a failure (waiting or decided). */
  private readonly seen = new Uint8Array(PORT_SPACE);
  /** Ports that had a failure, in the order of their first: `failedPorts[0 .. failedPortCount)`. */
  readonly failedPorts = new Uint16Array(PORT_SPACE);
  failedPortCount = 0;

  /** Count of `cause` for (port, outcome), decided so far. */
  get(port: number, outcome: number, cause: number): number {
    const column = this.columns[outcome * CAUSE_COUNT + cause];
    return column === null ? 0 : column[port];
  }

  /** Count of `cause` for `outcome` over every port. */
  total(outcome: number, cause: number): number {
    return this.totals[outcome * CAUSE_COUNT + cause];
  }

  /** Failures of (port, outcome) waiting. */
  pending(port: number, outcome: number): number {
    return this.waiting[outcome * PORT_SPACE + port];
  }

  /** Failures of `outcome` waiting, over every port. */
  pendingTotal(outcome: number): number {
    return this.waitingTotals[outcome];
  }

  /** True when `port` had a failure (waiting or decided). */
  failed(port: number): boolean {
    return this.seen[port] === 1;
  }

  /** Columns of decided counts allocated (each CAUSE_COLUMN_BYTES). */
  get columnCount(): number {
    return this.columns.reduce((n, c) => (c === null ? n : n + 1), 0);
  }

  /** `n` failures of (port, outcome) start waiting. */
  addPending(port: number, outcome: number, n: number): void {
    this.waiting[outcome * PORT_SPACE + port] += n;
    this.waitingTotals[outcome] += n;
    if (this.seen[port] === 0) {
      this.seen[port] = 1;
      this.failedPorts[this.failedPortCount++] = port;
    }
  }

  /** `n` waiting failures of (port, outcome) are decided as `cause`. */
  decide(port: number, outcome: number, cause: number, n: number): void {
    this.waiting[outcome * PORT_SPACE + port] -= n;
    this.waitingTotals[outcome] -= n;
    const at = outcome * CAUSE_COUNT + cause;
    let column = this.columns[at];
    if (column === null) this.columns[at] = column = new Float64Array(PORT_SPACE);
    column[port] += n;
    this.totals[at] += n;
  }
}
