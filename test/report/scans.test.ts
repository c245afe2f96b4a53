/**
 * The ScanFinder (src/report/scans.ts) on crafted frames through the real decoder and tracker
 * (test/support/scan-pipeline.ts): each pattern at its threshold, the row's fields, what is a
 * failure, the window, exact and estimated distinct counts, bounded keys under pressure, the
 * benchmark's ordinary and flood captures, its memory, and no allocation per packet.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCapture } from '../../bench/captures.js';
import { ethernet, icmp4Unreach, icmp6Unreach, tcp4, tcp6 } from '../../kit/craft.js';
import { EXACT_DISTINCT } from '../../src/report/distinct-sets.js';
import { PORT_BITMAPS, ScanFinder, scanFinderBytes, type ScanOptions, type ScanRow } from '../../src/report/scans.js';
import { Counter } from '../../src/track/counters.js';
import { runFloodChild } from '../support/flood-child.js';
import { heldArrayBytes } from '../support/memory.js';
import { replayScans, scanPipeline, type ScanPipeline } from '../support/scan-pipeline.js';
import type { ScanFloodResult } from './scans-flood.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** 2023-11-14T22:13:20Z: the crafted captures' first second. */
const T0 = 1_700_000_000;
const C = '192.0.2.10';
const S = '198.51.100.20';

/** How a crafted attempt ends. */
type Outcome = 'refused' | 'icmp' | 'unanswered' | 'accepted' | 'early-reset';

/** Crafted traffic through the scan pipeline: one attempt at a time, its answer 1 ms after its SYN. */
class Traffic {
  readonly p: ScanPipeline;
  private clientPort = 20_000;

  constructor(options: ScanOptions = {}) {
    this.p = scanPipeline({ scans: options });
  }

  /**
   * One attempt from `client` to `server`:`port`, its first SYN at T0 + `t` seconds, ending as
   * `outcome`; `resend` SYNs more on the same tuple, each a new attempt after a refusal (a
   * retransmission otherwise).
   */
  attempt(t: number, client: string, server: string, port: number, outcome: Outcome, resend = 0): void {
    const cport = this.clientPort++;
    const v6 = client.includes(':');
    const seg = (src: string, dst: string, sport: number, dport: number, flags: string, seq: number, ack = 0): Uint8Array =>
      v6 ? tcp6({ src, dst, sport, dport, flags, seq, ack }) : tcp4({ src, dst, sport, dport, flags, seq, ack });
    const syn = seg(client, server, cport, port, 'S', 1000);
    for (let i = 0; i <= resend; i++) {
      const at = t + i * 0.003;
      this.frame(at, syn);
      if (outcome === 'refused') this.frame(at + 0.001, seg(server, client, port, cport, 'R.', 0, 1001));
    }
    if (outcome === 'icmp') {
      const quote = { quote: syn, quoteL4Bytes: 8 };
      this.frame(t + 0.001, v6 ? icmp6Unreach({ src: server, dst: client, code: 4, ...quote }) : icmp4Unreach({ src: server, dst: client, code: 3, ...quote }));
    }
    if (outcome === 'accepted' || outcome === 'early-reset') this.frame(t + 0.001, seg(server, client, port, cport, 'S.', 5000, 1001));
    if (outcome === 'early-reset') this.frame(t + 0.002, seg(server, client, port, cport, 'R', 5001));
  }

  /** Ends the capture (pending attempts become unanswered) and returns the named scans. */
  rows(): ScanRow[] {
    this.p.tracker.finish();
    return this.p.scans.rows();
  }

  private frame(t: number, ip: Uint8Array): void {
    const f = ethernet(ip);
    const second = Math.floor(T0 + t);
    this.p.sink.onFrame(f, 0, f.length, f.length, second, Math.round((T0 + t - second) * 1e9), 1);
  }
}

/** `n` distinct attempts of a pattern (i from 0), 10 ms apart from T0 + `start`, each ending as `outcome(i)`. */
function pattern(traffic: Traffic, kind: 'vertical' | 'horizontal' | 'flood', n: number, outcome: (i: number) => Outcome, start = 0): void {
  for (let i = 0; i < n; i++) {
    const t = start + i * 0.01;
    if (kind === 'vertical') traffic.attempt(t, C, S, 1000 + i, outcome(i));
    else if (kind === 'horizontal') traffic.attempt(t, C, `198.18.0.${i + 1}`, 23, outcome(i));
    else traffic.attempt(t, `203.0.113.${i + 1}`, S, 443, outcome(i));
  }
}

