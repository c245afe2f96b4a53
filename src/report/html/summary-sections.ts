/**
 * The page's head and tail: what was read (files, packets, time span, the settings that change the
 * counts), a one-sentence verdict, the totals, and the notes on what was not counted.
 */
import { dataTable, type Column } from './data-table.js';
import { bytes, count, counted, duration, percent, utcTime, words } from './format.js';
import { markup, type Html } from './markup.js';
import { OUTCOME_STYLES } from './outcome-colours.js';
import { outcomeColumns } from './outcome-columns.js';
import { reasonTags } from './port-table.js';
import { scanSentence } from './scan-table.js';
import { failureShare, failuresOf, listOf, type OutcomeRow, type PageData } from './report-fields.js';
import type { PortSource } from '../port-rows.js';
import { Counter } from '../../track/counters.js';

/** What was read, and the verdict in a sentence. */
export function headerSection(r: PageData): Html {
  const files = listOf(r.files).map((f) => {
    const stopped = f.stopped_at !== null && f.stopped_at !== undefined ? `, stopped at byte ${count(f.stopped_at)}` : '';
    const about = `${f.format}, ${count(f.frames)} frames, ${bytes(f.bytes)}${f.truncated_tail ? ', cut short' : ''}${stopped}`;
    return markup`<li><code>${f.path}</code> <span class="muted">${about}</span></li>`;
  });
  const c = r.capture;
  const span =
    c.first === null && c.last === null ? 'capture times unknown' : `${utcTime(c.first)} to ${utcTime(c.last)} UTC (${duration(c.duration_seconds)})`;
  const o = r.options;
  const timeout = o.attempt_timeout_seconds > 0 ? `${o.attempt_timeout_seconds} s` : 'none (the end of the capture decides)';
  const detection = o.detection?.enabled ? `on (hop threshold ${o.detection.hop_threshold})` : 'off';
  const incomplete = r.complete
    ? ''
    : markup`<p class="banner">Incomplete: ${r.error?.message ?? 'the replay stopped before the end'}. Everything read before it is counted below.</p>`;
  const nets = listOf(o.local_nets).join(', ') || 'none given (direction unknown)';
  return markup`<header><h1>rstwatch replay report</h1>
<ul class="files">${files.length > 0 ? files : markup`<li>(no file read)</li>`}</ul>
<p class="muted">${count(r.packets)} packets, ${span}. Attempt timeout: ${timeout}; local networks: ${nets}; reset detection: ${detection}.</p>
${incomplete}<p class="verdict">${verdict(r)}</p></header>`;
}

/** The report in one or two sentences: how many attempts failed and how, where most, the scans. */
function verdict(r: PageData): string {
  const t = r.totals;
  if (!(t.attempts > 0)) return 'No connection attempt (SYN) seen.';
  const failed = failuresOf(t);
  let text = `${counted(t.attempts, 'connection attempt', 'connection attempts')}; ${count(failed)} failed (${percent(failureShare(t))}): ${count(t.refused)} refused, ${count(t.icmp_rejected)} ICMP rejected, ${count(t.unanswered)} unanswered.`;
  text += ` ${where(r.ports, failed)}`;
  const scans = listOf(r.scans);
  if (scans.length > 0) text += ` ${counted(scans.length, 'scan or flood', 'scans or floods')} found; the largest is ${scanSentence(scans[0])}.`;
  if (t.suspect_resets > 0) text += ` ${counted(t.suspect_resets, 'refusal looks', 'refusals look')} forged or sent by a middlebox.`;
  return text;
}

/** Where the failures were: on one port mostly, or spread over many (a scan: one each on a thousand ports). */
function where(ports: PortSource, failed: number): string {
  let failing = 0;
  let worst = -1;
  let most = 0;
  for (let i = 0; i < ports.count; i++) {
    const n = ports.value(i, Counter.Attempts) - ports.value(i, Counter.Accepted);
    if (n <= 0) continue;
    failing++;
    // Among equals, the lower port.
    if (n > most || (n === most && ports.port(i) < ports.port(worst))) [worst, most] = [i, n];
  }
  if (failing === 0) return '';
  const port = ports.port(worst);
  if (failing === 1) return `All on port ${port}.`;
  if (most * 10 >= failed) return `Most on port ${port} (${count(most)} of ${count(failed)}).`;
  return `Spread over ${count(failing)} ports, at most ${count(most)} on one.`;
}

