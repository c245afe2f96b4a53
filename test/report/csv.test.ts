/**
 * `--format csv --table NAME` (src/report/csv.ts): RFC 4180 fields and records, a header of the
 * JSON's field names, and each table's rows as the JSON has them, read back by an RFC 4180 reader.
 */
import { describe, expect, it } from 'vitest';
import { CSV_HEADERS, CSV_TABLES, csvField, csvRecord, replayCsv } from '../../src/report/csv.js';
import { JSON_CHUNK_CHARS } from '../../src/report/json-report.js';
import { rst, summaryOf, syn, synAck, unreachable, type Timed } from './table-support.js';

/** The records of RFC 4180 text `text` (every line ended by CRLF), each an array of fields. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      // A quoted field: up to the quote not doubled; a doubled quote is one.
      for (i++; ; i++) {
        if (i >= text.length) throw new Error('unclosed quote');
        if (text[i] !== '"') field += text[i];
        else if (text[i + 1] === '"') field += text[i++];
        else break;
      }
      i++;
    } else if (text[i] === ',') {
      fields.push(field);
      field = '';
      i++;
    } else if (text.startsWith('\r\n', i)) {
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
      i += 2;
    } else {
      expect(text[i], `a bare CR or LF at ${i}`).not.toMatch(/[\r\n]/);
      field += text[i++];
    }
  }
  expect(field === '' && fields.length === 0, 'the last record ends with CRLF').toBe(true);
  return records;
}

describe('RFC 4180 fields', () => {
  it.each<[string | number | null, string]>([
    ['plain', 'plain'],
    [42, '42'],
    [0.25, '0.25'],
    [null, ''],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['2001:db8::1', '2001:db8::1'],
  ])('%j is written %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('a record joins its fields with commas and ends with CRLF, and reads back as written', () => {
    const fields = ['a,b', 'say "hi"', 'two\r\nlines', '', 'x'];
    const text = csvRecord(fields);
    expect(text).toBe('"a,b","say ""hi""","two\r\nlines",,x\r\n');
    expect(readCsv(text + text)).toEqual([fields, fields]);
  });
});

function mixed(): Timed[] {
  const C = '10.0.0.1';
  const S = '10.0.0.2';
  return [
    { at: 0, frame: syn(C, 40001, S, 8080) },
    { at: 0.001, frame: rst(C, 40001, S, 8080) },
    { at: 0.01, frame: syn(C, 40002, S, 9000) },
    { at: 0.011, frame: unreachable('10.0.9.9', 13, C, 40002, S, 9000) },
    { at: 0.03, frame: syn(C, 40004, S, 7000) },
    { at: 0.04, frame: syn(C, 40005, S, 80) },
    { at: 0.041, frame: synAck(C, 40005, S, 80) },
  ];
}

describe('the tables', () => {
  it('ports: a row per port in port order, the counts and ratios of the JSON row, every ICMP reason a column', async () => {
    const r = await summaryOf(mixed());
    const rows = readCsv([...replayCsv(r, 'ports')].join(''));
    expect(rows[0]).toEqual([...CSV_HEADERS.ports]);
    expect(rows[0].slice(-5)).toEqual(['icmp_port_unreachable', 'icmp_admin_prohibited', 'icmp_host_unreachable', 'icmp_net_unreachable', 'icmp_other']);
    const byName = rows.slice(1).map((fields) => Object.fromEntries(rows[0].map((h, c) => [h, fields[c]])));
    expect(byName.map((p) => p.port)).toEqual(['80', '7000', '8080', '9000']);
    const json = r.ports.rows();
    for (const [i, p] of byName.entries()) {
      for (const k of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits', 'early_resets'] as const) {
        expect(Number(p[k]), `${p.port} ${k}`).toBe(json[i][k]);
      }
      expect(Number(p.refusal_ratio)).toBe(json[i].refusal_ratio);
    }
    expect(byName[3]).toMatchObject({ port: '9000', icmp_rejected: '1', icmp_admin_prohibited: '1', icmp_port_unreachable: '0', failure_ratio: '1' });
    expect(byName[0]).toMatchObject({ port: '80', failure_ratio: '0', refusal_ratio: '0' });
  });

  it('pairs, timeline and scans: the JSON rows, a null an empty field', async () => {
    const r = await summaryOf(mixed());
    const pair = { server: '2001:db8::1', port: 443, client: '2001:db8::2', attempts: 2, accepted: 0, refused: 1, icmp_rejected: 0, unanswered: 1 };
    r.pairs = [{ ...pair, first: '2023-11-14T22:13:20.000Z', last: null }];
    const bucket = { attempts: 3, accepted: 1, refused: 1, icmp_rejected: 0, unanswered: 1 };
    r.timeline = { bucket_seconds: 0.01, buckets: [{ start: '2023-11-14T22:13:20.000Z', ...bucket }], unknown_time: null };
    const scan = { client: '10.0.0.1', server: null, port: 22, distinct: 30, attempts: 31, failures: 30, first: null, last: null, duration_seconds: 0.5 };
    r.scans = [{ kind: 'horizontal', ...scan }];
    expect(readCsv([...replayCsv(r, 'pairs')].join(''))).toEqual([
      ['server', 'port', 'client', 'attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'first', 'last'],
      ['2001:db8::1', '443', '2001:db8::2', '2', '0', '1', '0', '1', '2023-11-14T22:13:20.000Z', ''],
    ]);
    expect(readCsv([...replayCsv(r, 'timeline')].join(''))).toEqual([
      ['start', 'attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'],
      ['2023-11-14T22:13:20.000Z', '3', '1', '1', '0', '1'],
    ]);
    expect(readCsv([...replayCsv(r, 'scans')].join(''))).toEqual([
      ['kind', 'client', 'server', 'port', 'distinct', 'attempts', 'failures', 'first', 'last', 'duration_seconds'],
      ['horizontal', '10.0.0.1', '', '22', '30', '31', '30', '', '', '0.5'],
    ]);
  });

  it.each(CSV_TABLES)('%s: a header row alone when the table is empty', async (table) => {
    const r = await summaryOf([]);
    Object.assign(r, { pairs: [], timeline: { bucket_seconds: 1, buckets: [] }, scans: [] });
    expect([...replayCsv(r, table)].join('')).toBe(csvRecord(CSV_HEADERS[table]));
  });

  it('a table longer than a chunk comes in chunks of about JSON_CHUNK_CHARS that join to the whole', async () => {
    const frames: Timed[] = [];
    for (let port = 1; port <= 2000; port++) frames.push({ at: port * 0.001, frame: syn('10.0.0.1', 50000, '10.0.0.2', port) });
    const chunks = [...replayCsv(await summaryOf(frames), 'ports')];
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(JSON_CHUNK_CHARS);
    const rows = readCsv(chunks.join(''));
    expect(rows).toHaveLength(2001);
    expect(rows.slice(1).every((f) => f[5] === '1')).toBe(true);
  });
});
