/**
 * Refusals in the log, without flooding it: a consumer of the tracker's `refused` event
 * (track/attempt-events.ts). The first refusal on a (direction, port) is logged at once (at most `burst` such lines per interval; the rest are counted and mentioned in the
 * next summary), and every interval one summary line gives the refused, ICMP-rejected and
 * unanswered attempts of that interval with the busiest ports. A burst of 50 000 refusals a
 * second is one line every interval, not 50 000. Counters are read, never changed.
 */
import type { Logger } from 'pino';
import { AttemptEventsBase } from '../track/attempt-events.js';
import { Counter, FIRST_ICMP_COUNTER, PORT_COUNTERS, PORT_SPACE, type PortCounters } from '../track/counters.js';
import { DIRECTION_COUNT, DIRECTION_NAMES } from '../track/direction.js';
import { formatAddress } from '../net/address.js';
import type { DecodedPacket } from '../wire/decoded-packet.js';

/** Default summary interval, seconds. */
export const DEFAULT_SUMMARY_SECONDS = 10;
/** First-occurrence lines allowed per interval. */
export const DEFAULT_FIRST_BURST = 10;
/** Ports listed in one summary line. */
const TOP_PORTS = 10;

const ICMP_COUNTERS = 5;

/** One port's failures over an interval, as the summary lists it. */
interface PortDelta {
  direction: string;
  port: number;
  attempts: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
}

/** Rate-limited refusal logging; see the module comment. Chain it after the counting consumers. */
export class RefusalLog extends AttemptEventsBase {
  private firstBudget: number;
  private suppressedFirsts = 0;
  /** Last seen cumulative (attempts, refused, icmp, unanswered) per (direction, port). */
  private readonly last = new Float64Array(DIRECTION_COUNT * PORT_SPACE * 4);

  /**
   * @param log where the lines go
   * @param ports the tracker's port counters (read only): a refusal is the first when its count is 1; the summaries read them
   * @param burst first-refusal lines allowed per interval
   */
  constructor(
    private readonly log: Logger,
    private readonly ports: PortCounters,
    private readonly burst = DEFAULT_FIRST_BURST,
  ) {
    super();
    this.firstBudget = burst;
  }

  /** The tracker counted refusal `p` (server -> client): logged when it is the first on (direction, port). */
  override refused(_slot: number, p: DecodedPacket, direction: number, _ts: number): void {
    const port = p.srcPort;
    if (this.ports.get(direction, port, Counter.Refused) !== 1) return;
    if (this.firstBudget <= 0) {
      this.suppressedFirsts++;
      return;
    }
    this.firstBudget--;
    const client = formatAddress(p.dst);
    const server = formatAddress(p.src);
    this.log.warn(
      { event: 'first_refusal', direction: DIRECTION_NAMES[direction], port, client, server },
      `first refused connection to port ${port} (${DIRECTION_NAMES[direction]}): ${client} -> ${server}`,
    );
  }

  /** Logs the summary of the interval that just ended (nothing when nothing failed) and resets the burst budget. */
  summarize(intervalSeconds: number): void {
    this.firstBudget = this.burst;
    const ports = this.ports;
    const v = ports.values;
    const rows: PortDelta[] = [];
    const totals = { attempts: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
    const seen = ports.seenPorts;
    for (let s = 0; s < ports.seenCount; s++) {
      const port = seen[s];
      for (let d = 0; d < DIRECTION_COUNT; d++) {
        const row = (d * PORT_SPACE + port) * PORT_COUNTERS;
        let icmp = 0;
        for (let r = 0; r < ICMP_COUNTERS; r++) icmp += v[row + FIRST_ICMP_COUNTER + r];
        const now = [v[row + Counter.Attempts], v[row + Counter.Refused], icmp, v[row + Counter.Unanswered]];
        const at = (d * PORT_SPACE + port) * 4;
        const delta = now.map((x, i) => x - this.last[at + i]);
        for (let i = 0; i < 4; i++) this.last[at + i] = now[i];
        if (delta[1] + delta[2] + delta[3] === 0) {
          totals.attempts += delta[0];
          continue;
        }
        rows.push({ direction: DIRECTION_NAMES[d], port, attempts: delta[0], refused: delta[1], icmp_rejected: delta[2], unanswered: delta[3] });
        totals.attempts += delta[0];
        totals.refused += delta[1];
        totals.icmp_rejected += delta[2];
        totals.unanswered += delta[3];
      }
    }
    if (rows.length === 0 && this.suppressedFirsts === 0) return;
    rows.sort((a, b) => b.refused + b.icmp_rejected + b.unanswered - (a.refused + a.icmp_rejected + a.unanswered) || a.port - b.port);
    const suppressed = this.suppressedFirsts;
    this.suppressedFirsts = 0;
    this.log.info(
      {
        event: 'refusal_summary',
        interval_seconds: intervalSeconds,
        ...totals,
        ports_failing: rows.length,
        top_ports: rows.slice(0, TOP_PORTS),
        ...(suppressed > 0 ? { first_refusals_not_logged: suppressed } : {}),
      },
      `last ${intervalSeconds} s: ${totals.refused} refused, ${totals.icmp_rejected} ICMP-rejected, ${totals.unanswered} unanswered of ${totals.attempts} attempts on ${rows.length} ports`,
    );
  }
}
