/**
 * The replay report as text a person reads: totals, when (the timeline), scans, per server port,
 * who refuses whom (the pairs), the suspect resets with a legend, and what was not counted.
 * docs/report.md explains every part with examples.
 */
import { Counter } from '../track/counters.js';
import type { OutcomeCounts } from './outcomes.js';
import type { PortRow } from './port-rows.js';
import type { PairJson, ReplaySummary, TimelineJson } from './replay-report.js';
import { groupPairs, SCAN_SPANS, selectPorts } from './scan-groups.js';
import type { ScanRow } from './scans.js';
import { HEURISTIC_LEGEND } from './suspects.js';

/** What the table and the CSV read: the report as built, port rows in the counters. */
export type ReportInput = ReplaySummary;

/** Rendering choices. */
export interface TableOptions {
  /** Port rows to show, busiest first; Infinity shows all. */
  maxPortRows: number;
  /** Pair rows to show, most failures first (default DEFAULT_PAIR_ROWS). */
  maxPairRows?: number;
  /** Suspect-reset rows to show. */
  maxSuspectRows: number;
}

/** Pair rows shown when TableOptions does not say. */
export const DEFAULT_PAIR_ROWS = 10;
/** How a capture time beyond the range of a date is shown (the JSON has null). */
const OUT_OF_RANGE = '(out of range)';
/** Buckets listed one per row at most; beyond, the timeline is drawn as sparklines. */
export const MAX_TIMELINE_ROWS = 12;
/** Characters of a sparkline at most: neighbouring buckets share a character beyond. */
export const SPARKLINE_WIDTH = 60;
/** Sparkline levels, lowest first: a count above zero is never drawn blank. */
const LEVELS = '▁▂▃▄▅▆▇█';

function pct(ratio: number | null): string {
  return ratio === null ? '-' : `${(ratio * 100).toFixed(1)}%`;
}

function seconds(v: number | null): string {
  if (v === null) return '-';
  // Each unit while its rounded figure stays below the next unit's one (999.96 us is 1.0 ms).
  if (v < 0.0009995) return `${(v * 1e6).toFixed(0)} us`;
  if (v < 0.99995) return `${(v * 1e3).toFixed(1)} ms`;
  return `${v.toFixed(2)} s`;
}

