/**
 * The oracle's pairs and timeline (kit/tshark-oracle.ts `countPairs`, `countTimeline`,
 * `autoBucketWidthNs`) and its exact times, on hand-written events: SEMANTICS.md "Where and when"
 * (a pair is server address, server port, client address; an attempt counts in the bucket of its
 * first SYN, whatever its outcome's time) and the i13 design's names. Pure: no tshark.
 */
import { describe, expect, it } from 'vitest';
import {
  autoBucketWidthNs,
  bucketStartNs,
  countAttempts,
  countTimeline,
  isoMillis,
  parseEpochNs,
  secondsToNs,
  type IcmpEvent,
  type OracleAttempt,
  type OracleEvent,
  type OracleOutcomeCounts,
  type TcpEvent,
} from '../../kit/tshark-oracle.js';

const SYN = 0x002,
  RST = 0x004,
  ACK = 0x010;

const S1 = '198.51.100.2';
const S2 = '198.51.100.3';
const C1 = '192.0.2.1';
const C2 = '192.0.2.7';

interface Tuple {
  client: string;
  cport: number;
  server: string;
  sport: number;
  family?: 4 | 6;
}
const T: Tuple = { client: C1, cport: 40000, server: S1, sport: 80 };

/** At `timeNs`: a SYN of the tuple (client to server) or an answer to it (server to client). */
function syn(timeNs: bigint, t: Tuple = T, seq = 1000): TcpEvent {
  return { kind: 'tcp', timeNs, family: t.family ?? 4, src: t.client, sport: t.cport, dst: t.server, dport: t.sport, flags: SYN, seq };
}
function answer(timeNs: bigint, flags: number, t: Tuple = T): TcpEvent {
  return { kind: 'tcp', timeNs, family: t.family ?? 4, src: t.server, sport: t.sport, dst: t.client, dport: t.cport, flags, seq: 1 };
}
function unreachable(timeNs: bigint, t: Tuple = T): IcmpEvent {
  return { kind: 'icmp', timeNs, family: 4, type: 3, code: 1, quoted: { src: t.client, sport: t.cport, dst: t.server, dport: t.sport } };
}
const s = (seconds: number): bigint => secondsToNs(seconds);
const counts = (c: Partial<OracleOutcomeCounts>): OracleOutcomeCounts => ({ attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0, ...c });

describe('countPairs (through countAttempts)', () => {
  it('groups attempts by server address, server port and client address, whatever the client port', () => {
    const other = { ...T, cport: 40001 };
    const r = countAttempts([syn(s(1)), answer(s(1.1), RST | ACK), syn(s(2), other), answer(s(2.1), SYN | ACK, other)]);
    expect(r.pairs).toEqual([{ server: S1, port: 80, client: C1, ...counts({ attempts: 2, accepted: 1, refused: 1 }), firstNs: s(1), lastNs: s(2) }]);
  });

  it('another server port, server or client is another pair; every outcome is counted; sorted by server, port, client', () => {
    const p22 = { ...T, sport: 22 };
    const s2 = { ...T, server: S2 };
    const c2 = { ...T, client: C2 };
    const r = countAttempts([
      syn(s(1), s2),
      syn(s(2), c2),
      unreachable(s(2.5), c2),
      syn(s(3), p22),
      answer(s(3.5), RST, p22),
      syn(s(4)),
      answer(s(4.5), SYN | ACK),
    ]);
    expect(r.pairs.map(({ server, port, client }) => `${server} ${port} ${client}`)).toEqual([
      `${S1} 22 ${C1}`,
      `${S1} 80 ${C1}`,
      `${S1} 80 ${C2}`,
      `${S2} 80 ${C1}`,
    ]);
    expect(r.pairs.map(({ server, port, client, firstNs, lastNs, ...c }) => c)).toEqual([
      counts({ attempts: 1, refused: 1 }),
      counts({ attempts: 1, accepted: 1 }),
      counts({ attempts: 1, icmp_rejected: 1 }),
      counts({ attempts: 1, unanswered: 1 }),
    ]);
  });

  it('first and last are the first SYNs of the first and latest attempts, not of retransmissions or answers', () => {
    const r = countAttempts([
      syn(s(10)),
      syn(s(11)), // retransmission: no new attempt, no new time
      answer(s(12), RST | ACK),
      syn(s(20)), // after a refusal: a new attempt
      syn(s(21)), // its retransmission
      answer(s(30), RST | ACK),
    ]);
    expect(r.pairs).toEqual([{ server: S1, port: 80, client: C1, ...counts({ attempts: 2, refused: 2 }), firstNs: s(10), lastNs: s(20) }]);
  });

  it('first and last follow capture order, not the timestamps, when a capture goes back in time', () => {
    const other = { ...T, cport: 40001 };
    const r = countAttempts([syn(s(50)), syn(s(40), other), syn(s(45), { ...T, cport: 40002 })]);
    expect(r.pairs[0]).toMatchObject({ attempts: 3, firstNs: s(50), lastNs: s(45) });
  });

  it('an IPv4 and an IPv6 pair never merge; answers that match nothing make no pair', () => {
    const v6 = { client: '2001:db8::1', cport: 1, server: '2001:db8::2', sport: 443, family: 6 as const };
    const r = countAttempts([syn(s(1), v6), answer(s(1.1), RST | ACK, { ...T, sport: 8080 }), syn(s(2))]);
    expect(r.pairs.map((p) => [p.server, p.port, p.client])).toEqual([
      [S1, 80, C1],
      ['2001:db8::2', 443, '2001:db8::1'],
    ]);
  });

  it('the pairs add up to the totals, outcome by outcome', () => {
    const events: OracleEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const t = { ...T, cport: 1000 + i, sport: 20 + (i % 3), client: i % 2 === 0 ? C1 : C2 };
      events.push(syn(s(i), t));
      if (i % 4 === 0) events.push(answer(s(i + 0.5), RST, t));
      if (i % 4 === 1) events.push(answer(s(i + 0.5), SYN | ACK, t));
      if (i % 4 === 2) events.push(unreachable(s(i + 0.5), t));
    }
    const r = countAttempts(events);
    expect(r.pairs).toHaveLength(6);
    for (const k of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const) {
      expect(
        r.pairs.reduce((sum, p) => sum + p[k], 0),
        k,
      ).toBe(r.totals[k]);
    }
  });
});

