/**
 * The report's collector: who refuses whom (pairs), when (the timeline), and who answered for the
 * server (ICMP from another address), through the real pipeline from crafted captures; the pair
 * table's fold and the timeline's widths on their own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ethernet, icmp4Unreach, ipv4, tcp4, tcp6 } from '../../kit/craft.js';
import { writePcap, type PcapRecord } from '../../kit/pcap-writer.js';
import { PairCount, PairTable } from '../../src/report/collect/pair-table.js';
import { MAX_ASKED_BUCKETS, Timeline } from '../../src/report/collect/timeline.js';
import { buildReplayReport, type ReplayReport } from '../../src/report/replay-report.js';
import { replayForReport, type ReportRunOptions } from '../../src/report/replay-run.js';

const dir = mkdtempSync(join(tmpdir(), 'rstwatch-collect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_700_000_000;
const SETTINGS = { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 1024, topN: 10 };
const OUTCOMES = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const;

/** A frame at T0 + `ms` milliseconds. */
function at(ms: number, data: Uint8Array): PcapRecord {
  return { data, tsSec: T0 + Math.floor(ms / 1000), tsNsec: (ms % 1000) * 1_000_000 };
}

function syn(client: string, sport: number, server: string, dport: number, seq = 1000): Uint8Array {
  return ethernet(tcp4({ src: client, dst: server, sport, dport, flags: 'S', seq }));
}

function answer(flags: string, client: string, sport: number, server: string, dport: number, seq = 1000): Uint8Array {
  return ethernet(tcp4({ src: server, dst: client, sport: dport, dport: sport, flags, seq: 7, ack: seq + 1 }));
}

/** An ICMP port unreachable from `from` quoting the SYN client -> server. */
function icmpFor(from: string, client: string, sport: number, server: string, dport: number): Uint8Array {
  const quote = ipv4({ src: client, dst: server, protocol: 6, payload: tcp4({ sport, dport, flags: 'S', seq: 1000 }).subarray(20) });
  return ethernet(icmp4Unreach({ src: from, dst: client, quote, quoteL4Bytes: 8 }));
}

