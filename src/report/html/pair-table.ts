/**
 * Who refuses whom: the (server, port, client) pairs with the most failures, at most `maxRows`;
 * the rest (those the report lists beyond them and those it folded into `pairs_other`) summed in
 * one row; then the top refusing servers, refused clients and the addresses that sent ICMP
 * rejections for others.
 */
import { dataTable, type Column } from './data-table.js';
import { count, utcTime } from './format.js';
import { markup, type Html } from './markup.js';
import { outcomeCells, outcomeColumns, shownSentence, sumOutcomes } from './outcome-columns.js';
import { failuresOf, listOf, sameDay, type IcmpAnswerer, type PageReport, type PairRow } from './report-fields.js';

/** The columns, times shown without their date when every time of the capture is on `sameDate`. */
function pairColumns(sameDate: string | null): Column<PairRow>[] {
  const date = sameDate === null ? '' : ` (${sameDate})`;
  return [
    { head: 'server', cell: (r) => r.server },
    { head: 'port', numeric: true, cell: (r) => r.port },
    { head: 'client', cell: (r) => r.client },
    ...outcomeColumns<PairRow>(),
    { head: `first${date}`, cell: (r) => utcTime(r.first, sameDate), title: 'the first SYN of the first attempt, UTC' },
    { head: `last${date}`, cell: (r) => utcTime(r.last, sameDate), title: 'the first SYN of the latest attempt, UTC' },
  ];
}

/** Most failures, then most attempts; ties keep the report's order (the sort is stable). */
function byFailures(a: PairRow, b: PairRow): number {
  return failuresOf(b) - failuresOf(a) || b.attempts - a.attempts;
}

/** The pairs section's body; a sentence instead when the report has no pairs (an older one). */
export function pairSection(report: PageReport, maxRows: number): Html {
  const tops = topLists(report);
  if (!Array.isArray(report.pairs))
    return markup`<p class="note">This report has no per-pair counts (it was written by an rstwatch without them).</p>
      ${tops}`;
  const pairs = [...report.pairs].sort(byFailures);
  const shown = pairs.slice(0, maxRows);
  const rest = pairs.slice(maxRows);
  const folded = report.pairs_other ?? null;
  const leftOut = sumOutcomes(folded ? [...rest, folded] : rest);
  const leftOutPairs = rest.length + (folded?.pairs ?? 0);
  const total = pairs.length + (folded?.pairs ?? 0);
  const sameDate = sameDay(report);
  const columns = pairColumns(sameDate);
  const foot = leftOutPairs === 0 ? undefined : [`${count(leftOutPairs)} other pairs`, '', '', ...outcomeCells(leftOut), '', ''];
  const foldedNote = folded ? ` ${count(folded.pairs)} of them were folded by the replay itself (--max-pairs) and are known only as a sum.` : '';
  return markup`<p>${shownSentence(total, shown.length, ['(server, port, client) pair', '(server, port, client) pairs'], 'the most failures (then the most attempts)')}${foldedNote}</p>
    ${dataTable(columns, shown, { id: 'pairs-table', empty: 'No connection attempt seen.', foot })}${tops}`;
}

/** The top refusing servers, refused clients and ICMP answerers, side by side. */
function topLists(report: PageReport): Html {
  const refused: Column<{ address: string; refused: number }>[] = [
    { head: 'address', cell: (r) => r.address },
    { head: 'refused', numeric: true, cell: (r) => count(r.refused) },
  ];
  const lists: [string, string, Html][] = [
    [
      'Top refusing servers',
      'the addresses that sent the most refusing RSTs',
      dataTable(refused, listOf(report.top_refusing_servers), { id: 'refusing-servers', empty: 'none' }),
    ],
    [
      'Top refused clients',
      'the addresses that got the most refusing RSTs',
      dataTable(refused, listOf(report.top_refused_clients), { id: 'refused-clients', empty: 'none' }),
    ],
  ];
  if (Array.isArray(report.icmp_answerers)) {
    const columns: Column<IcmpAnswerer>[] = [
      { head: 'address', cell: (r) => r.address },
      { head: 'rejections', numeric: true, cell: (r) => count(r.rejections) },
    ];
    const what = 'addresses that sent ICMP unreachables for servers other than themselves: routers or firewalls';
    lists.push(['ICMP answerers', what, dataTable(columns, report.icmp_answerers, { id: 'icmp-answerers', empty: 'none' })]);
  }
  return markup`<div class="tops">${lists.map(([title, what, table]) => markup`<div><h3 title="${what}">${title}</h3>${table}</div>`)}</div>`;
}
