/**
 * The replay table (src/report/table.ts) on summaries of crafted captures: the failure share and
 * the ICMP reasons per port, the port order of a scan and the scan each port belongs to, who refuses
 * whom, the timeline as rows or sparklines, and the scans. The pairs, timeline and scans are given
 * as the JSON has them (docs/report.md).
 */
import { describe, expect, it } from 'vitest';
import type { PairJson, TimelineJson } from '../../src/report/replay-report.js';
import { renderTable, SPARKLINE_WIDTH } from '../../src/report/table.js';
import { rst, summaryOf, syn, synAck, T0, unreachable, type Timed } from './table-support.js';

const OPTIONS = { maxPortRows: 25, maxPairRows: 10, maxSuspectRows: 20 };
const C = '10.0.0.1';
const S = '10.0.0.2';
const ROUTER = '10.0.9.9';

/** The lines of the section whose heading starts with `heading`, up to the blank line after it. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start, `no section '${heading}' in\n${text}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The cells of the row of `section` whose first cell is `first`, split at runs of two or more spaces. */
function row(lines: readonly string[], first: string): string[] {
  const line = lines.find((l) => l.trim().split(/ {2,}/)[0] === first);
  expect(line, `no row '${first}' in\n${lines.join('\n')}`).toBeDefined();
  return (line ?? '').trim().split(/ {2,}/);
}

/** Refused on 8080, refused by ICMP (port unreachable from the server, admin prohibited from a router) on 9000, unanswered on 7000, accepted on 80. */
function mixed(): Timed[] {
  return [
    { at: 0, frame: syn(C, 40001, S, 8080) },
    { at: 0.001, frame: rst(C, 40001, S, 8080) },
    { at: 0.01, frame: syn(C, 40002, S, 9000) },
    { at: 0.011, frame: unreachable(S, 3, C, 40002, S, 9000) },
    { at: 0.02, frame: syn(C, 40003, S, 9000) },
    { at: 0.021, frame: unreachable(ROUTER, 13, C, 40003, S, 9000) },
    { at: 0.03, frame: syn(C, 40004, S, 7000) },
    { at: 0.04, frame: syn(C, 40005, S, 80) },
    { at: 0.041, frame: synAck(C, 40005, S, 80) },
  ];
}

describe('server ports', () => {
  it('shows the failure share beside the refusal ratio, and the ICMP reasons of each port, compact', async () => {
    const text = renderTable(await summaryOf(mixed()), OPTIONS);
    const ports = section(text, 'Server ports');
    expect(ports[0]).toBe('Server ports (4)');
    expect(ports[1].split(/ {2,}/).slice(7, 10)).toEqual(['failure', 'syn_rexmit', 'icmp reasons']);
    expect(ports.slice(3, 7).map((l) => l.trim().split(/ +/)[0])).toEqual(['9000', '80', '7000', '8080']);
    expect(row(ports, '9000')).toEqual(['9000', '2', '0', '0', '2', '0', '0.0%', '100.0%', '0', 'port 1, admin 1', 'server 1, other 1']);
    expect(row(ports, '7000').slice(0, 9)).toEqual(['7000', '1', '0', '0', '0', '1', '0.0%', '100.0%', '0']);
    expect(row(ports, '8080').slice(6, 8)).toEqual(['100.0%', '100.0%']);
    expect(row(ports, '80').slice(6, 8)).toEqual(['0.0%', '0.0%']);
    const totals = section(text, 'Totals');
    expect(row(totals, 'all')).toEqual(['all', '5', '1', '1', '2', '1', '20.0%', '80.0%', '0']);
    expect(totals).toContain(
      'icmp_rejected by reason: port_unreachable 1, admin_prohibited 1; sent by the server itself 1, by another address answering for it 1',
    );
    expect(totals).toContain(`ICMP unreachables sent for another address (a router or firewall): ${ROUTER} 1`);
    expect(ports).toContain('icmp sent by: the server itself, or another address answering for it (a router or firewall)');
  });

  it('has no ICMP columns when nothing was rejected by ICMP', async () => {
    const text = renderTable(await summaryOf(mixed().slice(0, 2)), OPTIONS);
    expect(section(text, 'Server ports')[1]).not.toMatch(/icmp reasons/);
  });

  it('lists the busiest ports first, whatever their failures, when ports saw several attempts', async () => {
    const frames: Timed[] = [];
    for (let i = 0; i < 3; i++) frames.push({ at: i, frame: syn(C, 41000 + i, S, 443) }, { at: i + 0.001, frame: synAck(C, 41000 + i, S, 443) });
    for (let i = 0; i < 2; i++) frames.push({ at: 5 + i, frame: syn(C, 42000 + i, S, 25) }, { at: 5.001 + i, frame: rst(C, 42000 + i, S, 25) });
    const ports = section(renderTable(await summaryOf(frames), OPTIONS), 'Server ports');
    expect(ports[0]).toBe('Server ports (2)');
    expect(ports.slice(3).map((l) => l.trim().split(/ +/)[0])).toEqual(['443', '25']);
  });
});