/** Columns padded to their widest cell, two spaces apart, a rule under the header; `right[c]` right-aligns column c. */
function grid(header: readonly string[], rows: readonly string[][], right: readonly boolean[]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** `n` trues: every column right-aligned. */
function rightAligned(n: number): boolean[] {
  return new Array<boolean>(n).fill(true);
}

/** An address and port as `a.b.c.d:p` or `[v6]:p`. */
function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The outcome fields of a pair or a bucket, in JSON order. */
const OUTCOME_KEYS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const;

const COUNT_HEADER = ['attempts', 'accepted', 'refused', 'icmp_rej', 'unanswered', 'refusal', 'failure', 'syn_rexmit'];

function countCells(o: OutcomeCounts): string[] {
  return OUTCOME_KEYS.map((k) => String(o[k])).concat(pct(o.refusal_ratio), pct(o.failure_ratio), String(o.syn_retransmits));
}

/** The short name of each ICMP reason in the table (`port 3, admin 1`). */
const REASON_SHORT: Readonly<Record<string, string>> = {
  port_unreachable: 'port',
  admin_prohibited: 'admin',
  host_unreachable: 'host',
  net_unreachable: 'net',
  other: 'other',
};

/** The non-zero ICMP reasons of `o`, compact: `port 3, admin 1`. */
function reasonsCell(o: OutcomeCounts): string {
  return Object.entries(o.icmp_rejected_by_reason)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${REASON_SHORT[k] ?? k} ${n}`)
    .join(', ');
}

/** Who sent the ICMP rejections of `o`: `server`, `other`, or both with counts; '' when none. */
function icmpSenderCell(o: OutcomeCounts): string {
  if (o.icmp_rejected === 0) return '';
  const other = o.icmp_from_other;
  const own = o.icmp_rejected - other;
  if (other === 0) return 'server';
  return own === 0 ? 'other' : `server ${own}, other ${other}`;
}

/**
 * Capture times as the table shows them: `HH:MM:SS.mmm` when the capture lies within one UTC day
 * (its date said once, in the header), else date and time.
 */
class TimeText {
  /** The capture's one UTC day, or null when it spans several (or has no known time). */
  readonly day: string | null;

  constructor(r: ReplaySummary) {
    const first = r.capture.first?.slice(0, 10);
    this.day = first !== undefined && first === r.capture.last?.slice(0, 10) ? first : null;
  }

  /** `iso` (an RFC 3339 UTC time, or null) as shown. */
  of(iso: string | null): string {
    if (iso === null) return OUT_OF_RANGE;
    const text = iso.replace('T', ' ').replace('Z', '');
    return this.day !== null && iso.startsWith(this.day) ? text.slice(11) : text;
  }
}

/** Renders the report as a plain-text table (ends with a newline). */
export function renderTable(r: ReportInput, options: TableOptions): string {
  const times = new TimeText(r);
  const sections = [
    headerSection(r, times),
    totalsSection(r),
    timelineSection(r, times),
    scansSection(r, times),
    portsSection(r, options),
    pairsSection(r, options, times),
    topSection(r),
    suspectsSection(r, options, times),
    notesSection(r),
  ];
  return `${sections.flat().join('\n')}\n`;
}

/** What was read: files, packets, time span, the settings that change the counts. */
function headerSection(r: ReplaySummary, times: TimeText): string[] {
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
    times.day === null ? 'times are UTC' : `times are UTC, on ${times.day}`,
    '',
  ];
}

/** Totals, per direction when directions were told apart, ICMP rejections by reason and by sender. */
function totalsSection(r: ReportInput): string[] {
  const out: string[] = [];
  const directionRows = Object.entries(r.directions).filter(([, o]) => o.attempts > 0);
  const totalRows: string[][] = [['all', ...countCells(r.totals)]];
  if (directionRows.length > 1 || (directionRows.length === 1 && directionRows[0][0] !== 'unknown')) {
    for (const [name, o] of directionRows) totalRows.push([name, ...countCells(o)]);
  }
  out.push('Totals');
  out.push(...grid(['', ...COUNT_HEADER], totalRows, [false, ...rightAligned(COUNT_HEADER.length)]));
  out.push('refusal: refused / ended attempts; failure: refused + icmp_rej + unanswered / ended attempts');
  const reasons = Object.entries(r.totals.icmp_rejected_by_reason).filter(([, n]) => n > 0);
  if (reasons.length > 0) {
    const t = r.totals;
    const by = `; sent by the server itself ${t.icmp_rejected - t.icmp_from_other}, by another address answering for it ${t.icmp_from_other}`;
    out.push(`icmp_rejected by reason: ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')}${by}`);
  }
  const answerers = r.icmp_answerers;
  if (answerers.length > 0) {
    out.push(`ICMP unreachables sent for another address (a router or firewall): ${answerers.map((a) => `${a.address} ${a.rejections}`).join(', ')}`);
  }
  out.push('');
  return out;
}

/** When: the buckets one per row when few, else a sparkline per outcome over the capture's span; the attempts of no known time. */
function timelineSection(r: ReportInput, times: TimeText): string[] {
  const t = r.timeline;
  const unknown = t.unknown_time;
  if (t.buckets.length === 0 && unknown === null) return [];
  const heading = `Timeline: attempts by the time of their first SYN, ${t.buckets.length} buckets of ${seconds(t.bucket_seconds)}`;
  const out = t.buckets.length <= MAX_TIMELINE_ROWS ? timelineRows(t, times, heading) : sparklines(t, times, heading);
  if (unknown !== null) out.push(`${unknown.attempts} attempts whose first SYN has no known time (beyond the range of a date) are not on it`);
  out.push('');
  return out;
}

/** The buckets one per row, under `heading`. */
function timelineRows(t: TimelineJson, times: TimeText, heading: string): string[] {
  const rows = t.buckets.map((b) => [times.of(b.start), ...OUTCOME_KEYS.map((k) => String(b[k]))]);
  return [heading, ...grid(['start', ...COUNT_HEADER.slice(0, OUTCOME_KEYS.length)], rows, [false, ...rightAligned(OUTCOME_KEYS.length)])];
}

