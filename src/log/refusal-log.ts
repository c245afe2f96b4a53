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

/** Bytes of the last counts the summaries compare with (4 per direction and port; written only where a count moved). */
export const REFUSAL_LOG_BYTES = DIRECTION_COUNT * PORT_SPACE * 4 * Float64Array.BYTES_PER_ELEMENT;

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
  private readonly last = new Float64Array(REFUSAL_LOG_BYTES / Float64Array.BYTES_PER_ELEMENT);

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
  override refused(_slot: number, p: DecodedPacket, direction: number): void {
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

  /**
   * Logs the summary of the interval that just ended (nothing when nothing failed) and resets the
   * burst budget. Only the top ports are kept as objects, and `last` is written only where a count
   * moved: a summary after a scan of every port allocates no object per port and maps no page of
   * `last` for a (direction, port) that saw nothing.
   */
  summarize(intervalSeconds: number): void {
    this.firstBudget = this.burst;
    const ports = this.ports;
    const v = ports.values;
    const last = this.last;
    const top: PortDelta[] = [];
    const totals = { attempts: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
    let failing = 0;
    const seen = ports.seenPorts;
    for (let s = 0; s < ports.seenCount; s++) {
      const port = seen[s];
      for (let d = 0; d < DIRECTION_COUNT; d++) {
        const row = (d * PORT_SPACE + port) * PORT_COUNTERS;
        const at = (d * PORT_SPACE + port) * 4;
        const attempts = v[row + Counter.Attempts] - last[at];
        const refused = v[row + Counter.Refused] - last[at + 1];
        let icmp = -last[at + 2];
        for (let r = 0; r < ICMP_COUNTERS; r++) icmp += v[row + FIRST_ICMP_COUNTER + r];
        const unanswered = v[row + Counter.Unanswered] - last[at + 3];
        totals.attempts += attempts;
        if (attempts !== 0) last[at] += attempts;
        if (refused + icmp + unanswered === 0) continue;
        last[at + 1] += refused;
        last[at + 2] += icmp;
        last[at + 3] += unanswered;
        totals.refused += refused;
        totals.icmp_rejected += icmp;
        totals.unanswered += unanswered;
        failing++;
        // Only a row among the top ports is built.
        const rank = topRank(top, refused + icmp + unanswered, port);
        if (rank < TOP_PORTS) {
          top.splice(rank, 0, { direction: DIRECTION_NAMES[d], port, attempts, refused, icmp_rejected: icmp, unanswered });
          if (top.length > TOP_PORTS) top.pop();
        }
      }
    }
    if (failing === 0 && this.suppressedFirsts === 0) return;
    const suppressed = this.suppressedFirsts;
    this.suppressedFirsts = 0;
    this.log.info(
      {
        event: 'refusal_summary',
        interval_seconds: intervalSeconds,
        ...totals,
        ports_failing: failing,
        top_ports: top,
        ...(suppressed > 0 ? { first_refusals_not_logged: suppressed } : {}),
      },
      `last ${intervalSeconds} s: ${totals.refused} refused, ${totals.icmp_rejected} ICMP-rejected, ${totals.unanswered} unanswered of ${totals.attempts} attempts on ${failing} ports`,
    );
  }
}

/** Failures of a summary row. */
function failures(r: PortDelta): number {
  return r.refused + r.icmp_rejected + r.unanswered;
}

/** Where a row with `n` failures on `port` goes in `top` (most failures first, then the lowest port; after equal rows). */
function topRank(top: readonly PortDelta[], n: number, port: number): number {
  let at = top.length;
  while (at > 0 && (failures(top[at - 1]) < n || (failures(top[at - 1]) === n && top[at - 1].port > port))) at--;
  return at;
}
