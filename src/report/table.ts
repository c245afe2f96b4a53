/**
 * The replay report as text a person reads: totals, then per server port, then who refuses whom.
 */
import { Counter } from '../track/counters.js';
import type { OutcomeCounts } from './outcomes.js';
import type { ReplaySummary } from './replay-report.js';

/** Rendering choices. */
export interface TableOptions {
  /** Port rows to show, busiest first; Infinity shows all. */
  maxPortRows: number;
  /** Suspect-reset rows to show. */
  maxSuspectRows: number;
}

/** How a capture time beyond the range of a date is shown (the JSON has null). */
const OUT_OF_RANGE = '(out of range)';

function pct(ratio: number | null): string {
  return ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`;
}

function seconds(v: number | null): string {
  if (v === null) return '-';
  if (v < 0.001) return `${(v * 1e6).toFixed(0)} us`;
  if (v < 1) return `${(v * 1e3).toFixed(1)} ms`;
  return `${v.toFixed(2)} s`;
}

function grid(header: string[], rows: string[][], rightAlign: boolean[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const COUNT_HEADER = ['attempts', 'accepted', 'refused', 'icmp_rej', 'unanswered', 'refusal', 'syn_rexmit'];

function countCells(o: OutcomeCounts): string[] {
  return [o.attempts, o.accepted, o.refused, o.icmp_rejected, o.unanswered].map(String).concat(pct(o.refusal_ratio), String(o.syn_retransmits));
}

/** Renders the report as a plain-text table (ends with a newline). */
export function renderTable(r: ReplaySummary, options: TableOptions): string {
  const sections = [headerSection(r), totalsSection(r), portsSection(r, options), topSection(r), suspectsSection(r, options), notesSection(r)];
  return `${sections.flat().join('\n')}\n`;
}

/** What was read: files, packets, time span, the settings that change the counts. */
function headerSection(r: ReplaySummary): string[] {
  const files = r.files.map(
    (f) =>
      `${f.path} (${f.format}, ${f.frames} frames${f.truncated_tail ? ', truncated' : ''}${f.stopped_at !== null ? `, stopped at byte ${f.stopped_at}` : ''})`,
  );
  const span =
    r.packets === 0
      ? 'no timestamps'
      : r.capture.first === null && r.capture.last === null
        ? 'times out of the range of a date'
        : `${r.capture.first ?? OUT_OF_RANGE} .. ${r.capture.last ?? OUT_OF_RANGE} (${seconds(r.capture.duration_seconds)})`;
  const timeout = r.options.attempt_timeout_seconds > 0 ? `${r.options.attempt_timeout_seconds} s` : 'none (end of capture)';
  return [
    `rstwatch ${r.rstwatch_version} replay: ${files.join(', ') || '(no file read)'}`,
    `${r.packets} packets, ${span}`,
    `attempt timeout: ${timeout}; local networks: ${r.options.local_nets.join(', ') || 'none given (direction unknown)'}`,
    '',
  ];
}

/** Totals, per direction when directions were told apart, and ICMP rejections by reason. */
function totalsSection(r: ReplaySummary): string[] {
  const out: string[] = [];
  const directionRows = Object.entries(r.directions).filter(([, o]) => o.attempts > 0);
  const totalRows: string[][] = [['all', ...countCells(r.totals)]];
  if (directionRows.length > 1 || (directionRows.length === 1 && directionRows[0][0] !== 'unknown')) {
    for (const [name, o] of directionRows) totalRows.push([name, ...countCells(o)]);
  }
  out.push('Totals');
  out.push(...grid(['', ...COUNT_HEADER], totalRows, [false, true, true, true, true, true, true, true]));
  const reasons = Object.entries(r.totals.icmp_rejected_by_reason).filter(([, n]) => n > 0);
  if (reasons.length > 0) out.push(`icmp_rejected by reason: ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  out.push('');
  return out;
}

/** One row per server port, busiest first, at most `options.maxPortRows`. */
function portsSection(r: ReplaySummary, options: TableOptions): string[] {
  const out: string[] = [];
  const rows = r.ports;
  const shown = rows.busiest().subarray(0, Math.min(rows.count, options.maxPortRows));
  out.push(`Server ports (${rows.count}${shown.length < rows.count ? `, busiest ${shown.length} shown; --all-ports or --json for all` : ''})`);
  if (shown.length === 0) {
    out.push('(no connection attempt seen)');
  } else {
    out.push(
      ...grid(
        ['port', ...COUNT_HEADER],
        Array.from(shown, (i) => [String(rows.port(i)), ...countCells(rows.row(i))]),
        [true, true, true, true, true, true, true, true],
      ),
    );
  }
  out.push('');
  return out;
}