/**
 * A sparkline per outcome with a count, under `heading`: at most SPARKLINE_WIDTH characters, each
 * the sum of as many neighbouring buckets as that takes, all on one scale (a bucket's outcomes add
 * up to its attempts, so heights compare across lines); each line ends with its total.
 */
function sparklines(t: TimelineJson, times: TimeText, heading: string): string[] {
  const per = Math.ceil(t.buckets.length / SPARKLINE_WIDTH);
  const columns = Math.ceil(t.buckets.length / per);
  const drawn = OUTCOME_KEYS.map((k) => {
    const sums = new Array<number>(columns).fill(0);
    t.buckets.forEach((b, i) => (sums[Math.floor(i / per)] += b[k]));
    return { k, sums, total: sums.reduce((a, b) => a + b, 0) };
  }).filter((l) => l.total > 0);
  const peak = Math.max(1, ...drawn.map((l) => l.sums).flat());
  const label = Math.max(...drawn.map((l) => l.k.length));
  const lastStart = t.buckets[t.buckets.length - 1].start;
  const end = lastStart === null ? null : new Date(Date.parse(lastStart) + t.bucket_seconds * 1000).toISOString();
  return [
    `${heading}${per > 1 ? `, ${per} to a character (${seconds(per * t.bucket_seconds)})` : ''}; the highest character is ${peak}`,
    `${''.padEnd(label)}  ${times.of(t.buckets[0].start)} .. ${times.of(end)}`,
    ...drawn.map((l) => `${l.k.padEnd(label)} |${l.sums.map((n) => sparkChar(n, peak)).join('')}| ${l.total}`),
  ];
}

/** One sparkline character: blank for 0, else one of LEVELS by `n / peak` (never blank above 0). */
function sparkChar(n: number, peak: number): string {
  if (n <= 0) return ' ';
  return LEVELS[Math.min(LEVELS.length - 1, Math.ceil((n / peak) * LEVELS.length) - 1)];
}

/** Who a scan is: `client -> server`, `client -> *:port` or `* -> server:port`. */
function scanWho(s: ScanRow): string {
  if (s.kind === 'vertical') return `${s.client} -> ${s.server}`;
  if (s.kind === 'horizontal') return `${s.client} -> *:${s.port}`;
  return `* -> ${endpoint(s.server ?? '*', s.port ?? 0)}`;
}

/** What a scan's `distinct` counts. */
const SPANS: Readonly<Record<ScanRow['kind'], string>> = { vertical: 'ports', horizontal: 'servers', flood: 'clients' };

/** Scans and floods, numbered (`#1`) for the port rows to name. */
function scansSection(r: ReportInput, times: TimeText): string[] {
  const scans = r.scans;
  if (scans.length === 0) return [];
  const rows = scans.map((s, i) => [
    `#${i + 1}`,
    s.kind,
    scanWho(s),
    `${s.distinct} ${SPANS[s.kind]}`,
    String(s.attempts),
    String(s.failures),
    times.of(s.first),
    seconds(s.duration_seconds),
  ]);
  return [
    'Scans and floods (vertical: one client failing on many ports of one server; horizontal: on one port of many servers; flood: many clients failing on one port; docs/scans.md)',
    ...grid(['scan', 'kind', 'who', 'spans', 'attempts', 'failures', 'first', 'lasted'], rows, [false, false, false, true, true, true, false, true]),
    '',
  ];
}

/**
 * One row per server port, busiest first (by failures for a scan), at most `options.maxPortRows`;
 * on a scan, the ports that saw one failed attempt and belong to one scan are summed in one row per
 * scan (`998 ports` ... `#1`), so that the rows left are the ports that stand out (those it found
 * open among them).
 */
