/**
 * The report as the commands print it, from a `ReplaySummary` whose port rows stay in the tracker's
 * counters: the JSON written in chunks is the text of JSON.stringify of the report's object form
 * (`buildReplayReport`), byte for byte, and the table lists the busiest ports and the early resets
 * of the object form's rows. On a generated capture of 3277 ports in every direction, with every
 * outcome and ICMP reason, SYN retransmissions, early resets and suspect resets; and on a file that
 * is no capture (no port, an error).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/net/address.js';
import { replayForReport, type ReportRun } from '../../src/report/replay-run.js';
import { JSON_CHUNK_CHARS, replayReportJson } from '../../src/report/json-report.js';
import { buildReplayReport, summarizeReplay } from '../../src/report/replay-report.js';
import { renderTable } from '../../src/report/table.js';
import { LocalNets } from '../../src/track/direction.js';
import { ethernet, icmp4Unreach, icmp6Unreach, tcp4, tcp6 } from '../../kit/craft.js';
import { writePcap, type PcapRecord } from '../../kit/pcap-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'rstwatch-json-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETTINGS = { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 262144, topN: 10 };
const LOCAL_NETS = ['192.0.2.0/24', '2001:db8:1::/48'];
/** ICMP codes of each reason (port, admin, host, net unreachable, other) for IPv4 and IPv6. */
const ICMP_CODES = { 4: [3, 9, 1, 0, 5], 6: [4, 1, 3, 0, 7] };

/** Client and server of attempt `n` on port row `i`: inbound, outbound or unknown by `i % 3`; IPv6 when `i % 4 === 0`. */
function endpoints(i: number, n: number): { v6: boolean; client: string; server: string } {
  const v6 = i % 4 === 0;
  const host = (n % 250) + 1;
  const local = v6 ? `2001:db8:1::${host.toString(16)}` : `192.0.2.${host}`;
  const remote = (net: number) => (v6 ? `2001:db8:${net}::${host.toString(16)}` : `${net === 2 ? '198.51.100' : '203.0.113'}.${host}`);
  const [client, server] = [
    [remote(2), local],
    [local, remote(3)],
    [remote(2), remote(3)],
  ][i % 3];
  return { v6, client, server };
}

/**
 * A capture of 3277 server ports (1, 21, 41, ... 65521), 1 to 5 attempts each, their outcomes
 * cycling through accepted, refused, the five ICMP reasons and unanswered; some with a SYN
 * retransmission, an early reset, or a RST whose ack is wrong (an ack_mismatch suspect).
 */
function scanCapture(): string {
  const records: PcapRecord[] = [];
  const add = (data: Uint8Array) =>
    records.push({ data: ethernet(data), tsSec: 1_700_000_000 + Math.floor(records.length / 1000), tsNsec: (records.length % 1000) * 1e6 });
  let n = 0;
  for (let i = 0, dport = 1; dport <= 65535; i++, dport += 20) {
    for (let k = 0; k <= i % 5; k++, n++) {
      const { v6, client, server } = endpoints(i, n);
      const sport = 1024 + Math.floor(n / 250);
      const tcp = (src: string, dst: string, o: { sport: number; dport: number; flags: string; seq: number; ack?: number }) =>
        v6 ? tcp6({ src, dst, ...o }) : tcp4({ src, dst, ...o });
      const syn = tcp(client, server, { sport, dport, flags: 'S', seq: 100 });
      add(syn);
      if ((i + k) % 3 === 0) add(syn);
      const outcome = (i + k) % 8;
      const answer = { sport: dport, dport: sport, seq: 9000, ack: 101 };
      if (outcome === 0) {
        add(tcp(server, client, { ...answer, flags: 'S.' }));
        if (i % 7 === 0) add(tcp(server, client, { ...answer, flags: 'R.', seq: 9001 }));
      } else if (outcome === 1) {
        add(tcp(server, client, { ...answer, flags: 'R.', ack: n % 7 === 0 ? 5 : 101 }));
      } else if (outcome < 7) {
        const code = ICMP_CODES[v6 ? 6 : 4][outcome - 2];
        const icmp = { src: server, dst: client, code, quote: syn, quoteL4Bytes: 8 };
        add(v6 ? icmp6Unreach(icmp) : icmp4Unreach(icmp));
      }
    }
  }
  const path = join(dir, 'scan.pcap');
  writeFileSync(path, writePcap(records, { linkType: 1 }));
  return path;
}