/** Totals as cards, per direction when directions were told apart, ICMP reasons, latency. */
export function totalsSection(r: PageData): Html {
  const t = r.totals;
  const card = (label: string, value: string, cls: string, title: string): Html =>
    markup`<div class="card ${cls}" title="${title}"><b>${value}</b><span>${label}</span></div>`;
  const cards = [
    card('attempts', count(t.attempts), '', 'connection attempts'),
    ...OUTCOME_STYLES.map((s) => card(s.label, count(t[s.key]), s.key, s.meaning)),
    card('failure share', percent(failureShare(t)), 'share', '(refused + ICMP rejected + unanswered) / attempts that ended'),
    card('refusal ratio', percent(t.refusal_ratio), 'share', 'refused / attempts that ended'),
    card('suspect resets', count(t.suspect_resets), '', 'refusing RSTs that look forged or sent by a middlebox'),
  ];
  const directions = Object.entries(r.directions ?? {}).filter(([, o]) => o.attempts > 0);
  const split = directions.length > 1 || (directions.length === 1 && directions[0][0] !== 'unknown');
  const columns: Column<[string, OutcomeRow]>[] = [
    { head: 'direction', cell: ([name]) => name },
    ...outcomeColumns<OutcomeRow>().map((c) => ({ ...c, cell: ([, o]: [string, OutcomeRow]) => c.cell(o) })),
  ];
  const l = r.refusal_latency_seconds;
  const reasons = reasonTags(t);
  const icmpOther =
    t.icmp_from_other !== undefined ? `; ${count(t.icmp_from_other)} sent by an address other than the server (a router or firewall answering for it)` : '';
  const facts = [
    reasons.text !== '' ? markup`<li>ICMP rejections by reason: ${reasons}${icmpOther}</li>` : '',
    l && l.count > 0
      ? markup`<li>Refusal latency (first SYN to RST): median ${duration(l.p50)}, p99 ${duration(l.p99)}, max ${duration(l.max)} over ${counted(l.count, 'refusal')}.</li>`
      : '',
    markup`<li>${count(t.syn_retransmits)} SYNs re-sent; ${count(t.early_resets)} accepted connections reset by the server at once (early resets).</li>`,
  ];
  return markup`<div class="cards">${cards}</div>
<div class="overview">${split ? dataTable(columns, directions, { id: 'directions-table', empty: '' }) : ''}<ul class="facts">${facts}</ul></div>`;
}

/** What was not counted, or counted apart; the warnings; an empty list says so. */
export function notesSection(r: PageData): Html {
  const notes: string[] = [];
  const u = r.unmatched;
  if (u && u.syn_acks + u.resets + u.icmp > 0) {
    notes.push(
      `Answers matching no attempt (not counted as attempts; a capture started mid-stream): ${count(u.syn_acks)} SYN-ACK, ${count(u.resets)} RST, ${count(u.icmp)} ICMP.`,
    );
  }
  const listed = (record: Record<string, number> | undefined): string =>
    Object.entries(record ?? {})
      .map(([k, n]) => `${words(k)} ${count(n)}`)
      .join(', ');
  if (Object.keys(r.decode_errors ?? {}).length > 0) notes.push(`Malformed frames (counted, skipped): ${listed(r.decode_errors)}.`);
  if (Object.keys(r.skipped ?? {}).length > 0) notes.push(`Frames without TCP (skipped): ${listed(r.skipped)}.`);
  const tr = r.tracker;
  if (tr && tr.evicted_pending + tr.evicted_resolved > 0) {
    notes.push(
      `The attempt table was full: ${count(tr.evicted_pending)} pending attempts evicted (counted unanswered), ${count(tr.evicted_resolved)} answered ones dropped early; raise --max-attempts (now ${count(tr.max_attempts)}).`,
    );
  }
  if (r.pairs_other) notes.push(`${count(r.pairs_other.pairs)} (server, port, client) pairs were folded into one sum beyond --max-pairs.`);
  if (r.capture.timestamp_regressions > 0)
    notes.push(`${counted(r.capture.timestamp_regressions, 'frame', 'frames')} had a timestamp earlier than the frame before.`);
  if (r.capture.out_of_range_times > 0)
    notes.push(
      `${counted(r.capture.out_of_range_times, 'frame', 'frames')} had a capture time beyond the range of a date (each given the time of the frame before it).`,
    );
  const sf = r.scan_finder;
  // As the table: only when a candidate with a history was pushed out.
  if (sf && sf.evicted_keys > 0) {
    notes.push(
      `The scan finder's tables were full: ${counted(sf.evicted_keys, 'candidate', 'candidates')} (client, server or port not yet named a scan) pushed out, ${counted(sf.dropped_failures, 'failure', 'failures')} not counted under any pattern (docs/scans.md).`,
    );
  }
  if (r.baselines && r.baselines.evictions > 0) notes.push(`${count(r.baselines.evictions)} TTL baselines were dropped for room.`);
  for (const w of listOf(r.warnings)) notes.push(`Warning: ${w}`);
  if (r.error) notes.push(`Incomplete: ${r.error.message}`);
  if (notes.length === 0) return markup`<p>Nothing left uncounted: every frame decoded, every answer matched an attempt.</p>`;
  return markup`<ul class="notes">${notes.map((n) => markup`<li>${n}</li>`)}</ul>`;
}
