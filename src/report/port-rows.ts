/**
 * The report's server-port rows, read from the tracker's port counters as they are printed: one row
 * per port that saw an attempt, in port order, each counter summed over the directions. There is no
 * object per port: a port scan touches all 65535, whose rows are 25 MB of JSON; the JSON
 * (json-report.ts) and the table write them straight from the counters.
 */
import { DIRECTION_COUNT } from '../track/direction.js';
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES, PORT_COUNTERS, PORT_SPACE, type PortCounters } from '../track/counters.js';
import { outcomes, type OutcomeCounts } from './outcomes.js';

/** One server port's row, as `--json` prints it. */
export interface PortRow extends OutcomeCounts {
  port: number;
}

/** Port rows read by index, without an object per row (the table and the page pick what they show). */
export interface PortSource {
  /** Rows: ports that saw an attempt. */
  readonly count: number;
  /** The server port of row `i`. */
  port(i: number): number;
  /** `counter` (a `Counter`) of row `i`. */
  value(i: number, counter: number): number;
  /** ICMP rejections of row `i` sent by another address than the server. */
  icmpFromOther(i: number): number;
  /** Row `i` as an object (what `--json` prints for it). */
  row(i: number): PortRow;
}

/** The rows of the ports that saw an attempt; reads the counters, never changes them. */
export class PortRows implements PortSource {
  /** Rows: ports that saw an attempt. */
  readonly count: number;
  /** The port of each row, ascending. */
  private readonly ports: Uint16Array;
  private readonly values: Float64Array;

  /**
   * @param counters the tracker's port counters
   * @param fromOther ICMP rejections sent by another address than the server, by `direction * PORT_SPACE + port`
   */
  constructor(
    counters: PortCounters,
    private readonly fromOther: Float64Array,
  ) {
    this.ports = counters.seenPorts.slice(0, counters.seenCount).sort();
    this.count = this.ports.length;
    this.values = counters.values;
  }

  /** The server port of row `i`. */
  port(i: number): number {
    return this.ports[i];
  }

  /** `counter` (a `Counter`) of row `i`, over every direction. */
  value(i: number, counter: number): number {
    const at = this.ports[i] * PORT_COUNTERS + counter;
    let sum = 0;
    for (let d = 0; d < DIRECTION_COUNT; d++) sum += this.values[d * PORT_SPACE * PORT_COUNTERS + at];
    return sum;
  }

  /** ICMP rejections of row `i` sent by another address than the server, over every direction. */
  icmpFromOther(i: number): number {
    let sum = 0;
    for (let d = 0; d < DIRECTION_COUNT; d++) sum += this.fromOther[d * PORT_SPACE + this.ports[i]];
    return sum;
  }

  /** Row `i` as an object (what `--json` prints for it). */
  row(i: number): PortRow {
    return { port: this.port(i), ...outcomes((c) => this.value(i, c), this.icmpFromOther(i)) };
  }

  /** Every row as an object, in port order. */
  rows(): PortRow[] {
    return Array.from({ length: this.count }, (_, i) => this.row(i));
  }
}

/** The JSON field of each `Counter` a port row prints, but the ICMP reasons (by name). */
const ROW_FIELDS: Partial<Record<number, 'attempts' | 'accepted' | 'refused' | 'unanswered' | 'syn_retransmits' | 'early_resets'>> = {
  [Counter.Attempts]: 'attempts',
  [Counter.Accepted]: 'accepted',
  [Counter.Refused]: 'refused',
  [Counter.Unanswered]: 'unanswered',
  [Counter.SynRetransmits]: 'syn_retransmits',
  [Counter.EarlyResets]: 'early_resets',
};

/** Port rows already made objects (a report's `ports`, as `--json` printed them), read as a PortSource. */
export class PortArray implements PortSource {
  readonly count: number;

  constructor(private readonly rows: readonly PortRow[]) {
    this.count = rows.length;
  }

  port(i: number): number {
    return this.rows[i].port;
  }

  value(i: number, counter: number): number {
    const field = ROW_FIELDS[counter];
    if (field !== undefined) return Number(this.rows[i][field]) || 0;
    const reason = ICMP_REASON_NAMES[counter - FIRST_ICMP_COUNTER];
    return counter >= FIRST_ICMP_COUNTER && reason !== undefined ? Number(this.rows[i].icmp_rejected_by_reason?.[reason]) || 0 : 0;
  }

  icmpFromOther(i: number): number {
    return Number(this.rows[i].icmp_from_other) || 0;
  }

  row(i: number): PortRow {
    return this.rows[i];
  }
}
