/**
 * The refusing RSTs that look forged or sent by a middlebox: one row per RST with every heuristic
 * that fired on it, then a legend of the heuristics and of the TTL and baseline columns
 * (docs/detection.md says the same at length).
 */
import type { SuspectRecord } from '../../detect/evidence-record.js';
import { HEURISTIC_LEGEND } from '../suspects.js';
import { dataTable, type Column } from './data-table.js';
import { count, counted, NONE, utcTime } from './format.js';
import { markup, type Html } from './markup.js';
import { listOf, sameDay, type PageData } from './report-fields.js';

/** The columns whose figures need words. */
const COLUMN_MEANINGS: Record<string, string> = {
  'RST TTL':
    'the TTL (hop limit) the RST arrived with, then the initial TTL it was sent with and the hops it came, as inferred: 57 (64−7) left its sender at 64 and crossed 7 routers',
  baseline:
    "the same for the server's own SYN-ACKs, and how many were seen (×n); a RST from the server's own kernel matches it; none: the server never accepted a connection here, so there is no TTL verdict",
  'ack expected / got': 'the acknowledgment a RST answering the SYN must carry (its sequence number + 1), and the one it carried',
};

/** The columns, times shown without their date when all are on `sameDate`. */
function suspectColumns(sameDate: string | null): Column<SuspectRecord>[] {
  return [
    { head: sameDate === null ? 'time (UTC)' : `time (UTC, ${sameDate})`, cell: (r) => utcTime(r.ts, sameDate) },
    { head: 'client', cell: (r) => `${r.client}:${r.client_port}` },
    { head: 'server', cell: (r) => `${r.server}:${r.server_port}` },
    {
      head: 'heuristics',
      cell: (r) => markup`${listOf(r.heuristics).map((h) => markup`<span class="tag warn" title="${HEURISTIC_LEGEND[h] ?? ''}">${h}</span>`)}`,
    },
    { head: 'RST TTL', numeric: true, cell: (r) => `${r.ttl} (${r.initial_ttl}−${r.hop_distance})`, title: 'TTL as received (initial TTL − hops)' },
    {
      head: 'baseline',
      numeric: true,
      cell: (r) => (r.baseline_samples > 0 ? `${r.baseline_initial_ttl}−${r.baseline_hop_distance} ×${count(r.baseline_samples)}` : NONE),
      title: "the server's own SYN-ACKs: initial TTL − hops × how many were seen",
    },
    { head: 'ack expected / got', numeric: true, cell: (r) => (r.expected_ack === null ? NONE : `${r.expected_ack} / ${r.received_ack ?? NONE}`) },
  ];
}

/** The suspects section's body. */
export function suspectSection(report: PageData, maxRows: number): Html {
  // One record per RST already (replay-report.ts groups them).
  const listed = listOf(report.suspect_resets);
  const total = Math.max(Number(report.totals.suspect_resets) || 0, listed.length);
  if (!report.options?.detection?.enabled) return markup`<p class="note">Reset detection was off (--no-detect).</p>`;
  if (total === 0) return markup`<p>No refusing RST looks forged or sent by a middlebox.</p>`;
  const shown = listed.slice(0, maxRows);
  const sameDate = sameDay(report);
  const fired = Object.entries(report.suspect_resets_by_heuristic ?? {}).filter(([, n]) => typeof n === 'number' && n > 0);
  const more = total > shown.length ? ` ${count(shown.length)} listed; ${count(total - shown.length)} left out (see --json).` : '';
  const terms = { ...HEURISTIC_LEGEND, ...COLUMN_MEANINGS };
  const legend = Object.entries(terms).map(([term, meaning]) => markup`<dt>${term}</dt><dd>${meaning}</dd>`);
  const heuristics = fired.map(([h, n]) => `${h} ${count(n)}`).join(', ');
  return markup`<p>${count(total)} of ${counted(report.totals.refused, 'refusal')} ${total === 1 ? 'looks' : 'look'} forged or sent by a middlebox (${heuristics}).${more}</p>
${dataTable(suspectColumns(sameDate), shown, { id: 'suspects-table', empty: '' })}
<dl class="legend-list">${legend}</dl>`;
}