/** A scan of ports 1..20 by C (each refused once), port 25 refused twice, port 443 with two accepted attempts and one refused. */
function scan(): Timed[] {
  const frames: Timed[] = [];
  let at = 0;
  const refused = (sport: number, port: number): void => {
    frames.push({ at, frame: syn(C, sport, S, port) }, { at: at + 0.0001, frame: rst(C, sport, S, port) });
    at += 0.001;
  };
  for (let port = 20; port >= 1; port--) refused(50000 + port, port);
  refused(51025, 25);
  refused(52025, 25);
  for (let i = 0; i < 2; i++) {
    frames.push({ at, frame: syn(C, 53000 + i, S, 443) }, { at: at + 0.0001, frame: synAck(C, 53000 + i, S, 443) });
    at += 0.001;
  }
  refused(53002, 443);
  return frames;
}

describe('a scan: ports with one attempt each', () => {
  it('are summed in one row per scan when failed once each; the other ports by failures, naming the scan they belong to', async () => {
    const r = await summaryOf(scan());
    const text = renderTable(r, { ...OPTIONS, maxPortRows: 5 });
    const ports = section(text, 'Server ports');
    expect(ports[0]).toBe('Server ports (22; most saw a single attempt, so most failures first; the ports a scan failed on once each in one row per scan)');
    expect(ports[1].split(/ {2,}/).at(-1)).toBe('scan');
    // Ports 1..20, tried once each by the scan, are one row; then the ports that stand out.
    expect(ports.slice(3).map((l) => l.trim().split(/ {2,}/))).toEqual([
      ['20 ports', '20', '0', '20', '0', '0', '100.0%', '100.0%', '0', '#1'],
      ['25', '2', '0', '2', '0', '0', '100.0%', '100.0%', '0', '#1'],
      ['443', '3', '2', '1', '0', '0', '33.3%', '33.3%', '0', '#1'],
    ]);
    // The scan the replay's ScanFinder named: 23 failures on 22 ports, and the 2 accepted attempts between them.
    const scans = section(text, 'Scans and floods');
    expect(row(scans, '#1')).toEqual(['#1', 'vertical', `${C} -> ${S}`, '22 ports', '25', '23', '22:13:20.000', '24.0 ms']);
  });

  it('who refuses whom: the pairs the scan failed on once each in one row, the others as they are', async () => {
    const r = await summaryOf(scan());
    const pairs = section(renderTable(r, OPTIONS), 'Who refuses whom');
    expect(pairs[0]).toBe(
      'Who refuses whom (22 server:port <- client pairs, most failures first; first and last attempt; the pairs a scan failed on once each in one row per scan)',
    );
    expect(pairs.slice(3).map((l) => l.split(/ {2,}/).slice(0, 7))).toEqual([
      [`${S}:* <- ${C}`, '#1, 20 ports', '20', '0', '20', '0', '0'],
      [`${S}:25 <- ${C}`, '2', '0', '2', '0', '0', '22:13:20.020'],
      [`${S}:443 <- ${C}`, '3', '2', '1', '0', '0', '22:13:20.022'],
    ]);
  });

  it('without a scan, ports seen once each are ordered by failures all the same, and no port names a scan', async () => {
    // Port p of server 10.2.0.p from client 10.1.0.p: each client, server and port once.
    const frames: Timed[] = [];
    for (let p = 20; p >= 1; p--) {
      const [client, server] = [`10.1.0.${p}`, `10.2.0.${p}`];
      frames.push({ at: 20 - p, frame: syn(client, 40000, server, p) });
      if (p % 2 === 0) frames.push({ at: 20.5 - p, frame: rst(client, 40000, server, p) });
      else if (p % 3 === 0) frames.push({ at: 20.5 - p, frame: synAck(client, 40000, server, p) });
    }
    const r = await summaryOf(frames);
    expect(r.scans).toEqual([]);
    const text = renderTable(r, { ...OPTIONS, maxPortRows: 20 });
    expect(text).not.toMatch(/^Scans and floods/m);
    const ports = section(text, 'Server ports');
    expect(ports[0]).toBe('Server ports (20; most saw a single attempt, so most failures first)');
    expect(ports[1]).not.toMatch(/scan/);
    // The failures (refused: even ports; unanswered: odd ports but 3, 9, 15) by port, then the accepted 3, 9, 15.
    expect(ports.slice(3).map((l) => Number(l.trim().split(/ +/)[0]))).toEqual([1, 2, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 3, 9, 15]);
  });

  it('ports a scan tried several times each stay busiest first, and name the scan all the same', async () => {
    const frames: Timed[] = [];
    for (let round = 0; round < 2; round++) {
      for (let port = 1; port <= 16; port++) {
        const at = round + port * 0.001;
        frames.push({ at, frame: syn(C, 50000 + round, S, port) }, { at: at + 0.0001, frame: rst(C, 50000 + round, S, port) });
      }
    }
    frames.push({ at: 3, frame: syn(C, 50002, S, 16) }, { at: 3.0001, frame: rst(C, 50002, S, 16) });
    const ports = section(renderTable(await summaryOf(frames), { ...OPTIONS, maxPortRows: 3 }), 'Server ports');
    expect(ports[0]).toBe('Server ports (16, busiest 3 shown; --all-ports or --json for all)');
    expect(ports.slice(3).map((l) => l.trim().split(/ +/))).toEqual([
      ['16', '3', '0', '3', '0', '0', '100.0%', '100.0%', '0', '#1'],
      ['1', '2', '0', '2', '0', '0', '100.0%', '100.0%', '0', '#1'],
      ['2', '2', '0', '2', '0', '0', '100.0%', '100.0%', '0', '#1'],
    ]);
  });

  it("a note says when the scan finder's tables were full", async () => {
    const r = await summaryOf(scan());
    expect(renderTable(r, OPTIONS)).not.toMatch(/scan finder/);
    r.scan_finder = { evicted_keys: 7, dropped_failures: 3 };
    expect(renderTable(r, OPTIONS)).toMatch(
      /^- the scan finder's tables were full: 7 unnamed keys pushed out, 3 failures not counted under a scan pattern \(a scan may count fewer failures than the capture holds, never more: docs\/scans\.md\)$/m,
    );
  });

  it('a horizontal scan or a flood names its port', async () => {
    const r = await summaryOf(scan());
    const flood = { client: null, server: S, port: 25, distinct: 30, attempts: 30, failures: 30, first: null, last: null, duration_seconds: 0 };
    r.scans = [{ ...flood, kind: 'flood' }];
    const text = renderTable(r, OPTIONS);
    expect(row(section(text, 'Server ports'), '25').at(-1)).toBe('#1');
    expect(row(section(text, 'Scans and floods'), '#1').slice(1, 4)).toEqual(['flood', `* -> ${S}:25`, '30 clients']);
  });
});