const OUTCOMES: Outcome[] = ['refused', 'icmp', 'unanswered'];
const mixed = (i: number): Outcome => OUTCOMES[i % 3];

describe('ScanFinder: each pattern named at its threshold (Zeek: 15 ports, 25 hosts)', () => {
  it.each([
    ['vertical', 15],
    ['horizontal', 25],
    ['flood', 25],
  ] as const)('%s: named at %i distinct values within the window, not at one fewer', (kind, n) => {
    const fewer = new Traffic();
    pattern(fewer, kind, n - 1, mixed);
    expect(fewer.rows()).toEqual([]);
    const enough = new Traffic();
    pattern(enough, kind, n, mixed);
    const rows = enough.rows();
    expect(rows.map((r) => [r.kind, r.distinct, r.failures])).toEqual([[kind, n, n]]);
  });

  it('thresholds are options', () => {
    const t = new Traffic({ verticalPorts: 3, horizontalServers: 4, floodClients: 5 });
    pattern(t, 'vertical', 3, mixed);
    pattern(t, 'horizontal', 4, mixed, 10);
    pattern(t, 'flood', 5, mixed, 20);
    expect(t.rows().map((r) => [r.kind, r.distinct])).toEqual([
      ['flood', 5],
      ['horizontal', 4],
      ['vertical', 3],
    ]);
  });
});

describe('ScanFinder rows', () => {
  it('a vertical scan: client and server, the ports failed on, the attempts accepted between the first and last failure, the span', () => {
    const t = new Traffic();
    t.attempt(0, C, S, 22, 'accepted'); // before the first failure: not the scan's
    for (let i = 1; i <= 20; i++) t.attempt(i * 0.01, C, S, i, 'refused');
    t.attempt(0.105, C, S, 80, 'accepted'); // between: counted
    t.attempt(0.5, C, S, 443, 'accepted'); // after the last failure: not counted
    t.attempt(0.6, C, '198.51.100.21', 1, 'refused'); // another server
    expect(t.rows()).toEqual([
      {
        kind: 'vertical',
        client: C,
        server: S,
        port: null,
        distinct: 20,
        attempts: 21,
        failures: 20,
        first: '2023-11-14T22:13:20.010Z',
        last: '2023-11-14T22:13:20.200Z',
        duration_seconds: 0.19,
      },
    ]);
  });

  it('a horizontal scan over IPv6: client and port, servers failed on; addresses as RFC 5952 text', () => {
    const t = new Traffic();
    for (let i = 1; i <= 25; i++) t.attempt(i, '2001:DB8:0:0::10', `2001:db8:1::${i.toString(16)}`, 23, i === 25 ? 'icmp' : 'unanswered');
    expect(t.rows()).toEqual([
      {
        kind: 'horizontal',
        client: '2001:db8::10',
        server: null,
        port: 23,
        distinct: 25,
        attempts: 25,
        failures: 25,
        first: '2023-11-14T22:13:21.000Z',
        last: '2023-11-14T22:13:45.000Z',
        duration_seconds: 24,
      },
    ]);
  });

  it('a flood or an outage: server and port, the clients failing; other clients accepted within the span count as attempts', () => {
    const t = new Traffic();
    for (let i = 1; i <= 30; i++) {
      t.attempt(i * 0.01, `203.0.113.${i}`, S, 443, i % 2 === 0 ? 'refused' : 'icmp');
      if (i % 6 === 0) t.attempt(i * 0.01 + 0.005, `192.0.2.${i}`, S, 443, 'accepted');
    }
    const [row] = t.rows();
    // Accepted at 0.065, 0.125, 0.185, 0.245 s: within; at 0.305 s, after the last failure: not.
    expect(row).toMatchObject({ kind: 'flood', client: null, server: S, port: 443, distinct: 30, failures: 30, attempts: 34, duration_seconds: 0.29 });
  });

  it('sorts by failures, most first', () => {
    const t = new Traffic();
    pattern(t, 'horizontal', 25, mixed); // 25 failures
    for (let i = 0; i < 20; i++) t.attempt(1 + i * 0.01, C, S, 2000 + i, 'refused', 1); // 40
    pattern(t, 'flood', 30, mixed, 2); // 30
    expect(t.rows().map((r) => [r.kind, r.failures])).toEqual([
      ['vertical', 40],
      ['flood', 30],
      ['horizontal', 25],
    ]);
  });
});

