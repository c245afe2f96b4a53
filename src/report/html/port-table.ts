/**
 * The per-port section: the ports with the most failures first (a scan's 65535 ports, one attempt
 * each, would otherwise list ports 1, 2, 3...), at most `maxRows` of them; on a scan, the ports it
 * failed on once each summed in one row per scan (scan-groups.ts, as the table does); the rest
 * summed in one row. Per port: the outcomes, the failure share beside the refusal ratio (a port failing by ICMP
 * or silence has a refusal ratio of 0), the ICMP reasons and how many came from another address.
 */
import { dataTable, type Column } from './data-table.js';
import { count, percent, words } from './format.js';
import { markup, type Html } from './markup.js';
import { outcomeColumns, shownSentence } from './outcome-columns.js';
import { listOf, type OutcomeRow, type PageData } from './report-fields.js';
import type { PortRow } from '../port-rows.js';
import { selectPorts } from '../scan-groups.js';

/** The ICMP reasons of `o` that are not zero, each as a tag (`port unreachable 3`). */
export function reasonTags(o: Pick<OutcomeRow, 'icmp_rejected_by_reason'>): Html {
  const reasons = Object.entries(o.icmp_rejected_by_reason ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  return markup`${reasons.map(([name, n]) => markup`<span class="tag">${words(name)} ${count(n)}</span>`)}`;
}

/** A row as the table shows it: a port, or the ports a scan failed on once each, summed; the scans it belongs to. */
type ShownPort = PortRow & { label: string; scans: string };

/** The columns; the ICMP ones only when some attempt was rejected by ICMP, the scan one only when a row names a scan. */
function portColumns(icmp: boolean, named: boolean): Column<ShownPort>[] {
  const icmpColumns: Column<ShownPort>[] = [
    { head: 'ICMP reasons', cell: reasonTags, title: 'the ICMP rejections by unreachable code' },
    {
      head: 'ICMP from other',
      numeric: true,
      cell: (r) => count(r.icmp_from_other),
      title: 'ICMP rejections sent by an address other than the server: a router or firewall answering for it',
    },
  ];
  return [
    { head: 'port', numeric: true, cell: (r) => r.label, title: 'server port, or the ports a scan failed on once each' },
    ...outcomeColumns<ShownPort>(),
    { head: 'refusal ratio', numeric: true, cell: (r) => percent(r.refusal_ratio), title: 'refused / attempts that ended' },
    ...(icmp ? icmpColumns : []),
    { head: 'SYN re-sent', numeric: true, cell: (r) => count(r.syn_retransmits), title: 'SYNs sent again for an attempt' },
    ...(named ? [{ head: 'scan', cell: (r: ShownPort) => r.scans, title: 'the scans and floods (above) the port belongs to' }] : []),
  ];
}

/** The ports section's body. */
export function portSection(report: PageData, maxRows: number): Html {
  const sel = selectPorts(report.ports, listOf(report.scans), listOf(report.pairs), maxRows, 'failures');
  const scansOf = (port: number): string => (sel.scanOf.get(port) ?? []).map((k) => `#${k + 1}`).join(', ');
  const rows: ShownPort[] = [
    ...sel.groups.map((g) => ({ ...g.sum, label: `${count(g.ports)} ports`, scans: `#${g.scan + 1}` })),
    ...sel.shown.map((p) => ({ ...p, label: String(p.port), scans: scansOf(p.port) })),
  ];
  const named = rows.some((r) => r.scans !== '');
  const columns = portColumns(report.totals.icmp_rejected !== 0, named);
  const rest = sel.rest;
  const foot = rest === null ? undefined : [`${count(rest.ports)} other ports`, ...columns.slice(1).map((c) => c.cell({ ...rest.sum, label: '', scans: '' }))];
  const listed = sel.groups.reduce((n, g) => n + g.ports, 0) + sel.shown.length;
  const sentence = shownSentence(
    sel.total,
    listed,
    ['server port saw an attempt', 'server ports saw an attempt'],
    'the most failures (then the most attempts)',
  );
  const grouped =
    sel.groups.length > 0
      ? ' The ports a scan failed on once each are one row per scan (its number in the scans table); the ports it found open keep their rows.'
      : '';
  return markup`<p>${sentence}${grouped} Failure share: refused, ICMP rejected and unanswered over the attempts that ended; the refusal ratio counts refusals (RSTs) alone, so a port that fails by ICMP or silence has a refusal ratio of 0.</p>
${dataTable(columns, rows, { id: 'ports-table', empty: 'No connection attempt seen.', foot })}`;
}
