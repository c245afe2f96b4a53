/**
 * The per-port section: the ports with the most failures first (a scan's 65535 ports, one attempt
 * each, would otherwise list ports 1, 2, 3...), at most `maxRows` of them; the rest summed in one
 * row. Per port: the outcomes, the failure share beside the refusal ratio (a port failing by ICMP
 * or silence has a refusal ratio of 0), the ICMP reasons and how many came from another address.
 */
import { dataTable, type Column } from './data-table.js';
import { count, percent, words } from './format.js';
import { markup, type Html } from './markup.js';
import { outcomeColumns, shownSentence, sumOutcomes } from './outcome-columns.js';
import { failuresOf, listOf, type OutcomeRow, type PageReport } from './report-fields.js';

type PortRow = PageReport['ports'][number];

/** The ICMP reasons of `o` that are not zero, each as a tag (`port unreachable 3`). */
export function reasonTags(o: Pick<OutcomeRow, 'icmp_rejected_by_reason'>): Html {
  const reasons = Object.entries(o.icmp_rejected_by_reason ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  return markup`${reasons.map(([name, n]) => markup`<span class="tag">${words(name)} ${count(n)}</span>`)}`;
}

/** The columns; the ICMP ones only when some attempt was rejected by ICMP. */
function portColumns(icmp: boolean): Column<PortRow>[] {
  const icmpColumns: Column<PortRow>[] = [
    { head: 'ICMP reasons', cell: reasonTags, title: 'the ICMP rejections by unreachable code' },
    {
      head: 'ICMP from other',
      numeric: true,
      cell: (r) => count(r.icmp_from_other),
      title: 'ICMP rejections sent by an address other than the server: a router or firewall answering for it',
    },
  ];
  return [
    { head: 'port', numeric: true, cell: (r) => r.port, title: 'server port' },
    ...outcomeColumns<PortRow>(),
    { head: 'refusal ratio', numeric: true, cell: (r) => percent(r.refusal_ratio), title: 'refused / attempts that ended' },
    ...(icmp ? icmpColumns : []),
    { head: 'SYN re-sent', numeric: true, cell: (r) => count(r.syn_retransmits), title: 'SYNs sent again for an attempt' },
  ];
}

/** `rows` summed into one row (port 0), its ratios of the sums. */
function sumRows(rows: readonly PortRow[]): PortRow {
  const o = sumOutcomes(rows);
  const add = (key: 'icmp_from_other' | 'syn_retransmits' | 'early_resets'): number => rows.reduce((s, r) => s + (Number(r[key]) || 0), 0);
  const byReason: Record<string, number> = {};
  for (const r of rows) for (const [k, n] of Object.entries(r.icmp_rejected_by_reason ?? {})) byReason[k] = (byReason[k] ?? 0) + (Number(n) || 0);
  const ended = o.accepted + failuresOf(o);
  return {
    port: 0,
    ...o,
    syn_retransmits: add('syn_retransmits'),
    early_resets: add('early_resets'),
    refusal_ratio: ended > 0 ? o.refused / ended : null,
    icmp_rejected_by_reason: byReason,
    icmp_from_other: rows.some((r) => r.icmp_from_other !== undefined) ? add('icmp_from_other') : undefined,
  };
}

/** The order of the table: most failures, then most attempts, then the lower port. */
function byFailures(a: PortRow, b: PortRow): number {
  return failuresOf(b) - failuresOf(a) || b.attempts - a.attempts || a.port - b.port;
}

/** The ports section's body. */
export function portSection(report: PageReport, maxRows: number): Html {
  const ports = [...listOf(report.ports)].sort(byFailures);
  const shown = ports.slice(0, maxRows);
  const rest = ports.slice(maxRows);
  const columns = portColumns(report.totals.icmp_rejected !== 0);
  const restRow = sumRows(rest);
  const foot = rest.length === 0 ? undefined : [`${count(rest.length)} other ports`, ...columns.slice(1).map((c) => c.cell(restRow))];
  const sentence = shownSentence(
    ports.length,
    shown.length,
    ['server port saw an attempt', 'server ports saw an attempt'],
    'the most failures (then the most attempts)',
  );
  return markup`<p>${sentence} Failure share: refused, ICMP rejected and unanswered over the attempts that ended; the refusal ratio counts refusals (RSTs) alone, so a port that fails by ICMP or silence has a refusal ratio of 0.</p>
${dataTable(columns, shown, { id: 'ports-table', empty: 'No connection attempt seen.', foot })}`;
}