describe('ScanFinder: what a failure is', () => {
  it('refused, ICMP-rejected and unanswered attempts are failures', () => {
    const t = new Traffic();
    pattern(t, 'vertical', 15, mixed);
    expect(t.rows().map((r) => r.failures)).toEqual([15]);
    const ports = t.p.tracker.ports;
    expect([Counter.Refused, Counter.Unanswered].map((c) => ports.grandTotal(c))).toEqual([5, 5]);
  });

  it('early resets are not: the attempts were accepted', () => {
    const t = new Traffic();
    pattern(t, 'vertical', 20, () => 'early-reset');
    pattern(t, 'flood', 30, () => 'early-reset', 1);
    expect(t.rows()).toEqual([]);
    expect(t.p.tracker.ports.grandTotal(Counter.EarlyResets)).toBe(50);
  });

  it('a SYN sent again after a refusal is another failure on the same port; a retransmission is none', () => {
    const refusedTwice = new Traffic();
    for (let i = 0; i < 15; i++) refusedTwice.attempt(i * 0.01, C, S, 3000 + i, 'refused', 1);
    expect(refusedTwice.rows().map((r) => [r.distinct, r.failures, r.attempts])).toEqual([[15, 30, 30]]);
    const retransmitted = new Traffic();
    for (let i = 0; i < 15; i++) retransmitted.attempt(i * 0.01, C, S, 3000 + i, 'unanswered', 2);
    expect(retransmitted.rows().map((r) => [r.distinct, r.failures])).toEqual([[15, 15]]);
  });
});

