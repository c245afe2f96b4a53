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
import { failuresOf, listOf, sameDay, type IcmpAnswerer, type Outcomes, type PageData, type PairRow, type ScanRow } from './report-fields.js';
import { groupPairs, SCAN_SPANS } from '../scan-groups.js';

/** A row as the table shows it: a pair, or the pairs a scan failed on once each, summed (`many` where they differ). */
type ShownPair = Outcomes & { server: string; port: string; client: string; first: string | null; last: string | null; scan: string };

/** The columns, times shown without their date when every time of the capture is on `sameDate`; the scan column when a row is a scan's. */
function pairColumns(sameDate: string | null, named: boolean): Column<ShownPair>[] {
  const date = sameDate === null ? '' : ` (${sameDate})`;
  return [
    { head: 'server', cell: (r) => r.server },
    { head: 'port', numeric: true, cell: (r) => r.port },
    { head: 'client', cell: (r) => r.client },
    ...outcomeColumns<ShownPair>(),
    { head: `first${date}`, cell: (r) => utcTime(r.first, sameDate), title: 'the first SYN of the first attempt, UTC' },
    { head: `last${date}`, cell: (r) => utcTime(r.last, sameDate), title: 'the first SYN of the latest attempt, UTC' },
    ...(named ? [{ head: 'scan', cell: (r: ShownPair) => r.scan, title: 'the scan or flood (above) whose pairs, failed once each, the row sums' }] : []),
  ];
}

/** Most failures, then most attempts; ties keep the report's order (the sort is stable). */
function byFailures(a: Outcomes, b: Outcomes): number {
  return failuresOf(b) - failuresOf(a) || b.attempts - a.attempts;
}

/** The row of the pairs `pairs` scan `s` (number `k`, from 0) failed on once each: what they share, and how many of what they do not. */
function scanPairsRow(s: ScanRow, k: number, pairs: readonly PairRow[]): ShownPair {
  const times = (key: 'first' | 'last'): string[] =>
    pairs
      .map((p) => p[key])
      .filter((t): t is string => t !== null)
      .sort();
  const many = `${count(pairs.length)} ${SCAN_SPANS[s.kind]}`;
  return {
    ...sumOutcomes(pairs),
    server: s.server ?? many,
    port: s.port === null ? many : String(s.port),
    client: s.client ?? many,
    first: times('first')[0] ?? null,
    last: times('last').at(-1) ?? null,
    scan: `#${k + 1}`,
  };
}

/** The pairs section's body; a sentence instead when the report has no pairs (an older one). */
export function pairSection(report: PageData, maxRows: number): Html {
  const tops = topLists(report);
  if (!Array.isArray(report.pairs))
    return markup`<p class="note">This report has no per-pair counts (it was written by an rstwatch without them).</p>
      ${tops}`;
  const scans = listOf(report.scans);
  const { groups, single } = groupPairs(scans, [...report.pairs].sort(byFailures));
  const grouped = groups.slice(0, maxRows).map(([k, ps]) => scanPairsRow(scans[k], k, ps));
  const shown = single.slice(0, Math.max(0, maxRows - grouped.length));
  const rest = [...groups.slice(grouped.length).flatMap(([, ps]) => ps), ...single.slice(shown.length)];
  const folded = report.pairs_other ?? null;
  const leftOut = sumOutcomes(folded ? [...rest, folded] : rest);
  const leftOutPairs = rest.length + (folded?.pairs ?? 0);
  const total = report.pairs.length + (folded?.pairs ?? 0);
  const listed = total - leftOutPairs;
  const rows: ShownPair[] = [...grouped, ...shown.map((p) => ({ ...p, port: String(p.port), scan: '' }))];
  const columns = pairColumns(sameDay(report), grouped.length > 0);
  const foot =
    leftOutPairs === 0 ? undefined : [`${count(leftOutPairs)} other pairs`, '', '', ...outcomeCells(leftOut), '', '', ...(grouped.length > 0 ? [''] : [])];
  const foldedNote = folded ? ` ${count(folded.pairs)} of them were folded by the replay itself (--max-pairs) and are known only as a sum.` : '';
  const groupNote = grouped.length > 0 ? ' The pairs a scan failed on once each are one row per scan (its number in the scans table).' : '';
  return markup`<p>${shownSentence(total, listed, ['(server, port, client) pair', '(server, port, client) pairs'], 'the most failures (then the most attempts)')}${groupNote}${foldedNote}</p>
    ${dataTable(columns, rows, { id: 'pairs-table', empty: 'No connection attempt seen.', foot })}${tops}`;
}

/** The top refusing servers, refused clients and ICMP answerers, side by side. */
function topLists(report: PageData): Html {
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