describe('countTimeline', () => {
  /** An attempt of the test tuple whose first SYN was at `timeNs`. */
  const attempt = (timeNs: bigint, outcome: OracleAttempt['outcome'] = 'refused'): OracleAttempt => ({
    family: 4,
    client: C1,
    clientPort: 1,
    server: S1,
    serverPort: 80,
    firstSynNs: timeNs,
    outcome,
    icmpReason: null,
    synRetransmits: 0,
  });

  it('counts an attempt in the bucket of its first SYN, however late its outcome came', () => {
    // SYN at 59.9 s, refused at 61 s, retransmitted at 60.5 s: all in the bucket [0, 60).
    const r = countAttempts([syn(s(59.9)), syn(s(60.5)), answer(s(61), RST | ACK), syn(s(60), { ...T, cport: 2 })]);
    expect(countTimeline(r.attemptList, s(60))).toEqual([
      { startNs: s(0), ...counts({ attempts: 1, refused: 1 }) },
      { startNs: s(60), ...counts({ attempts: 1, unanswered: 1 }) },
    ]);
  });

  it('lists every bucket from the first to the last, empty ones included, at multiples of the width', () => {
    const b = countTimeline([attempt(s(1001.5)), attempt(s(1004.2), 'accepted'), attempt(s(1004.9), 'unanswered')], s(1));
    expect(b.map((x) => x.startNs)).toEqual([s(1001), s(1002), s(1003), s(1004)]);
    expect(b.map((x) => x.attempts)).toEqual([1, 0, 0, 2]);
    expect(b[3]).toEqual({ startNs: s(1004), ...counts({ attempts: 2, accepted: 1, unanswered: 1 }) });
  });

  it('a SYN exactly on a boundary opens the next bucket (exact times: 33.008 s is in [33.008, 33.009))', () => {
    const at = parseEpochNs('1377201633.008000000');
    expect(countTimeline([attempt(at)], s(0.001))[0].startNs).toBe(at);
    expect(countTimeline([attempt(at - 1n)], s(0.001))[0].startNs).toBe(at - 1_000_000n);
    // What doubles would do: 1377201633.008 / 0.001 is 1377201633007.9998, one bucket too early.
    expect(Math.floor(1377201633.008 / 0.001)).toBe(1377201633007);
  });

  it('attempts in any capture order; no attempts, no buckets; a width must be positive', () => {
    expect(countTimeline([attempt(s(30)), attempt(s(10))], s(10)).map((x) => [x.startNs, x.attempts])).toEqual([
      [s(10), 1],
      [s(20), 0],
      [s(30), 1],
    ]);
    expect(countTimeline([], s(1))).toEqual([]);
    expect(() => countTimeline([attempt(0n)], 0n)).toThrow(/positive/);
  });

  it('bucket starts floor towards the past before the epoch too', () => {
    expect(bucketStartNs(-1n, s(1))).toBe(-s(1));
    expect(bucketStartNs(-s(1), s(1))).toBe(-s(1));
    expect(bucketStartNs(s(1) - 1n, s(1))).toBe(0n);
  });

  it('autoBucketWidthNs: the narrowest width of the ladder that makes at most 240 buckets', () => {
    const widthFor = (first: number, last: number): bigint | null => autoBucketWidthNs([attempt(s(first)), attempt(s(last))]);
    expect(widthFor(5, 5)).toBe(s(0.001));
    expect(widthFor(5, 5.239)).toBe(s(0.001)); // 240 buckets of 1 ms
    expect(widthFor(5, 5.24)).toBe(s(0.01)); // 241 would be too many
    expect(widthFor(5.0009, 5.2401)).toBe(s(0.01)); // 0.2392 s, but it touches 241 buckets of 1 ms
    expect(widthFor(0, 239)).toBe(s(1));
    expect(widthFor(0, 240)).toBe(s(10));
    expect(widthFor(0, 86400 * 10)).toBe(s(21600)); // 41 buckets of 6 h
    expect(widthFor(0, 86400 * 239)).toBe(s(86400)); // 240 days
    // Beyond the design's ladder (a day): 7 days, then doubling, as rstwatch goes on.
    expect(widthFor(0, 86400 * 240)).toBe(s(604800));
    expect(widthFor(0, 86400 * 7 * 239)).toBe(s(604800));
    expect(widthFor(0, 86400 * 7 * 240)).toBe(s(1209600));
    expect(widthFor(0, 86400 * 7 * 1000)).toBe(s(604800 * 8)); // 1000 weeks: 126 buckets of 8 weeks
    expect(autoBucketWidthNs([])).toBeNull();
  });
});