describe('ScanFinder: the window (5 minutes of first-SYN times, as Zeek)', () => {
  /** Failures of a vertical scan, one new port each, at T0 + each of `times`. */
  const at = (times: number[], options: ScanOptions = {}): ScanRow[] => {
    const t = new Traffic(options);
    times.forEach((s, i) => t.attempt(s, C, S, 4000 + i, 'refused'));
    return t.rows();
  };
  const spread = (n: number, from: number, over: number): number[] => Array.from({ length: n }, (_, i) => from + (i * over) / (n - 1));

  it.each<[string, number[], ScanOptions, number[]]>([
    ['15 ports over exactly 300 s: named', spread(15, 0, 300), {}, [15]],
    ['15 ports over 301 s: not named', spread(15, 0, 301), {}, []],
    ['14 ports, then 14 more 400 s later: not named', [...spread(14, 0, 13), ...spread(14, 400, 13)], {}, []],
    ['the same without a window (0): named, all 28', [...spread(14, 0, 13), ...spread(14, 400, 13)], { windowSeconds: 0 }, [28]],
    ['a window of 60 s: 15 ports in 61 s are not named', spread(15, 0, 61), { windowSeconds: 60 }, []],
  ])('%s', (_name, times, options, distinct) => {
    expect(at(times, options).map((r) => r.distinct)).toEqual(distinct);
  });

  it('once named, a key counts every later failure, windows apart', () => {
    const [row] = at([...spread(15, 0, 1.4), ...spread(5, 1000, 4)]);
    expect(row).toMatchObject({ distinct: 20, failures: 20, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:30:04.000Z', duration_seconds: 1004 });
  });

  it('unanswered attempts decided at the end of the capture count at their first SYN, earlier than the refusals told before them', () => {
    const t = new Traffic();
    for (let i = 0; i < 10; i++) t.attempt(i, C, S, 5000 + i, 'unanswered');
    for (let i = 10; i < 15; i++) t.attempt(i, C, S, 5000 + i, 'refused');
    expect(t.rows()).toMatchObject([{ distinct: 15, failures: 15, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:13:34.000Z', duration_seconds: 14 }]);
  });

  it('a scan whose unanswered probes are decided after a later refusal that opened a new window is still named, from its previous window', () => {
    const t = new Traffic();
    for (let i = 0; i < 10; i++) t.attempt(i, C, S, 5000 + i, 'refused');
    for (let i = 0; i < 10; i++) t.attempt(i + 0.5, C, S, 6000 + i, 'unanswered');
    t.attempt(400, C, S, 7000, 'refused'); // starts a new window before the 10 unanswered are told
    t.attempt(401, C, S, 7001, 'accepted');
    expect(t.rows()).toMatchObject([{ distinct: 21, failures: 21, attempts: 21, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:20:00.000Z' }]);
  });

  it.each<Outcome>(['unanswered', 'refused'])(
    'the same row whether a probe is told late or at once (%s): accepted attempts between the two windows count',
    (probe) => {
      const t = new Traffic();
      for (let i = 0; i < 14; i++) t.attempt(i, C, S, 5000 + i, 'refused');
      t.attempt(5.5, C, S, 6000, probe);
      t.attempt(100, C, S, 7001, 'accepted');
      t.attempt(400, C, S, 7000, 'refused');
      expect(t.rows()).toMatchObject([{ distinct: 16, failures: 16, attempts: 17, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:20:00.000Z' }]);
    },
  );

  it('late probes that would also fit the window a stray refusal opened go to their own, earlier one: the scan is named', () => {
    const t = new Traffic();
    for (let i = 0; i < 5; i++) t.attempt(i, C, S, 5000 + i, 'refused');
    for (let i = 0; i < 10; i++) t.attempt(i + 0.5, C, S, 6000 + i, 'unanswered');
    t.attempt(305, C, S, 7000, 'refused');
    expect(t.rows()).toMatchObject([{ distinct: 16, failures: 16, first: '2023-11-14T22:13:20.000Z' }]);
  });

  it.each<Outcome>(['unanswered', 'refused'])('a key named in a later window takes in its earlier one: the same row whether its probes are %s', (probe) => {
    const t = new Traffic();
    for (let i = 0; i < 10; i++) t.attempt(i, C, S, 5000 + i, 'refused');
    for (let i = 0; i < 10; i++) t.attempt(i + 0.5, C, S, 6000 + i, probe);
    for (let i = 0; i < 15; i++) t.attempt(400 + i, C, S, 7000 + i, 'refused');
    expect(t.rows()).toMatchObject([{ distinct: 35, failures: 35, first: '2023-11-14T22:13:20.000Z', last: '2023-11-14T22:20:14.000Z' }]);
  });

  it('late failures that fit no window with the others, and do not reach the threshold in either, name nothing', () => {
    const t = new Traffic();
    for (let i = 0; i < 7; i++) t.attempt(i, C, S, 5000 + i, 'refused');
    for (let i = 0; i < 7; i++) t.attempt(i + 0.5, C, S, 6000 + i, 'unanswered');
    for (let i = 0; i < 7; i++) t.attempt(400 + i, C, S, 7000 + i, 'refused');
    expect(t.rows()).toEqual([]);
  });
});

describe('ScanFinder: distinct counts, exact and estimated', () => {
  it(`a vertical scan of 1000 ports counts them exactly (a port bitmap past ${EXACT_DISTINCT})`, () => {
    const t = new Traffic();
    for (let i = 0; i < 1000; i++) t.attempt(i * 0.001, C, S, 1 + i, 'unanswered');
    expect(t.rows().map((r) => [r.kind, r.distinct, r.failures])).toEqual([['vertical', 1000, 1000]]);
  });

  it.each([
    [EXACT_DISTINCT, 'exactly', 0],
    [EXACT_DISTINCT + 1, 'within 10 % (a sketch)', 0.1],
    [1000, 'within 10 %', 0.1],
    [5000, 'within 10 %', 0.1],
  ])('a horizontal scan of %i servers counts them %s', (n, _how, tolerance) => {
    const t = new Traffic();
    for (let i = 0; i < n; i++) t.attempt(i * 0.001, C, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 445, 'unanswered');
    const [row] = t.rows();
    expect(row.failures).toBe(n);
    expect(row.distinct).toBeGreaterThanOrEqual(Math.min(n, EXACT_DISTINCT + 1));
    expect(Math.abs(row.distinct / n - 1), `${row.distinct} for ${n}`).toBeLessThanOrEqual(tolerance);
  });

  it(`past ${PORT_BITMAPS} port bitmaps, a vertical scan's ports are estimated`, () => {
    const t = new Traffic();
    const scanners = PORT_BITMAPS + 1;
    const ports = EXACT_DISTINCT + 72;
    for (let c = 0; c < scanners; c++) for (let i = 0; i < ports; i++) t.attempt(c + i * 0.001, `10.1.${c >> 8}.${c & 255}`, S, 1 + i, 'unanswered');
    const rows = t.rows().filter((r) => r.kind === 'vertical'); // and a flood of each port
    expect(rows).toHaveLength(scanners);
    const last = rows.find((r) => r.client === `10.1.0.${PORT_BITMAPS}`);
    expect(rows.filter((r) => r !== last).map((r) => r.distinct)).toEqual(Array<number>(PORT_BITMAPS).fill(ports));
    expect(Math.abs((last?.distinct ?? 0) / ports - 1)).toBeLessThanOrEqual(0.1);
  });
});

describe('ScanFinder: bounded keys', () => {
  it('in a bucket full of one-off failures (a random-source flood), a scan gets in at its second failure and stays', () => {
    const t = new Traffic({ keysPerKind: 8 }); // one bucket of 8 keys per pattern
    let junk = 0;
    const oneOff = (at: number): void => {
      t.attempt(at, `10.9.${junk >> 8}.${junk & 255}`, `10.8.${junk >> 8}.${junk & 255}`, 7000 + junk, 'refused');
      junk++;
    };
    for (let j = 0; j < 8; j++) oneOff(j * 0.001); // the bucket fills
    for (let i = 0; i < 40; i++) {
      t.attempt(1 + i * 0.01, C, S, 6000 + i, 'refused');
      for (let j = 0; j < 4; j++) oneOff(1 + i * 0.01 + 0.002 + j * 0.001);
    }
    const rows = t.rows();
    // Its first failure only marked it as seen; the second pushed out a one-off key.
    expect(rows).toMatchObject([{ kind: 'vertical', client: C, server: S, distinct: 39, failures: 39, first: '2023-11-14T22:13:21.010Z' }]);
    expect(t.p.scans.evictedKeys).toBe(1);
    // The one-off keys' failures after the bucket filled, in all three patterns, and the scan's first.
    expect(t.p.scans.droppedFailures).toBeGreaterThan(160 * 2);
  });

  it("named keys are never pushed out: with a bucket full of them, a new key's failures are dropped and counted", () => {
    const t = new Traffic({ keysPerKind: 8 });
    for (let c = 0; c < 9; c++) for (let i = 0; i < 15; i++) t.attempt(c + i * 0.01, `10.2.0.${c + 1}`, S, 1 + i, 'refused');
    const rows = t.rows().filter((r) => r.kind === 'vertical');
    expect(rows.map((r) => r.client)).toEqual(Array.from({ length: 8 }, (_, c) => `10.2.0.${c + 1}`));
    expect(rows.map((r) => r.failures)).toEqual(Array<number>(8).fill(15));
    // The ninth scanner's 15, and new horizontal and flood keys' in their full buckets.
    expect(t.p.scans.droppedFailures).toBeGreaterThanOrEqual(15);
  });

  it('options out of range are refused', () => {
    for (const bad of [
      { verticalPorts: 0 },
      { horizontalServers: EXACT_DISTINCT + 1 },
      { floodClients: 2.5 },
      { windowSeconds: -1 },
      { keysPerKind: 0 },
      { keysPerKind: 2 ** 20 },
    ]) {
      expect(() => new ScanFinder(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
  });

  it('holds exactly the typed arrays it says it does, fixed at construction, and docs/scans.md gives the figure', async () => {
    const before = await heldArrayBytes();
    const scans = new ScanFinder();
    const held = (await heldArrayBytes()) - before;
    expect(held).toBe(scans.bytes);
    expect(scans.bytes).toBe(scanFinderBytes());
    const doc = readFileSync(join(repoRoot, 'docs/scans.md'), 'utf8');
    expect(doc).toContain(`${scans.bytes.toLocaleString('en-US')} bytes`);
    expect(scans.rows()).toEqual([]);
  });
});

describe("ScanFinder on the benchmark's captures (bench/captures.ts)", () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rstwatch-scans-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ordinary traffic (accepted, refused, ICMP-rejected and unanswered across many clients and servers) names nothing', async () => {
    const path = join(dir, 'ordinary.pcap');
    const written = await writeCapture(path, 'ordinary', 300_000);
    const { scans, tracker } = await replayScans([path]);
    expect(tracker.ports.grandTotal(Counter.Refused)).toBe(written.refused);
    expect(written.refused + written.icmp_rejected + written.unanswered).toBeGreaterThan(5_000);
    expect(scans.rows()).toEqual([]);
  });

  it('the flood capture names the random-source flood and the port scan, each in IPv4 and IPv6, with every failure', async () => {
    const path = join(dir, 'flood.pcap');
    const written = await writeCapture(path, 'flood', 300_000);
    const { scans } = await replayScans([path]);
    const rows = scans.rows();
    expect(rows.map((r) => `${r.kind} ${r.client} ${r.server} ${r.port}`).sort()).toEqual([
      'flood null 198.19.0.1 80',
      'flood null 2001:db8::ff00:1 80',
      'vertical 198.18.255.254 198.19.0.2 null',
      'vertical 2001:db8::fffe 2001:db8::ff00:2 null',
    ]);
    // Every failing flow is one of the two patterns: the rows hold every failure.
    const failures = written.refused + written.icmp_rejected + written.unanswered;
    expect(rows.reduce((n, r) => n + r.failures, 0)).toBe(failures);
  });
});

/** Bytes 2 million frames may allocate (as test/pipeline/allocation.test.ts): a boxed number on one frame in 32 exceeds it. */
const BYTES_ALLOWED = 1 << 20;
/** Heap a case may leave held beyond what it found: far below one byte per tuple. */
const HEAP_GROWTH_ALLOWED = 1 << 18;

describe.each([
  ['as V8 decides what to inline', []],
  ['with no call inlined (--no-turbo-inlining)', ['--no-turbo-inlining']],
])('the ScanFinder allocates nothing per packet and holds no more memory after millions of distinct tuples, %s', (_mode, v8Flags) => {
  let results: ScanFloodResult[] = [];
  beforeAll(async () => {
    results = await runFloodChild<ScanFloodResult>('test/report/scans-flood.ts', v8Flags, ['refused', 'unanswered', 'scans']);
  });
  const result = (name: string): ScanFloodResult => {
    const r = results.find((x) => x.case === name);
    if (r === undefined) throw new Error(`no result for ${name}`);
    return r;
  };

  it.each(['refused', 'unanswered', 'scans'])('%s: no allocation over 2 million frames, no heap kept', (name) => {
    const r = result(name);
    expect(r.frames).toBe(2_000_000);
    expect(r.failures + r.accepted).toBe(r.syns);
    expect(r.accepted).toBe(name === 'scans' ? Math.floor(r.syns / 4) : 0);
    expect(r.bytes, `${(r.bytes / r.frames).toFixed(3)} bytes a frame (${r.collections} collections)`).toBeLessThanOrEqual(BYTES_ALLOWED);
    expect(r.heapGrowth).toBeLessThanOrEqual(HEAP_GROWTH_ALLOWED);
    expect(r.scanBytes).toBe(scanFinderBytes());
  });

  it('the floods did what they say: one flood named, its clients (every SYN a new one) estimated within 10 %', () => {
    for (const name of ['refused', 'unanswered']) {
      const r = result(name);
      expect(r.syns).toBeGreaterThan(1_000_000);
      expect(r.named).toEqual({ vertical: 0, horizontal: 0, flood: 1 });
      expect(Math.abs(r.floodClients / r.syns - 1)).toBeLessThanOrEqual(0.1);
      // A new vertical and horizontal key per SYN, each turned away from its full bucket: only
      // those that pass for seen before (fewer than one in eight) push a key out.
      expect(r.droppedFailures).toBeGreaterThan(1.5 * r.syns);
      expect(r.evictedKeys).toBeLessThan((2 * r.syns) / 8);
    }
  });

  it('the scans case names vertical scans among more keys than the tables hold', () => {
    const r = result('scans');
    expect(r.named.vertical).toBeGreaterThan(1000);
    expect(r.named.vertical).toBeLessThanOrEqual(2048);
    expect(r.evictedKeys).toBeGreaterThan(0);
  });
});