describe('who refuses whom', () => {
  const base = { accepted: 0, icmp_rejected: 0, unanswered: 0, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:13:21.500Z' };
  const pairs: PairJson[] = [
    { ...base, server: '2001:db8::1', port: 445, client: '2001:db8::2', attempts: 6, refused: 6 },
    { ...base, server: S, port: 8080, client: C, attempts: 3, refused: 2, accepted: 1 },
    { ...base, server: S, port: 80, client: C, attempts: 2, refused: 0, accepted: 2 },
  ];

  it('lists the top pairs as server:port <- client with their counts, first and last; says what is left out and what was folded', async () => {
    const r = await summaryOf(mixed());
    r.pairs = pairs;
    r.pairs_other = { pairs: 40, attempts: 41, accepted: 0, refused: 30, icmp_rejected: 1, unanswered: 10 };
    const lines = section(renderTable(r, { ...OPTIONS, maxPairRows: 2 }), 'Who refuses whom');
    expect(lines[0]).toBe('Who refuses whom (top 2 of 3 server:port <- client pairs, most failures first; first and last attempt)');
    expect(row(lines, '[2001:db8::1]:445 <- 2001:db8::2')).toEqual([
      '[2001:db8::1]:445 <- 2001:db8::2',
      '6',
      '0',
      '6',
      '0',
      '0',
      '22:13:20.000',
      '22:13:21.500',
    ]);
    expect(row(lines, `${S}:8080 <- ${C}`).slice(1, 6)).toEqual(['3', '1', '2', '0', '0']);
    expect(lines.some((l) => l.startsWith(`${S}:80 <-`))).toBe(false);
    expect(lines).toContain('(1 more pairs in --json and --format csv --table pairs)');
    expect(lines).toContain(
      '(40 more pairs with the fewest failures, summed beyond --max-pairs: 41 attempts, 0 accepted, 30 refused, 1 icmp_rej, 10 unanswered)',
    );
  });

  it('gives the date with the time when the capture spans more than one UTC day', async () => {
    const r = await summaryOf([
      { at: 0, frame: syn(C, 40001, S, 8080) },
      { at: 86_400, frame: rst(C, 40001, S, 8080) },
    ]);
    r.pairs = [{ ...pairs[1], first: '2023-11-14T22:13:20.000Z', last: '2023-11-15T22:13:20.000Z' }];
    const text = renderTable(r, OPTIONS);
    expect(text).toMatch(/^times are UTC$/m);
    expect(row(section(text, 'Who refuses whom'), `${S}:8080 <- ${C}`).slice(-2)).toEqual(['2023-11-14 22:13:20.000', '2023-11-15 22:13:20.000']);
  });
});

/** A timeline of `n` buckets of 10 ms from T0, bucket i holding `attempts(i)` attempts, refused but for one accepted in every 4th. */
function timeline(n: number, attempts: (i: number) => number): TimelineJson {
  return {
    bucket_seconds: 0.01,
    buckets: Array.from({ length: n }, (_, i) => {
      const a = attempts(i);
      const accepted = i % 4 === 0 && a > 0 ? 1 : 0;
      return { start: new Date(T0 * 1000 + i * 10).toISOString(), attempts: a, accepted, refused: a - accepted, icmp_rejected: 0, unanswered: 0 };
    }),
    unknown_time: null,
  };
}

describe('the timeline', () => {
  it('lists a few buckets one per row', async () => {
    const r = await summaryOf(mixed());
    r.timeline = timeline(3, (i) => i + 1);
    const lines = section(renderTable(r, OPTIONS), 'Timeline');
    expect(lines[0]).toBe('Timeline: attempts by the time of their first SYN, 3 buckets of 10.0 ms');
    expect(lines.slice(3).map((l) => l.trim().split(/ {2,}/))).toEqual([
      ['22:13:20.000', '1', '1', '0', '0', '0'],
      ['22:13:20.010', '2', '0', '2', '0', '0'],
      ['22:13:20.020', '3', '0', '3', '0', '0'],
    ]);
  });

  it('draws many buckets as sparklines on one scale, neighbours sharing a character, a count above zero never blank', async () => {
    const r = await summaryOf(mixed());
    // 130 buckets: 3 to a character, 44 characters; a burst of 40 in bucket 60, one attempt in bucket 129, none between.
    r.timeline = timeline(130, (i) => (i === 60 ? 40 : i === 129 ? 1 : i < 30 ? 2 : 0));
    const lines = section(renderTable(r, OPTIONS), 'Timeline');
    expect(lines[0]).toBe('Timeline: attempts by the time of their first SYN, 130 buckets of 10.0 ms, 3 to a character (30.0 ms); the highest character is 40');
    expect(lines[1].trim()).toBe('22:13:20.000 .. 22:13:21.300');
    const spark = (name: string): string => {
      const line = lines.find((l) => l.startsWith(`${name} `)) ?? '';
      return line.slice(line.indexOf('|') + 1, line.lastIndexOf('|'));
    };
    const attempts = spark('attempts');
    expect(attempts).toHaveLength(Math.ceil(130 / 3));
    expect(attempts.length).toBeLessThanOrEqual(SPARKLINE_WIDTH);
    expect(attempts[20]).toBe('█');
    expect(attempts[43]).toBe('▁');
    expect(attempts.slice(10, 20)).toBe(' '.repeat(10));
    expect(attempts[0]).toBe('▂'); // 6 of 40: ceil(6 / 40 * 8) = 2nd level
    // A line per outcome with a count, ending with its total.
    expect(lines.filter((l) => l.includes('|')).map((l) => l.split(' ')[0])).toEqual(['attempts', 'accepted', 'refused']);
    expect(lines.find((l) => l.startsWith('attempts '))).toMatch(/\| 101$/);
    expect(lines.find((l) => l.startsWith('accepted '))).toMatch(/\| 9$/);
  });
});

describe('of a real replay', () => {
  it('the pairs and the timeline the replay collected', async () => {
    const text = renderTable(await summaryOf(mixed(), { bucketSeconds: 0.02 }), OPTIONS);
    const pairs = section(text, 'Who refuses whom');
    expect(pairs.slice(3).map((l) => l.split(/ {2,}/).slice(0, 6))).toEqual([
      [`${S}:9000 <- ${C}`, '2', '0', '0', '2', '0'],
      [`${S}:7000 <- ${C}`, '1', '0', '0', '0', '1'],
      [`${S}:8080 <- ${C}`, '1', '0', '1', '0', '0'],
      [`${S}:80 <- ${C}`, '1', '1', '0', '0', '0'],
    ]);
    expect(row(pairs, `${S}:9000 <- ${C}`).slice(-2)).toEqual(['22:13:20.010', '22:13:20.020']);
    const timeline = section(text, 'Timeline');
    expect(timeline[0]).toBe('Timeline: attempts by the time of their first SYN, 3 buckets of 20.0 ms');
    expect(timeline.slice(3).map((l) => l.split(/ {2,}/))).toEqual([
      ['22:13:20.000', '2', '0', '1', '1', '0'],
      ['22:13:20.020', '2', '0', '0', '1', '1'],
      ['22:13:20.040', '1', '1', '0', '0', '0'],
    ]);
  });

  it('the attempts of no known time are said under the timeline', async () => {
    const r = await summaryOf(mixed());
    r.timeline = { ...timeline(2, () => 1), unknown_time: { attempts: 3, accepted: 0, refused: 3, icmp_rejected: 0, unanswered: 0 } };
    expect(section(renderTable(r, OPTIONS), 'Timeline').at(-1)).toBe('3 attempts whose first SYN has no known time (beyond the range of a date) are not on it');
  });
});
