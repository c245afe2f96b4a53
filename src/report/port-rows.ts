/**
 * The report's server-port rows, read from the tracker's port counters as they are printed: one row
 * per port that saw an attempt, in port order, each counter summed over the directions. There is no
 * object per port: a port scan touches all 65535, whose rows are 25 MB of JSON; the JSON
 * (json-report.ts) and the table write them straight from the counters.
 */
import { DIRECTION_COUNT } from '../track/direction.js';
import { Counter, PORT_COUNTERS, PORT_SPACE, type PortCounters } from '../track/counters.js';
import { outcomes, type OutcomeCounts } from './outcomes.js';

/** One server port's row, as `--json` prints it. */
export interface PortRow extends OutcomeCounts {
  port: number;
}

/** The rows of the ports that saw an attempt; reads the counters, never changes them. */
export class PortRows {
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

  /** The row indexes, busiest first: most attempts, then the lower port. */
  busiest(): Int32Array {
    const attempts = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) attempts[i] = this.value(i, Counter.Attempts);
    return Int32Array.from({ length: this.count }, (_, i) => i).sort((a, b) => attempts[b] - attempts[a] || a - b);
  }
}
