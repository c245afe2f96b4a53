/**
 * One table of the replay report as CSV (`--format csv --table NAME`): RFC 4180, a header row of
 * the JSON's field names, then a row per port, pair, time bucket or scan, each line ended by CRLF.
 * A field holding a comma, a double quote, CR or LF is quoted, its quotes doubled; a null (an
 * unknown ratio or time) is an empty field. Written in chunks, the port rows straight from the
 * counters, as the JSON is (json-report.ts): a scan of every port is 65535 rows.
 */
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../track/counters.js';
import { JSON_CHUNK_CHARS } from './json-report.js';
import type { ReportInput } from './table.js';

/** The tables `--table` chooses from. */
export const CSV_TABLES = ['ports', 'pairs', 'timeline', 'scans'] as const;
/** A table `--format csv` can print. */
export type CsvTable = (typeof CSV_TABLES)[number];
/** The table printed when `--table` is not given. */
export const DEFAULT_CSV_TABLE: CsvTable = 'ports';

/** A CSV field's value: null is an empty field. */
type Field = string | number | null;

/** `v` as one RFC 4180 field: quoted when it holds a comma, a double quote, CR or LF. */
export function csvField(v: Field): string {
  if (v === null) return '';
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record: the fields joined by commas, ended by CRLF. */
export function csvRecord(fields: readonly Field[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Outcome fields of a pair, bucket or scan row, in JSON order. */
const OUTCOME_KEYS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const;

/** The ICMP reason columns of the port table: `icmp_` and the reason (`icmp_port_unreachable`, ...). */
const REASON_COLUMNS = ICMP_REASON_NAMES.map((name) => `icmp_${name}`);

/** The header of each table. */
export const CSV_HEADERS: Readonly<Record<CsvTable, readonly string[]>> = {
  ports: ['port', ...OUTCOME_KEYS, 'syn_retransmits', 'early_resets', 'refusal_ratio', 'failure_ratio', 'icmp_from_other', ...REASON_COLUMNS],
  pairs: ['server', 'port', 'client', ...OUTCOME_KEYS, 'first', 'last'],
  timeline: ['start', ...OUTCOME_KEYS],
  scans: ['kind', 'client', 'server', 'port', 'distinct', 'attempts', 'failures', 'first', 'last', 'duration_seconds'],
};

/** The records of `table`, in the JSON's order, one array of fields each. */
function* tableRecords(r: ReportInput, table: CsvTable): Generator<readonly Field[], void, undefined> {
  switch (table) {
    case 'ports':
      for (let i = 0; i < r.ports.count; i++) {
        const row = r.ports.row(i);
        const reasons = ICMP_REASON_NAMES.map((_, k) => r.ports.value(i, FIRST_ICMP_COUNTER + k));
        yield [
          row.port,
          ...OUTCOME_KEYS.map((k) => row[k]),
          r.ports.value(i, Counter.SynRetransmits),
          r.ports.value(i, Counter.EarlyResets),
          row.refusal_ratio,
          row.failure_ratio,
          row.icmp_from_other,
          ...reasons,
        ];
      }
      return;
    case 'pairs':
      for (const p of r.pairs) yield [p.server, p.port, p.client, ...OUTCOME_KEYS.map((k) => p[k]), p.first, p.last];
      return;
    case 'timeline': {
      for (const b of r.timeline.buckets) yield [b.start, ...OUTCOME_KEYS.map((k) => b[k])];
      // The attempts whose first SYN has no known time: an empty start.
      const unknown = r.timeline.unknown_time;
      if (unknown) yield [null, ...OUTCOME_KEYS.map((k) => unknown[k])];
      return;
    }
    case 'scans':
      for (const s of r.scans) yield [s.kind, s.client, s.server, s.port, s.distinct, s.attempts, s.failures, s.first, s.last, s.duration_seconds];
      return;
  }
}

/** `table` of the report as CSV text, header first, in chunks of about JSON_CHUNK_CHARS characters. */
export function* replayCsv(r: ReportInput, table: CsvTable): Generator<string, void, undefined> {
  let chunk = csvRecord(CSV_HEADERS[table]);
  for (const fields of tableRecords(r, table)) {
    chunk += csvRecord(fields);
    if (chunk.length >= JSON_CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}