async function report(records: PcapRecord[], options: ReportRunOptions = {}): Promise<ReplayReport> {
  const path = join(dir, `c-${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(path, writePcap(records, { linkType: 1 }));
  return buildReplayReport(await replayForReport([path], options), SETTINGS);
}

/** Each outcome summed over `rows`. */
function sums(rows: readonly Partial<Record<(typeof OUTCOMES)[number], number>>[]): Record<string, number> {
  return Object.fromEntries(OUTCOMES.map((k) => [k, rows.reduce((n, r) => n + (r[k] ?? 0), 0)]));
}

function totals(r: ReplayReport): Record<string, number> {
  return Object.fromEntries(OUTCOMES.map((k) => [k, r.totals[k]]));
}

describe('who refuses whom: pairs through the pipeline', () => {
  it('counts each (server, port, client), most failures first, with the first SYN of its first and latest attempt', async () => {
    const r = await report([
      // 10.0.0.1 -> 192.0.2.10:80: refused twice (two client ports), then accepted
      at(0, syn('10.0.0.1', 40000, '192.0.2.10', 80)),
      at(1, answer('R.', '10.0.0.1', 40000, '192.0.2.10', 80)),
      at(500, syn('10.0.0.1', 40001, '192.0.2.10', 80)),
      at(501, answer('R.', '10.0.0.1', 40001, '192.0.2.10', 80)),
      at(900, syn('10.0.0.1', 40002, '192.0.2.10', 80)),
      at(901, answer('S.', '10.0.0.1', 40002, '192.0.2.10', 80)),
      // 10.0.0.2 -> 192.0.2.10:80: unanswered
      at(1000, syn('10.0.0.2', 50000, '192.0.2.10', 80)),
      // 10.0.0.1 -> 192.0.2.20:443: ICMP from a router (192.0.2.1), and from the server itself
      at(2000, syn('10.0.0.1', 40003, '192.0.2.20', 443)),
      at(2001, icmpFor('192.0.2.1', '10.0.0.1', 40003, '192.0.2.20', 443)),
      at(3000, syn('10.0.0.1', 40004, '192.0.2.20', 443)),
      at(3001, icmpFor('192.0.2.20', '10.0.0.1', 40004, '192.0.2.20', 443)),
    ]);
    expect(r.pairs).toEqual([
      {
        server: '192.0.2.10',
        port: 80,
        client: '10.0.0.1',
        attempts: 3,
        accepted: 1,
        refused: 2,
        icmp_rejected: 0,
        unanswered: 0,
        first: '2023-11-14T22:13:20.000Z',
        last: '2023-11-14T22:13:20.900Z',
      },
      {
        server: '192.0.2.20',
        port: 443,
        client: '10.0.0.1',
        attempts: 2,
        accepted: 0,
        refused: 0,
        icmp_rejected: 2,
        unanswered: 0,
        first: '2023-11-14T22:13:22.000Z',
        last: '2023-11-14T22:13:23.000Z',
      },
      {
        server: '192.0.2.10',
        port: 80,
        client: '10.0.0.2',
        attempts: 1,
        accepted: 0,
        refused: 0,
        icmp_rejected: 0,
        unanswered: 1,
        first: '2023-11-14T22:13:21.000Z',
        last: '2023-11-14T22:13:21.000Z',
      },
    ]);
    expect(r.pairs_other).toBeNull();
    expect(sums(r.pairs)).toEqual(totals(r));
    // Who answered: one of the two ICMP rejections on 443 came from another address than the server.
    const p443 = r.ports.find((p) => p.port === 443);
    expect(p443).toMatchObject({ icmp_rejected: 2, icmp_from_other: 1, icmp_rejected_by_reason: { port_unreachable: 2 }, failure_ratio: 1, refusal_ratio: 0 });
    expect(r.ports.find((p) => p.port === 80)).toMatchObject({ icmp_from_other: 0, icmp_rejected_by_reason: {}, failure_ratio: 0.75, refusal_ratio: 0.5 });
    expect(r.totals.icmp_from_other).toBe(1);
    expect(r.icmp_answerers).toEqual([{ address: '192.0.2.1', rejections: 1 }]);
  });

  it('IPv6 addresses in RFC 5952 text', async () => {
    const s = ethernet(tcp6({ src: '2001:db8::1', dst: '2001:db8:0:0:1::2', sport: 1234, dport: 22, flags: 'S', seq: 5 }));
    const rst = ethernet(tcp6({ src: '2001:db8:0:0:1::2', dst: '2001:db8::1', sport: 22, dport: 1234, flags: 'R.', seq: 0, ack: 6 }));
    const r = await report([at(0, s), at(1, rst)]);
    expect(r.pairs).toMatchObject([{ server: '2001:db8::1:0:0:2', port: 22, client: '2001:db8::1', refused: 1 }]);
  });

  it('beyond --max-pairs the pairs with fewest failures fold into one other row; rows and other still add up to the totals', async () => {
    const records: PcapRecord[] = [];
    let ms = 0;
    // 20 clients to one server port; client i is refused i + 1 times (over distinct client ports).
    for (let i = 0; i < 20; i++) {
      for (let k = 0; k <= i; k++) {
        records.push(at(ms++, syn(`10.0.1.${i}`, 30000 + k, '192.0.2.5', 25)));
        records.push(at(ms++, answer('R.', `10.0.1.${i}`, 30000 + k, '192.0.2.5', 25)));
      }
    }
    const r = await report(records, { maxPairs: 8 });
    expect(r.pairs.length).toBeLessThanOrEqual(8);
    expect(r.pairs_other).not.toBeNull();
    const all = [...r.pairs, r.pairs_other!];
    expect(sums(all)).toEqual(totals(r));
    expect(r.pairs.length + r.pairs_other!.pairs).toBe(20);
    // The most refused client was seen last and kept; rows stay sorted by failures.
    expect(r.pairs[0]).toMatchObject({ client: '10.0.1.19', refused: 20 });
    const failures = r.pairs.map((p) => p.refused + p.icmp_rejected + p.unanswered);
    expect(failures).toEqual([...failures].sort((a, b) => b - a));
  });
});

describe('when: the timeline', () => {
  it('an attempt counts, start and outcome, in the bucket of its first SYN; the buckets add up to the totals', async () => {
    // A SYN at 0.9 s answered at 1.2 s, and one at 1.5 s: span 0.6 s, 100 ms buckets.
    const r = await report([
      at(900, syn('10.0.0.1', 1, '192.0.2.1', 80)),
      at(1200, answer('R.', '10.0.0.1', 1, '192.0.2.1', 80)),
      at(1500, syn('10.0.0.1', 2, '192.0.2.1', 80)),
    ]);
    expect(r.timeline.bucket_seconds).toBe(0.01);
    expect(r.timeline.buckets[0]).toEqual({ start: '2023-11-14T22:13:20.900Z', attempts: 1, accepted: 0, refused: 1, icmp_rejected: 0, unanswered: 0 });
    expect(r.timeline.buckets.at(-1)).toEqual({ start: '2023-11-14T22:13:21.500Z', attempts: 1, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 1 });
    expect(r.timeline.buckets).toHaveLength(61);
    expect(sums(r.timeline.buckets)).toEqual(totals(r));
    expect(r.timeline.unknown_time).toBeNull();
  });

  it('--bucket sets the width; buckets start at multiples of it', async () => {
    const r = await report(
      [at(900, syn('10.0.0.1', 1, '192.0.2.1', 80)), at(61_000, syn('10.0.0.1', 2, '192.0.2.1', 80)), at(125_000, syn('10.0.0.1', 3, '192.0.2.1', 80))],
      { bucketSeconds: 60 },
    );
    expect(r.timeline.bucket_seconds).toBe(60);
    // T0 = 22:13:20; 60 s buckets start on whole minutes.
    expect(r.timeline.buckets.map((b) => [b.start, b.attempts])).toEqual([
      ['2023-11-14T22:13:00.000Z', 1],
      ['2023-11-14T22:14:00.000Z', 1],
      ['2023-11-14T22:15:00.000Z', 1],
    ]);
  });
});

describe('nanosecond captures', () => {
  it('an attempt is in the bucket of its first SYN to the nanosecond, where the double of the time rounds up to the next millisecond', async () => {
    // unsw_nmap.pcap frame 513: a SYN at 1617892604.535999682 s (the double is ...536000)
    const path = join(dir, 'nano.pcap');
    const s1 = syn('192.168.0.1', 36636, '192.168.0.2', 1138);
    writeFileSync(path, writePcap([{ data: s1, tsSec: 1_617_892_604, tsNsec: 535_999_682 }], { linkType: 1, nanosecond: true }));
    const r = buildReplayReport(await replayForReport([path], { bucketSeconds: 0.001 }), SETTINGS);
    expect(r.timeline.buckets).toEqual([{ start: '2021-04-08T14:36:44.535Z', attempts: 1, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 1 }]);
    expect(r.pairs[0]).toMatchObject({ first: '2021-04-08T14:36:44.535Z', last: '2021-04-08T14:36:44.535Z' });
  });
});

describe('Timeline on its own', () => {
  const t = new Float64Array(1);
  function add(tl: Timeline, seconds: number, outcome = PairCount.Refused): void {
    t[0] = Math.round(seconds * 1e6);
    tl.add(t, outcome);
  }

  it.each([
    [0.07, 0.001, 71],
    [3 * 3600, 60, 181],
    [86_400 * 3, 3600, 73],
  ])('a span of %d s is shown in buckets of %d s (%d buckets, at most 240)', (span, width, count) => {
    const tl = new Timeline();
    for (let i = 0; i <= 1000; i++) add(tl, T0 + (span * i) / 1000);
    const rows = tl.rows();
    expect(rows.bucketSeconds).toBe(width);
    expect(rows.buckets).toHaveLength(count);
    expect(rows.buckets.reduce((n, b) => n + b.attempts, 0)).toBe(1001);
  });

  it('times out of order and far apart lose nothing; the kept buckets stay bounded', () => {
    const tl = new Timeline();
    const times = [T0 + 100, T0, T0 + 0.0005, T0 - 50, T0 + 86_400 * 400, T0 + 1e-6, 1.8e13];
    for (const s of times) add(tl, s);
    const rows = tl.rows();
    expect(rows.buckets.reduce((n, b) => n + b.attempts, 0)).toBe(times.length);
    expect(rows.buckets.length).toBeLessThanOrEqual(240);
  });

  it('a width asked for too narrow for the span is widened, and says so', () => {
    const tl = new Timeline(0.001);
    add(tl, T0);
    add(tl, T0 + 86_400);
    const rows = tl.rows();
    expect(rows.widened).toBe(true);
    expect(rows.buckets.length).toBeLessThanOrEqual(MAX_ASKED_BUCKETS);
    expect(rows.bucketSeconds / 0.001).toBe(2 ** Math.round(Math.log2(rows.bucketSeconds / 0.001)));
    expect(rows.buckets.reduce((n, b) => n + b.attempts, 0)).toBe(2);
  });

  it('a width asked for is kept while the span fits in MAX_ASKED_BUCKETS of it, wherever the first attempt falls', () => {
    for (const order of [
      [0, 80_000],
      [80_000, 0],
      [40_000, 0, 80_000],
    ]) {
      const tl = new Timeline(1);
      for (const s of order) add(tl, T0 + s);
      const rows = tl.rows();
      expect([rows.bucketSeconds, rows.widened, rows.buckets.length]).toEqual([1, false, 80_001]);
    }
    const tl = new Timeline(1);
    add(tl, T0);
    add(tl, T0 + MAX_ASKED_BUCKETS);
    expect(tl.rows()).toMatchObject({ bucketSeconds: 2, widened: true });
  });

  it('a time that is not a number is counted apart', () => {
    const tl = new Timeline();
    add(tl, Number.NaN);
    add(tl, T0);
    expect(tl.unknown[PairCount.Attempts]).toBe(1);
    expect(tl.rows().buckets).toHaveLength(1);
  });
});

describe('PairTable on its own', () => {
  const t = new Float64Array([T0]);
  const server = new Uint32Array([0, 0, 0xffff, 0xc0000205]);
  const client = new Uint32Array([0, 0, 0xffff, 0]);

  it('a flood of new pairs keeps at most its capacity and folds the rest, counts conserved', () => {
    const table = new PairTable(100);
    let failures = 0;
    for (let i = 0; i < 10_000; i++) {
      client[3] = 0x0a000000 + (i % 3000);
      const outcome = i % 4 === 0 ? PairCount.Accepted : PairCount.Unanswered;
      if (outcome !== PairCount.Accepted) failures++;
      table.count(server, 80, client, outcome, t);
      expect(table.size).toBeLessThanOrEqual(100);
    }
    const rows = table.rows();
    const kept = rows.reduce((n, r) => n + r.attempts, 0);
    expect(kept + table.other[PairCount.Attempts]).toBe(10_000);
    expect(rows.reduce((n, r) => n + r.unanswered, 0) + table.other[PairCount.Unanswered]).toBe(failures);
    expect(table.otherPairs).toBeGreaterThan(0);
  });
});
