/**
 * The report as the page reads it: `ReplayReport` with the fields issue 13 adds (who refuses whom,
 * the timeline, scans, who answered with ICMP, the failure share) each optional, so that a report
 * written before them (an older `--json` file) still renders, the missing parts said to be missing.
 * The shapes are those of the design (`pairs`, `pairs_other`, `timeline`, `icmp_answerers`,
 * `scans`, `failure_ratio`, `icmp_from_other`).
 */
import type { OutcomeCounts } from '../outcomes.js';
import type { ReplayReport } from '../replay-report.js';

/** The four outcomes of an attempt, as counted in every row. */
export interface Outcomes {
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
}

/** Outcome counts of a port, a direction or all attempts, with the fields issue 13 adds. */
export type OutcomeRow = OutcomeCounts & {
  /** (refused + icmp_rejected + unanswered) / attempts that ended; null when none ended. */
  failure_ratio?: number | null;
  /** ICMP rejections sent by an address other than the server's. */
  icmp_from_other?: number;
};

/** Outcomes per (server, server port, client). Times: the first SYN of the first and of the latest attempt (RFC 3339 UTC). */
export interface PairRow extends Outcomes {
  server: string;
  port: number;
  client: string;
  first: string | null;
  last: string | null;
}

/** The pairs folded beyond `--max-pairs`, summed; `pairs` counts them. */
export interface PairsOther extends Outcomes {
  pairs: number;
}

/** Attempts by the bucket of their first SYN; `start` is RFC 3339 UTC (null beyond the range of a date). */
export interface TimelineBucket extends Outcomes {
  start: string | null;
}

/** The timeline: every bucket from the first to the last, zeros included. */
export interface Timeline {
  bucket_seconds: number;
  buckets: TimelineBucket[];
}

/** A scan or flood: `vertical` (client, server set), `horizontal` (client, port set), `flood` (server, port set). */
export interface ScanRow {
  kind: string;
  client: string | null;
  server: string | null;
  port: number | null;
  /** The ports, servers or clients it spans. */
  distinct: number;
  attempts: number;
  failures: number;
  first: string | null;
  last: string | null;
  duration_seconds: number | null;
}

/** An address that sent ICMP unreachables for servers other than itself. */
export interface IcmpAnswerer {
  address: string;
  rejections: number;
}

/** The report the page renders: `ReplayReport`, issue 13's fields optional. */
export type PageReport = Omit<ReplayReport, 'ports' | 'totals' | 'directions'> & {
  ports: (OutcomeRow & { port: number })[];
  totals: OutcomeRow & { suspect_resets: number };
  directions: Record<string, OutcomeRow>;
  pairs?: PairRow[];
  pairs_other?: PairsOther | null;
  timeline?: Timeline | null;
  icmp_answerers?: IcmpAnswerer[];
  scans?: ScanRow[];
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
