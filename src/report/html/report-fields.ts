/**
 * The report as the page reads it: `ReplayReport` with the fields issue 13 adds (who refuses whom,
 * the timeline, who answered with ICMP, the failure share, the scans) each optional, so that a
 * report written before them (an older `--json` file) still renders, the missing parts said to be
 * missing. The shapes are ReplayReport's (src/report/replay-report.ts).
 */
import type { OutcomeCounts } from '../outcomes.js';
import type { PortSource } from '../port-rows.js';
import type { EndedCounts, PairJson, PairsOther, ReplayReport, TimelineJson } from '../replay-report.js';
import type { ScanRow } from '../scans.js';
import { utcDate } from './format.js';

/** The four outcomes of an attempt, as counted in every row. */
export type Outcomes = EndedCounts;

/** Outcome counts of a port, a direction or all attempts; an older report lacks the failure share and who sent the ICMP. */
export type OutcomeRow = Omit<OutcomeCounts, 'failure_ratio' | 'icmp_from_other'> & Partial<Pick<OutcomeCounts, 'failure_ratio' | 'icmp_from_other'>>;

/** Outcomes per (server, server port, client). */
export type PairRow = PairJson;

/** The pairs folded beyond `--max-pairs`, summed; `pairs` counts them. */
export type { PairsOther };

/** The timeline; an older report's (had it one) lacks `unknown_time`. */
export type Timeline = Omit<TimelineJson, 'unknown_time'> & Partial<Pick<TimelineJson, 'unknown_time'>>;

/** One bucket of the timeline. */
export type TimelineBucket = TimelineJson['buckets'][number];

/** A scan or flood: `vertical` (client, server set), `horizontal` (client, port set), `flood` (server, port set); docs/scans.md. */
export type { ScanRow };

/** An address that sent ICMP unreachables for servers other than itself. */
export type IcmpAnswerer = ReplayReport['icmp_answerers'][number];

/** The report the page renders: `ReplayReport`, issue 13's fields optional. */
export type PageReport = Omit<
  ReplayReport,
  'ports' | 'totals' | 'directions' | 'pairs' | 'pairs_other' | 'timeline' | 'icmp_answerers' | 'scans' | 'scan_finder'
> & {
  ports: (OutcomeRow & { port: number })[];
  totals: OutcomeRow & { suspect_resets: number };
  directions: Record<string, OutcomeRow>;
  pairs?: PairRow[];
  pairs_other?: PairsOther | null;
  timeline?: Timeline | null;
  icmp_answerers?: IcmpAnswerer[];
  scans?: ScanRow[];
  scan_finder?: ReplayReport['scan_finder'];
};

/** `value` when it is a list, else an empty one (a field missing from an older report). */
export function listOf<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** refused + icmp_rejected + unanswered of `o`. */
export function failuresOf(o: Outcomes): number {
  return o.refused + o.icmp_rejected + o.unanswered;
}

/** The failure share of `o`: its own `failure_ratio` when the report has it, else failures over attempts that ended (null when none ended). */
export function failureShare(o: Outcomes & { failure_ratio?: number | null }): number | null {
  if (o.failure_ratio !== undefined) return o.failure_ratio;
  const ended = o.accepted + failuresOf(o);
  return ended > 0 ? failuresOf(o) / ended : null;
}

/** The UTC date of the whole capture when it began and ended on one (its times can then be shown without it), else null. */
export function sameDay(report: Pick<PageReport, 'capture'>): string | null {
  const first = utcDate(report.capture?.first);
  return first !== null && first === utcDate(report.capture?.last) ? first : null;
}

/** The report as the sections read it: its port rows read by index (renderHtmlReport makes a report's list one), so that a scan's 65535 need not be objects. */
export type PageData = Omit<PageReport, 'ports'> & { ports: PortSource };