/** The top refusing servers beside the top refused clients, and the refusal latency. */
function topSection(r: ReplaySummary): string[] {
  if (r.top_refusing_servers.length === 0) return [];
  const out = ['Top refusing servers                     Top refused clients'];
  const n = Math.max(r.top_refusing_servers.length, r.top_refused_clients.length);
  for (let i = 0; i < n; i++) {
    const s = r.top_refusing_servers[i];
    const c = r.top_refused_clients[i];
    const left = s ? `${String(s.refused).padStart(8)}  ${s.address}` : '';
    const right = c ? `${String(c.refused).padStart(8)}  ${c.address}` : '';
    out.push(`${left.padEnd(41)}${right}`.trimEnd());
  }
  const l = r.refusal_latency_seconds;
  out.push(`refusal latency: median ${seconds(l.p50)}, p99 ${seconds(l.p99)}, max ${seconds(l.max)} (${l.count} refusals)`);
  out.push('');
  return out;
}

/** The refusals that look forged or sent by a middlebox, with their evidence. */
function suspectsSection(r: ReplaySummary, options: TableOptions): string[] {
  if (r.totals.suspect_resets === 0) return [];
  const fired = Object.entries(r.suspect_resets_by_heuristic).filter(([, n]) => n > 0);
  const out = [
    `Suspect resets: ${r.totals.suspect_resets} of ${r.totals.refused} refusals look forged or sent by a middlebox (${fired.map(([k, n]) => `${k} ${n}`).join(', ')})`,
  ];
  const rows = r.suspect_resets
    .slice(0, options.maxSuspectRows)
    .map((x) => [
      x.ts === null ? OUT_OF_RANGE : x.ts.replace('T', ' ').replace('Z', ''),
      `${x.client}:${x.client_port}`,
      `${x.server}:${x.server_port}`,
      x.heuristics.join(','),
      `${x.ttl} (${x.initial_ttl}-${x.hop_distance})`,
      x.baseline_samples > 0 ? `${x.baseline_initial_ttl}-${x.baseline_hop_distance} x${x.baseline_samples}` : '-',
      x.expected_ack === null ? '-' : `${x.expected_ack}/${x.received_ack}`,
    ]);
  out.push(
    ...grid(['time', 'client', 'server', 'heuristics', 'ttl (init-hops)', 'baseline', 'ack exp/got'], rows, [false, false, false, false, true, true, true]),
  );
  if (r.totals.suspect_resets > rows.length) out.push(`(${r.totals.suspect_resets - rows.length} more in --json)`);
  out.push('');
  return out;
}

/** What was not counted, or counted apart: early resets, unmatched answers, bad frames, evictions, warnings. */
function notesSection(r: ReplaySummary): string[] {
  const notes: string[] = [];
  if (r.totals.early_resets > 0) {
    const ports: string[] = [];
    for (let i = 0; i < r.ports.count && ports.length < 10; i++) {
      const n = r.ports.value(i, Counter.EarlyResets);
      if (n > 0) ports.push(`${r.ports.port(i)} (${n})`);
    }
    notes.push(
      `${r.totals.early_resets} accepted connections were reset by the server before it sent any data (early resets: a full accept queue with tcp_abort_on_overflow=1, or an application closing at once); ports: ${ports.join(', ')}`,
    );
  }
  const unmatched = r.unmatched.syn_acks + r.unmatched.resets + r.unmatched.icmp;
  if (unmatched > 0) {
    notes.push(`answers matching no attempt (not counted as attempts): ${r.unmatched.syn_acks} SYN-ACK, ${r.unmatched.resets} RST, ${r.unmatched.icmp} ICMP`);
  }
  const errors = Object.entries(r.decode_errors);
  if (errors.length > 0) notes.push(`malformed frames (counted, skipped): ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  const skipped = Object.entries(r.skipped);
  if (skipped.length > 0) notes.push(`frames without TCP (skipped): ${skipped.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (r.tracker.evicted_pending + r.tracker.evicted_resolved > 0) {
    notes.push(
      `attempt table full: ${r.tracker.evicted_pending} pending attempts evicted (counted unanswered), ${r.tracker.evicted_resolved} answered ones dropped early; raise --max-attempts (now ${r.tracker.max_attempts})`,
    );
  }
  if (r.capture.timestamp_regressions > 0) notes.push(`${r.capture.timestamp_regressions} frames had a timestamp earlier than the frame before`);
  if (r.capture.out_of_range_times > 0) {
    notes.push(
      `${r.capture.out_of_range_times} frames had a capture time beyond the range of a date: their time is unknown, and each was given the time of the frame before it (latencies and timeouts do not count it)`,
    );
  }
  for (const w of r.warnings) notes.push(`warning: ${w}`);
  if (r.error) notes.push(`INCOMPLETE: ${r.error.message}`);
  return notes.length > 0 ? ['Notes', ...notes.map((n) => `- ${n}`)] : [];
}
