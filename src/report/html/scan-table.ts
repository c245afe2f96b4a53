/**
 * The scans and floods the replay named: who, on what, how wide, how fast. The kinds and their
 * thresholds are those of src/report/scans.ts (docs/scans.md).
 */
import { dataTable, type Column } from './data-table.js';
import { count, counted, duration, NONE, utcTime } from './format.js';
import { markup, type Html } from './markup.js';
import { sameDay, type PageData, type ScanRow } from './report-fields.js';

/** Each kind: what it is, and what its `distinct` counts. */
const KINDS: Record<string, { meaning: string; spans: string }> = {
  vertical: { meaning: 'one client failing on many ports of one server', spans: 'ports' },
  horizontal: { meaning: 'one client failing on one port across many servers', spans: 'servers' },
  flood: { meaning: 'many clients failing on one server port: a flood, or an outage', spans: 'clients' },
};

/** A scan and its number (from 1, in the report's order). */
type NumberedScan = ScanRow & { n: number };

/** The columns, times shown without their date when every time of the capture is on `sameDate`. */
function scanColumns(sameDate: string | null): Column<NumberedScan>[] {
  return [
    { head: 'scan', numeric: true, cell: (r) => `#${r.n}`, title: 'its number, by which the port and pair tables name it' },
    { head: 'kind', cell: (r) => markup`<span class="tag" title="${KINDS[r.kind]?.meaning ?? ''}">${r.kind}</span>` },
    { head: 'client', cell: (r) => r.client ?? 'many' },
    { head: 'server', cell: (r) => r.server ?? 'many' },
    { head: 'port', numeric: true, cell: (r) => r.port ?? 'many' },
    { head: 'spans', numeric: true, cell: (r) => `${count(r.distinct)} ${KINDS[r.kind]?.spans ?? ''}`, title: 'the ports, servers or clients it spans' },
    { head: 'attempts', numeric: true, cell: (r) => count(r.attempts) },
    { head: 'failures', numeric: true, cell: (r) => count(r.failures), title: 'refused + ICMP rejected + unanswered' },
    { head: sameDate === null ? 'first (UTC)' : `first (UTC, ${sameDate})`, cell: (r) => utcTime(r.first, sameDate) },
    {
      head: 'lasted',
      numeric: true,
      cell: (r) => (r.duration_seconds === null ? NONE : duration(r.duration_seconds)),
      title: 'from its first SYN to its last',
    },
  ];
}

/** A scan in words: who failed on what, how many, how fast (`10.0.0.5 failed on 1,000 ports of 10.0.0.9 in 70.6 ms`). */
export function scanSentence(r: ScanRow): string {
  const lasted = typeof r.duration_seconds === 'number' ? ` in ${duration(r.duration_seconds)}` : '';
  if (r.kind === 'vertical') return `a vertical scan: ${r.client} failed on ${counted(r.distinct, 'port')} of ${r.server}${lasted}`;
  if (r.kind === 'horizontal') return `a horizontal scan: ${r.client} failed on port ${r.port} of ${counted(r.distinct, 'server')}${lasted}`;
  if (r.kind === 'flood') return `a flood (or an outage): ${counted(r.distinct, 'client')} failed on ${r.server} port ${r.port}${lasted}`;
  return `a ${r.kind}`;
}

/** The scans section's body; a sentence when there is none, or when the report has no scan list (an older one). */
export function scanSection(report: PageData, maxRows: number): Html {
  if (!Array.isArray(report.scans)) return markup`<p class="note">This report has no scan list (it was written by an rstwatch without one).</p>`;
  const scans = report.scans;
  const shown = scans.slice(0, maxRows).map((s, i) => ({ ...s, n: i + 1 }));
  const kinds = Object.entries(KINDS).map(([kind, k]) => markup`<dt>${kind}</dt><dd>${k.meaning}</dd>`);
  const more = scans.length > shown.length ? ` The first ${count(shown.length)} are listed; ${count(scans.length - shown.length)} left out.` : '';
  return markup`<p>${scans.length === 0 ? 'No scan or flood found.' : `${count(scans.length)} found, most failures first.${more}`}</p>
    ${scans.length === 0 ? '' : dataTable(scanColumns(sameDay(report)), shown, { id: 'scans-table', empty: '' })}
    <dl class="legend-list">${kinds}</dl>`;
}