describe('exact times', () => {
  it.each([
    ['1377201633.570191000', 1377201633570191000n],
    ['1617892604.516750032', 1617892604516750032n],
    ['1.5', 1500000000n],
    ['7', 7000000000n],
    ['0.000000001', 1n],
    ['-1.25', -1250000000n],
  ])('parseEpochNs(%s)', (text, ns) => {
    expect(parseEpochNs(text)).toBe(ns);
  });

  it.each(['', 'x', '1.0000000001', '1e9', '1.', ' 1'])('parseEpochNs(%j) throws', (text) => {
    expect(() => parseEpochNs(text)).toThrow(/epoch time/);
  });

  it('isoMillis: RFC 3339 UTC to the millisecond, truncated towards the past; null beyond a date', () => {
    expect(isoMillis(parseEpochNs('1377201633.570999999'))).toBe('2013-08-22T20:00:33.570Z');
    expect(isoMillis(parseEpochNs('1377201633.001000000'))).toBe('2013-08-22T20:00:33.001Z');
    expect(isoMillis(-1n)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoMillis(8_640_000_000_000_000n * 1_000_000n)).toBe('+275760-09-13T00:00:00.000Z');
    expect(isoMillis(8_640_000_000_000_001n * 1_000_000n)).toBeNull();
  });

  it('secondsToNs: the decimal a number prints as, exactly; other forms to the nearest nanosecond', () => {
    expect(secondsToNs(0.001)).toBe(1_000_000n);
    expect(secondsToNs(86400)).toBe(86_400_000_000_000n);
    expect(secondsToNs(20.1)).toBe(20_100_000_000n);
    // 1 ms doubled 37 times, as a widened `--bucket 0.001` may write it; 2^55 ms, whose double product with 1e9 is not its decimal.
    expect(secondsToNs(0.001 * 2 ** 37)).toBe(137_438_953_472_000_000n);
    expect(secondsToNs(0.001 * 2 ** 55)).toBe(36_028_797_018_963_970_000_000n);
    expect(secondsToNs(1e-7)).toBe(100n);
    expect(secondsToNs(0.1234567891)).toBe(123_456_789n);
    expect(() => secondsToNs(Number.NaN)).toThrow(/seconds/);
  });
});