function portsSection(r: ReportInput, options: TableOptions): string[] {
  const sel = selectPorts(r.ports, r.scans, [...r.pairs], options.maxPortRows, 'busiest');
  const { scan, scanOf, groups, shown } = sel;
  const listed = groups.reduce((n, g) => n + g.ports, 0) + shown.length;
  const more = listed < sel.total ? `, ${scan ? 'most failures' : 'busiest'} ${shown.length} shown; --all-ports or --json for all` : '';
  const why = scan ? '; most saw a single attempt, so most failures first' : '';
  const sums = groups.length > 0 ? `; the ports a scan failed on once each in one row per scan` : '';
  const out = [`Server ports (${sel.total}${more}${why}${sums})`];
  if (listed === 0) return [...out, '(no connection attempt seen)', ''];
  const all = [...groups.map((g) => g.sum), ...shown];
  const icmp = all.some((p) => p.icmp_rejected > 0);
  const scansOf = (port: number): string => (scanOf.get(port) ?? []).map((k) => `#${k + 1}`).join(',');
  const named = groups.length > 0 || shown.some((p) => scanOf.has(p.port));
  const header = ['port', ...COUNT_HEADER, ...(icmp ? ['icmp reasons', 'icmp sent by'] : []), ...(named ? ['scan'] : [])];
  const line = (port: string, p: PortRow, scans: string): string[] => [
    port,
    ...countCells(p),
    ...(icmp ? [reasonsCell(p), icmpSenderCell(p)] : []),
    ...(named ? [scans] : []),
  ];
  const cells = [...groups.map((g) => line(`${g.ports} ports`, g.sum, `#${g.scan + 1}`)), ...shown.map((p) => line(String(p.port), p, scansOf(p.port)))];
  out.push(...grid(header, cells, [...rightAligned(1 + COUNT_HEADER.length), false, false, false]));
  if (icmp) out.push('icmp sent by: the server itself, or another address answering for it (a router or firewall)');
  out.push('');
  return out;
}

/** Who refuses whom: the top pairs by failures, and what was folded beyond --max-pairs. */
function pairsSection(r: ReportInput, options: TableOptions, times: TimeText): string[] {
  const all = [...r.pairs];
  if (all === undefined || all.length === 0) return [];
  // The pairs a scan failed on once each, one row per scan (`10.0.2.8:* <- 10.0.2.9  #1, 998 ports`).
  const { groups, single: pairs } = groupPairs(r.scans ?? [], all);
  const limit = options.maxPairRows ?? DEFAULT_PAIR_ROWS;
  const grouped = groups.slice(0, limit);
  const shown = pairs.slice(0, Math.max(0, limit - grouped.length));
  if (shown.length + grouped.length === 0) return [];
  const rows = [
    ...grouped.map(([k, ps]) => [`${scanPairs(r.scans[k])}  #${k + 1}, ${ps.length} ${SCAN_SPANS[r.scans[k].kind]}`, ...sumPairCells(ps, times)]),
    ...shown.map((p) => [
      `${endpoint(p.server, p.port)} <- ${p.client}`,
      ...[p.attempts, p.accepted, p.refused, p.icmp_rejected, p.unanswered].map(String),
      times.of(p.first),
      times.of(p.last),
    ]),
  ];
  const inGroups = grouped.reduce((n, [, ps]) => n + ps.length, 0);
  const listed = shown.length + inGroups;
  const sums = grouped.length > 0 ? '; the pairs a scan failed on once each in one row per scan' : '';
  const out = [
    `Who refuses whom (${listed < all.length ? `top ${listed} of ${all.length}` : all.length} server:port <- client pairs, most failures first; first and last attempt${sums})`,
    ...grid(['server:port <- client', ...COUNT_HEADER.slice(0, 5), 'first', 'last'], rows, [false, ...rightAligned(5), false, false]),
  ];
  const pairsLeft = all.length - listed;
  if (pairsLeft > 0) out.push(`(${pairsLeft} more pairs in --json and --format csv --table pairs)`);
  const o = r.pairs_other;
  if (o) {
    out.push(
      `(${o.pairs} more pairs with the fewest failures, summed beyond --max-pairs: ${o.attempts} attempts, ${o.accepted} accepted, ${o.refused} refused, ${o.icmp_rejected} icmp_rej, ${o.unanswered} unanswered)`,
    );
  }
  out.push('');
  return out;
}

/** A scan's pairs as the pair rows name them: `server:* <- client`, `*:port <- client`, `server:port <- *`. */
function scanPairs(s: ScanRow): string {
  if (s.kind === 'vertical') return `${s.server ?? '*'}:* <- ${s.client}`;
  if (s.kind === 'horizontal') return `*:${s.port} <- ${s.client}`;
  return `${endpoint(s.server ?? '*', s.port ?? 0)} <- *`;
}

