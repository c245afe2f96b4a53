/**
 * The columns every table of outcome counts shares (attempts, each outcome, the failure share),
 * the sum of the rows a table left out, and the sentence that says how many it left out.
 */
import type { Column } from './data-table.js';
import { count, counted, percent } from './format.js';
import { markup } from './markup.js';
import { failureShare, type Outcomes } from './report-fields.js';

/** A failure share at or above this is shown as bad. */
const BAD_SHARE = 0.5;

/** The failure share as a cell: a percentage, marked when at or above BAD_SHARE. */
export function shareCell(o: Outcomes & { failure_ratio?: number | null }): unknown {
  const share = failureShare(o);
  return share !== null && share >= BAD_SHARE ? markup`<span class="bad">${percent(share)}</span>` : percent(share);
}

/** attempts, accepted, refused, ICMP rejected, unanswered, failure share. */
export function outcomeColumns<R extends Outcomes & { failure_ratio?: number | null }>(): Column<R>[] {
  return [
    { head: 'attempts', numeric: true, cell: (r) => count(r.attempts), title: 'connection attempts (a SYN, or a run of SYNs re-sent for the same connection)' },
    { head: 'accepted', numeric: true, cell: (r) => count(r.accepted), title: 'answered by a SYN-ACK' },
    { head: 'refused', numeric: true, cell: (r) => count(r.refused), title: 'answered by a RST' },
    { head: 'ICMP rej.', numeric: true, cell: (r) => count(r.icmp_rejected), title: 'answered by an ICMP unreachable' },
    { head: 'unanswered', numeric: true, cell: (r) => count(r.unanswered), title: 'no answer' },
    { head: 'failure share', numeric: true, cell: shareCell, title: '(refused + ICMP rejected + unanswered) / attempts that ended' },
  ];
}

/** The outcome counts of `rows` summed. */
export function sumOutcomes(rows: readonly Outcomes[]): Outcomes {
  const sum: Outcomes = { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
  for (const r of rows) {
    for (const key of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const) sum[key] += Number(r[key]) || 0;
  }
  return sum;
}

/** The cells outcomeColumns shows for `o`. */
export function outcomeCells(o: Outcomes): unknown[] {
  return outcomeColumns<Outcomes>().map((c) => c.cell(o));
}

/**
 * How many of `total` rows a table shows: all, or "the first `shown` by `order`; `total - shown`
 * left out, summed in the last row". `noun` is the row's name, singular and plural.
 */
export function shownSentence(total: number, shown: number, noun: readonly [string, string], order: string): string {
  if (shown >= total) return `${counted(total, ...noun)}.`;
  return `${counted(total, ...noun)}: the ${count(shown)} with ${order} are listed; ${count(total - shown)} left out, summed in the last row.`;
}