async function replayScan(): Promise<ReportRun> {
  const result = await replayForReport([scanCapture()], { localNets: new LocalNets(LOCAL_NETS.map((c) => parseCidr(c))) });
  expect(result.error).toBeUndefined();
  return result;
}

/**
 * The report's JSON text written plainly from its object form: indented by two, each element of a
 * list on one line (JSON.stringify of it), a newline at the end.
 */
function reportText(report: object): string {
  const text = (value: unknown, pad: string): string => {
    if (Array.isArray(value)) return value.length === 0 ? '[]' : `[\n${value.map((v) => `${pad}  ${JSON.stringify(v)}`).join(',\n')}\n${pad}]`;
    if (value !== null && typeof value === 'object' && Object.values(value).some((v) => Array.isArray(v))) {
      const lines = Object.entries(value).map(([k, v]) => `${pad}  ${JSON.stringify(k)}: ${text(v, `${pad}  `)}`);
      return `{\n${lines.join(',\n')}\n${pad}}`;
    }
    return JSON.stringify(value, null, 2).replaceAll('\n', `\n${pad}`);
  };
  return `${text(report, '')}\n`;
}

describe('the JSON written in chunks', () => {
  it('3277 ports in every direction: the text of the object form, each element of a list on one line, in chunks of about JSON_CHUNK_CHARS', async () => {
    const result = await replayScan();
    const report = buildReplayReport(result, SETTINGS);
    // What the capture holds, so that every part of a row and of the report is written.
    expect(report.ports).toHaveLength(3277);
    expect(Object.values(report.directions).map((d) => d.attempts > 0)).toEqual([true, true, true]);
    expect(Object.values(report.totals.icmp_rejected_by_reason).every((count) => count > 0)).toBe(true);
    expect([report.totals.unanswered > 0, report.totals.syn_retransmits > 0, report.totals.early_resets > 0]).toEqual([true, true, true]);
    expect(report.suspect_resets.length).toBeGreaterThan(10);
    expect(new Set(report.ports.map((p) => p.refusal_ratio)).size).toBeGreaterThan(3);

    const chunks = [...replayReportJson(summarizeReplay(result, SETTINGS))];
    expect(chunks.join('')).toBe(reportText(report));
    expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(JSON_CHUNK_CHARS + 2000);
  });

  it('a file that is no capture: no port, an error, the same text', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello, world\n');
    const result = await replayForReport([path]);
    expect(result.error).toBeDefined();
    const text = [...replayReportJson(summarizeReplay(result, SETTINGS))].join('');
    expect(text).toBe(reportText(buildReplayReport(result, SETTINGS)));
    expect(text).toContain('\n  "ports": [],\n');
  });
});

describe('the table of the same capture', () => {
  it('lists the busiest ports first (ties: the lower port), and the first ten ports with early resets', async () => {
    const result = await replayScan();
    const rows = buildReplayReport(result, SETTINGS).ports;
    const busiest = [...rows].sort((a, b) => b.attempts - a.attempts || a.port - b.port);
    const portColumn = (text: string) => [...text.matchAll(/^ *(\d+) +\d+ +\d+ +\d+ +\d+ +\d+ +[\d.]+% +[\d.]+% +\d+(?: {2}.*)?$/gm)].map((m) => Number(m[1]));

    const text = renderTable(summarizeReplay(result, SETTINGS), { maxPortRows: 25, maxSuspectRows: 20 });
    expect(text).toContain('Server ports (3277, busiest 25 shown; --all-ports or --json for all)');
    expect(portColumn(text)).toEqual(busiest.slice(0, 25).map((p) => p.port));
    const early = rows.filter((p) => p.early_resets > 0).slice(0, 10);
    expect(text).toContain(`ports: ${early.map((p) => `${p.port} (${p.early_resets})`).join(', ')}\n`);

    const all = renderTable(summarizeReplay(result, SETTINGS), { maxPortRows: Infinity, maxSuspectRows: 20 });
    expect(all).toContain('Server ports (3277)\n');
    expect(portColumn(all)).toEqual(busiest.map((p) => p.port));
  });
});