/** The count, first and last cells of the sum of `pairs`. */
function sumPairCells(pairs: readonly PairJson[], times: TimeText): string[] {
  const counts = OUTCOME_KEYS.map((k) => String(pairs.reduce((n, p) => n + p[k], 0)));
  const firsts = pairs
    .map((p) => p.first)
    .filter((t): t is string => t !== null)
    .sort();
  const lasts = pairs
    .map((p) => p.last)
    .filter((t): t is string => t !== null)
    .sort();
  return [...counts, times.of(firsts[0] ?? null), times.of(lasts.at(-1) ?? null)];
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

/** The refusals that look forged or sent by a middlebox, one row per RST with every heuristic that fired, and a legend. */
function suspectsSection(r: ReplaySummary, options: TableOptions, times: TimeText): string[] {
  if (r.totals.suspect_resets === 0) return [];
  const fired = Object.entries(r.suspect_resets_by_heuristic).filter(([, n]) => n > 0);
  const resets = r.suspect_resets; // one per RST (replay-report.ts groups them)
  const out = [
    `Suspect resets: ${r.totals.suspect_resets} of ${r.totals.refused} refusals look forged or sent by a middlebox (heuristics fired: ${fired.map(([k, n]) => `${k} ${n}`).join(', ')})`,
  ];
  const rows = resets
    .slice(0, options.maxSuspectRows)
    .map((x) => [
      times.of(x.ts),
      endpoint(x.client, x.client_port),
      endpoint(x.server, x.server_port),
      x.heuristics.join(','),
      `${x.ttl} (${x.initial_ttl}-${x.hop_distance})`,
      x.baseline_samples > 0 ? `${x.baseline_initial_ttl}-${x.baseline_hop_distance} x${x.baseline_samples}` : '-',
      x.expected_ack === null ? '-' : `${x.expected_ack}/${x.received_ack}`,
    ]);
  out.push(
    ...grid(['time', 'client', 'server', 'heuristics', 'ttl (init-hops)', 'baseline', 'ack exp/got'], rows, [false, false, false, false, true, true, true]),
  );
  if (resets.length > rows.length) out.push(`(${resets.length - rows.length} more in --json)`);
  if (r.totals.suspect_resets > resets.length)
    out.push(`(${r.totals.suspect_resets - resets.length} more counted but not listed: the report lists the first ones)`);
  out.push(...suspectLegend(r, rows.map((row) => row[3].split(',')).flat()));
  out.push('');
  return out;
}

/** The legend under the suspect resets: each heuristic shown, and the columns. */
function suspectLegend(r: ReplaySummary, shown: readonly string[]): string[] {
  const names = Object.keys(HEURISTIC_LEGEND).filter((h) => shown.includes(h));
  const width = Math.max(...names.map((h) => h.length));
  const hops = r.options.detection.hop_threshold;
  return [
    ...names.map((h) => `  ${h.padEnd(width)}  ${HEURISTIC_LEGEND[h]}${h === 'ttl_mismatch' && hops !== null ? `; --hop-threshold ${hops}` : ''}`),
    "  ttl (init-hops): the RST's TTL, the initial TTL it started from (the nearest of 32, 64, 128, 255 at or above it) and the hops it took",
    "  baseline: the server's own SYN-ACKs, e.g. 64-15 x1 is initial TTL 64, 15 hops, 1 sample ('-': none seen)",
    '  ack exp/got: the acknowledgment the SYN called for, and the one the RST carried',
  ];
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
  const finder = r.scan_finder;
  // Only when a candidate with a history was pushed out: first failures turned away from a full
  // bucket (a scan of 1000 ports fills the horizontal table with one-failure keys) name nothing.
  if (finder.evicted_keys > 0) {
    notes.push(
      `the scan finder's tables were full: ${finder.evicted_keys} unnamed keys pushed out, ${finder.dropped_failures} failures not counted under a scan pattern (a scan may count fewer failures than the capture holds, never more: docs/scans.md)`,
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
