/**
 * The replay report as `--json` prints it, written in chunks: the report indented by two, but each
 * element of a list (a port, a pair, a bucket, a suspect reset) on one line as JSON.stringify
 * writes it, then a newline; without the whole string or a row object per port. The port rows are written straight from the counters (port-rows.ts), the
 * elements of other lists (pairs, timeline buckets, suspects) one at a time; the rest is small and
 * goes through JSON.stringify.
 * A scan of every port makes 65535 rows, 25 MB of JSON: on the 2 M-packet `flood` capture of
 * bench/captures.ts, the report took about 340 ms of CPU after the last packet and raised the peak
 * memory from 106 to 228 MB as one string of 65535 row objects; in chunks, about 100 ms and 121 MB.
 */
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../track/counters.js';
import { failureRatio, refusalRatio } from './outcomes.js';
import { PortRows } from './port-rows.js';
import { isoTime } from '../capture/frame-sink.js';
import { PairRows, type ReplaySummary } from './replay-report.js';

/** Characters a chunk holds at least before it is handed on (the last may hold fewer). */
export const JSON_CHUNK_CHARS = 64 * 1024;

/** The report's JSON text and a newline, in chunks of about JSON_CHUNK_CHARS characters. */
export function* replayReportJson(summary: ReplaySummary): Generator<string, void, undefined> {
  let chunk = '';
  for (const piece of pieces(summary, '')) {
    chunk += piece;
    if (chunk.length >= JSON_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}\n`;
}

/**
 * The JSON text of `value` at indentation `pad`, in pieces: a list one element a line (a row on
 * one line: `--json` of a scan is thousands of rows, which indented would be three times the
 * size), an object that holds a list one key at a time, anything else indented by two.
 */
function* pieces(value: unknown, pad: string): Generator<string, void, undefined> {
  const inner = `${pad}  `;
  if (value instanceof PortRows || value instanceof PairRows || Array.isArray(value)) {
    const items: Iterable<string> = value instanceof PortRows ? portRowsJson(value) : value instanceof PairRows ? pairRowsJson(value) : elementsJson(value);
    let empty = true;
    for (const item of items) {
      yield `${empty ? '[' : ','}\n${inner}${item}`;
      empty = false;
    }
    yield empty ? '[]' : `\n${pad}]`;
    return;
  }
  if (value !== null && typeof value === 'object' && Object.values(value).some((v) => Array.isArray(v) || v instanceof PortRows || v instanceof PairRows)) {
    let first = true;
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue; // JSON.stringify leaves such a key out
      yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
      first = false;
      yield* pieces(v, inner);
    }
    yield first ? '{}' : `\n${pad}}`;
    return;
  }
  yield indent(JSON.stringify(value, null, 2) ?? 'null', pad);
}

/** Each element of `list` as JSON text on one line, one at a time: a list of 10000 pairs is not 10000 strings at once. */
function* elementsJson(list: Iterable<unknown>): Generator<string, void, undefined> {
  for (const item of list) yield JSON.stringify(item) ?? 'null';
}

/** `text` with `prefix` after each line break: a value's JSON text at a deeper level (strings in JSON hold no raw line break). */
function indent(text: string, prefix: string): string {
  return prefix === '' ? text : text.replaceAll('\n', `\n${prefix}`);
}

/**
 * RFC 3339 text of a time in microseconds since the epoch, to the millisecond, as isoTime writes
 * it: the text up to the second made once per second (Date's toISOString took 0.65 us a call,
 * two calls a pair).
 */
class IsoMillis {
  private second = NaN;
  private prefix = '';

  of(us: number): string | null {
    const ms = Math.floor(us / 1000);
    // Years 1970 to 9999 have the fixed layout; the rest (never in a real capture) as isoTime writes them.
    if (!(ms >= 0 && ms < 253_402_300_800_000)) return isoTime(ms);
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return `${this.prefix}${String(ms - second * 1000).padStart(3, '0')}Z`;
  }
}

/** Each pair as JSON text on one line: what JSON.stringify writes for the pair's object, without it. */
function* pairRowsJson(rows: PairRows): Generator<string, void, undefined> {
  const iso = new IsoMillis();
  const time = (us: number): string => {
    const text = iso.of(us);
    return text === null ? 'null' : `"${text}"`;
  };
  for (const p of rows.raw()) {
    // Addresses and times are JSON strings as they are: digits, letters, '.', ':', '-'.
    yield `{"server":"${p.server}","port":${p.port},"client":"${p.client}","attempts":${p.attempts},"accepted":${p.accepted},"refused":${p.refused},"icmp_rejected":${p.icmp_rejected},"unanswered":${p.unanswered},"first":${time(p.firstUs)},"last":${time(p.lastUs)}}`;
  }
}

/** `"name":` of each ICMP reason, in counter order from FIRST_ICMP_COUNTER. */
const REASON_KEYS = ICMP_REASON_NAMES.map((name) => `${JSON.stringify(name)}:`);

/** Each port row as JSON text on one line: what JSON.stringify writes for `rows.row(i)`. */
function* portRowsJson(rows: PortRows): Generator<string, void, undefined> {
  for (let i = 0; i < rows.count; i++) {
    let icmp = 0;
    let byReason = '';
    for (let r = 0; r < REASON_KEYS.length; r++) {
      const n = rows.value(i, FIRST_ICMP_COUNTER + r);
      if (n === 0) continue; // only the reasons seen, as outcomes() keeps them
      byReason += `${icmp === 0 ? '' : ','}${REASON_KEYS[r]}${n}`;
      icmp += n;
    }
    const accepted = rows.value(i, Counter.Accepted);
    const refused = rows.value(i, Counter.Refused);
    const unanswered = rows.value(i, Counter.Unanswered);
    yield `{"port":${rows.port(i)},"attempts":${rows.value(i, Counter.Attempts)},"accepted":${accepted},"refused":${refused},"icmp_rejected":${icmp},"unanswered":${unanswered},"syn_retransmits":${rows.value(i, Counter.SynRetransmits)},"early_resets":${rows.value(i, Counter.EarlyResets)},"refusal_ratio":${refusalRatio(accepted, refused, icmp, unanswered)},"failure_ratio":${failureRatio(accepted, refused, icmp, unanswered)},"icmp_rejected_by_reason":{${byReason}},"icmp_from_other":${rows.icmpFromOther(i)}}`;
  }
}
