/**
 * The replay report as `--json` prints it, written in chunks: the text of
 * `JSON.stringify(report, null, 2)` and a newline, byte for byte, without the whole string or a row
 * object per port. The port rows are written straight from the counters (port-rows.ts), the
 * elements of other lists one at a time; the rest is small and goes through JSON.stringify.
 * A scan of every port makes 65535 rows, 25 MB of JSON: on the 2 M-packet `flood` capture of
 * bench/captures.ts, the report took about 340 ms of CPU after the last packet and raised the peak
 * memory from 106 to 228 MB as one string of 65535 row objects; in chunks, about 100 ms and 121 MB.
 */
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../track/counters.js';
import { refusalRatio } from './outcomes.js';
import { PortRows } from './port-rows.js';
import type { ReplaySummary } from './replay-report.js';

/** Characters a chunk holds at least before it is handed on (the last may hold fewer). */
export const JSON_CHUNK_CHARS = 64 * 1024;

/** The report's JSON text and a newline, in chunks of about JSON_CHUNK_CHARS characters. */
export function* replayReportJson(summary: ReplaySummary): Generator<string, void, undefined> {
  let chunk = '{';
  let first = true;
  for (const [key, value] of Object.entries(summary)) {
    if (value === undefined) continue; // JSON.stringify leaves such a key out
    chunk += `${first ? '' : ','}\n  ${JSON.stringify(key)}: `;
    first = false;
    const items = value instanceof PortRows ? portRowsJson(value) : Array.isArray(value) ? elementsJson(value) : undefined;
    if (items === undefined) {
      chunk += indent(JSON.stringify(value, null, 2), '  ');
      continue;
    }
    let empty = true;
    for (const item of items) {
      chunk += `${empty ? '[' : ','}\n    ${item}`;
      empty = false;
      if (chunk.length >= JSON_CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    chunk += empty ? '[]' : '\n  ]';
  }
  yield `${chunk}\n}\n`;
}

/** `text` with `prefix` after each line break: a value's JSON text at a deeper level (strings in JSON hold no raw line break). */
function indent(text: string, prefix: string): string {
  return text.replaceAll('\n', `\n${prefix}`);
}

/** Each element of a list as JSON text at the level of a top-level list's elements. */
function* elementsJson(list: readonly unknown[]): Generator<string, void, undefined> {
  for (const element of list) yield indent(JSON.stringify(element, null, 2) ?? 'null', '    ');
}

/** `"name": ` of each ICMP reason, one level into a port row, in counter order from FIRST_ICMP_COUNTER. */
const REASON_KEYS = ICMP_REASON_NAMES.map((name) => `\n        ${JSON.stringify(name)}: `);

/** Each port row as JSON text at the level of a top-level list's elements: what JSON.stringify writes for `rows.row(i)`. */
function* portRowsJson(rows: PortRows): Generator<string, void, undefined> {
  for (let i = 0; i < rows.count; i++) {
    let icmp = 0;
    let byReason = '';
    for (let r = 0; r < REASON_KEYS.length; r++) {
      const n = rows.value(i, FIRST_ICMP_COUNTER + r);
      icmp += n;
      byReason += `${r === 0 ? '' : ','}${REASON_KEYS[r]}${n}`;
    }
    const accepted = rows.value(i, Counter.Accepted);
    const refused = rows.value(i, Counter.Refused);
    const unanswered = rows.value(i, Counter.Unanswered);
    yield `{
      "port": ${rows.port(i)},
      "attempts": ${rows.value(i, Counter.Attempts)},
      "accepted": ${accepted},
      "refused": ${refused},
      "icmp_rejected": ${icmp},
      "unanswered": ${unanswered},
      "syn_retransmits": ${rows.value(i, Counter.SynRetransmits)},
      "early_resets": ${rows.value(i, Counter.EarlyResets)},
      "refusal_ratio": ${refusalRatio(accepted, refused, icmp, unanswered)},
      "icmp_rejected_by_reason": {${byReason}
      }
    }`;
  }
}
