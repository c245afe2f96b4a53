/**
 * The report of a replay whose capture times lie beyond the range of a date (one flipped bit in a
 * pcapng timestamp, an if_tsoffset of 2^62, or a writer's negative time read as unsigned): built
 * and printed all the same, every packet counted, such times unknown (null), counted, and kept out
 * of the latency, the attempt timeout and the time span. And the report of a file that a fault
 * stopped: that file is listed, with where it stopped.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayForReport } from '../../src/report/replay-run.js';
import { buildReplayReport, summarizeReplay } from '../../src/report/replay-report.js';
import { renderTable } from '../../src/report/table.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { writePcap, writePcapng, type PcapngBlock, type PcapRecord } from '../../kit/pcap-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'rstwatch-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 198.202.88.52.41071 > 130.217.250.13.8810: Flags [S], seq 1000
const SYN = ethernet(tcp4({ src: '198.202.88.52', dst: '130.217.250.13', sport: 41071, dport: 8810, flags: 'S', seq: 1000 }));
// 130.217.250.13.8810 > 198.202.88.52.41071: Flags [R.], seq 0, ack 5 (not 1001: an ack_mismatch suspect)
const RST = ethernet(tcp4({ src: '130.217.250.13', dst: '198.202.88.52', sport: 8810, dport: 41071, flags: 'R.', seq: 0, ack: 5 }));

/** A pcapng file of the SYN and the RST at `units` and `units + 22` microseconds on an interface with `tsoffset`. */
function refusalAt(units: bigint, tsoffset?: number): string {
  const blocks: PcapngBlock[] = [
    { kind: 'epb', record: { data: SYN, tsSec: 0, tsNsec: 0 }, tsUnits: units },
    { kind: 'epb', record: { data: RST, tsSec: 0, tsNsec: 0 }, tsUnits: units + 22n },
  ];
  const path = join(dir, `refusal-${units}-${tsoffset ?? 0}.pcapng`);
  writeFileSync(path, writePcapng([{ interfaces: [{ linkType: 1, tsoffset }], blocks }]));
  return path;
}

const SETTINGS = { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 1024, topN: 10 };

describe('capture times beyond the range of a date', () => {
  it.each([
    // PcapPlusPlus's pcapng-example: its LINUX_SLL frames sit at 18446744073204.160194 s (year 586524).
    ['a negative time read as unsigned', 18_446_744_073_204_160_194n, undefined],
    ['EPB timestamp high word 0x77e80000 (one flipped bit)', 0x77e80000n << 32n, undefined],
    ['if_tsoffset 2^62', 1_000_000n, 2 ** 62],
  ])('%s: the refusal is counted, the report built and printed, its times null', async (_what, units, tsoffset) => {
    const result = await replayForReport([refusalAt(units, tsoffset)]);
    expect(result.error).toBeUndefined();
    const report = buildReplayReport(result, SETTINGS);
    expect([report.complete, report.packets, report.totals.attempts, report.totals.refused]).toEqual([true, 2, 1, 1]);
    expect([report.capture.first, report.capture.last]).toEqual([null, null]);
    expect(report.suspect_resets.map((s) => [s.ts, s.heuristics])).toEqual([[null, ['ack_mismatch']]]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/2 frames have a capture time outside the range of a date .* byte offset \d+/);
    expect([report.capture.out_of_range_times, report.capture.duration_seconds]).toEqual([2, null]);
    expect([report.refusal_latency_seconds.count, report.refusal_latency_seconds.max]).toEqual([1, 0]);
    const text = renderTable(summarizeReplay(result, SETTINGS), { maxPortRows: 25, maxSuspectRows: 20 });
    expect(text).toMatch(/^2 packets, times out of the range of a date$/m);
    expect(text).toMatch(/^- 2 frames had a capture time beyond the range of a date: their time is unknown/m);
    expect(text).toMatch(/^\(out of range\) +198\.202\.88\.52:41071/m);
    expect(JSON.parse(JSON.stringify(report)).capture.first).toBeNull();
  });

  it('a time within the range is printed as it is, to the last second a date holds', async () => {
    // 8.64e12 s is +275760-09-13T00:00:00Z, the last instant of an ECMAScript Date.
    const result = await replayForReport([refusalAt(8_639_999_999_999_000_000n)]);
    const report = buildReplayReport(result, SETTINGS);
    expect([report.capture.first, report.capture.last, report.warnings]).toEqual(['+275760-09-12T23:59:59.000Z', '+275760-09-12T23:59:59.000Z', []]);
    expect(report.suspect_resets.map((s) => s.ts)).toEqual(['+275760-09-12T23:59:59.000Z']);
  });
});

// 10 refusals: SYN i at T + i s, its RST 1 ms later (client 198.51.100.1, ports 50000 + i, server port 80).
const T = 1_700_000_000n;
function refusalPackets(i: number): [Uint8Array, Uint8Array] {
  // 198.51.100.1.{50000+i} > 192.0.2.80.80: Flags [S], seq 100 ; 192.0.2.80.80 > 198.51.100.1.{50000+i}: Flags [R.], seq 0, ack 101
  const syn = ethernet(tcp4({ src: '198.51.100.1', dst: '192.0.2.80', sport: 50000 + i, dport: 80, flags: 'S', seq: 100 }));
  const rst = ethernet(tcp4({ src: '192.0.2.80', dst: '198.51.100.1', sport: 80, dport: 50000 + i, flags: 'R.', seq: 0, ack: 101 }));
  return [syn, rst];
}

/** A pcapng file of `blocks` on interface 0 (microseconds) and interface 1 (if_tsoffset 2^62). */
function pcapngFile(name: string, blocks: PcapngBlock[]): string {
  const path = join(dir, name);
  writeFileSync(path, writePcapng([{ interfaces: [{ linkType: 1 }, { linkType: 1, tsoffset: 2 ** 62 }], blocks }]));
  return path;
}

const epbAt = (data: Uint8Array, units: bigint, interfaceId = 0): PcapngBlock => ({
  kind: 'epb',
  record: { data, tsSec: 0, tsNsec: 0, interfaceId },
  tsUnits: units,
});

describe('frames of unknown time among known ones', () => {
  it('10 refusals whose RSTs carry a flipped high timestamp word (year 275000+): the latency is not 8.6e12 s', async () => {
    const blocks = Array.from({ length: 10 }, (_, i) => {
      const [syn, rst] = refusalPackets(i);
      const at = (T + BigInt(i)) * 1_000_000n;
      return [epbAt(syn, at), epbAt(rst, (at + 1000n) | (0x77e80000n << 32n))];
    }).flat();
    const result = await replayForReport([pcapngFile('flipped-rsts.pcapng', blocks)], { attemptTimeoutSeconds: 0 });
    const report = buildReplayReport(result, SETTINGS);
    expect(report.refusal_latency_seconds.p50).toBeLessThan(1);
    expect(report.refusal_latency_seconds.max).toBeLessThan(1);
    expect([report.totals.refused, report.capture.out_of_range_times]).toEqual([10, 10]);
    expect([report.capture.first, report.capture.last]).toEqual(['2023-11-14T22:13:20.000Z', '2023-11-14T22:13:29.000Z']);
  });

  it('--attempt-timeout 5 and one frame of unknown time among 10 pending SYNs: the 10 refusals stay refusals', async () => {
    const pairs = Array.from({ length: 10 }, (_, i) => refusalPackets(i));
    const blocks: PcapngBlock[] = [
      ...pairs.map(([syn], i) => epbAt(syn, (T * 1000n + BigInt(i)) * 1000n)),
      // An unrelated SYN on the interface whose if_tsoffset is 2^62.
      epbAt(ethernet(tcp4({ sport: 1, dport: 2, flags: 'S', seq: 1 })), 5n, 1),
      ...pairs.map(([, rst], i) => epbAt(rst, (T * 1000n + 10n + BigInt(i)) * 1000n)),
    ];
    const result = await replayForReport([pcapngFile('timeout.pcapng', blocks)], { attemptTimeoutSeconds: 5 });
    const report = buildReplayReport(result, { ...SETTINGS, attemptTimeoutSeconds: 5 });
    expect([report.totals.refused, report.totals.unanswered, report.tracker.timed_out]).toEqual([10, 1, 0]);
    expect(report.refusal_latency_seconds.max).toBeLessThan(1);
    expect(report.capture.duration_seconds).toBeCloseTo(0.019, 6);
  });

  it('every frame on an interface with if_tsoffset 2^62: no time span of 0 s, but none (null)', async () => {
    const [syn, rst] = refusalPackets(0);
    const result = await replayForReport([pcapngFile('offset.pcapng', [epbAt(syn, 1_000_000n, 1), epbAt(rst, 3_000_000n, 1)])]);
    const report = buildReplayReport(result, SETTINGS);
    expect([report.capture.first, report.capture.last, report.capture.duration_seconds]).toEqual([null, null, null]);
    expect([report.totals.refused, report.capture.out_of_range_times]).toEqual([1, 2]);
  });

  it('a frame of unknown time before any known one takes the time of the first known frame after it', async () => {
    const [syn, rst] = refusalPackets(0);
    const result = await replayForReport([pcapngFile('leading.pcapng', [epbAt(syn, 1n, 1), epbAt(rst, T * 1_000_000n)])], { attemptTimeoutSeconds: 5 });
    const report = buildReplayReport(result, { ...SETTINGS, attemptTimeoutSeconds: 5 });
    expect([report.totals.refused, report.refusal_latency_seconds.max, report.capture.first]).toEqual([1, 0, '2023-11-14T22:13:20.000Z']);
  });
});

describe('a file that a fault stopped', () => {
  it('a pcap whose record 500 lies: listed in files with its 500 frames and where it stopped, not "(no file read)"', async () => {
    const [syn] = refusalPackets(0);
    const records: PcapRecord[] = Array.from({ length: 1000 }, (_, i) => ({ data: syn, tsSec: 1_700_000_000 + i, tsNsec: 0 }));
    const bytes = writePcap(records, { linkType: 1 });
    const at = 24 + 500 * (16 + syn.length);
    bytes.writeUInt32LE(1000, at + 8);
    const path = join(dir, 'record-500.pcap');
    writeFileSync(path, bytes);
    const result = await replayForReport([path]);
    const report = buildReplayReport(result, SETTINGS);
    expect([report.complete, report.packets]).toEqual([false, 500]);
    expect(report.files).toEqual([{ path, format: 'pcap', frames: 500, bytes: bytes.length, truncated_tail: false, stopped_at: at }]);
    const text = renderTable(summarizeReplay(result, SETTINGS), { maxPortRows: 25, maxSuspectRows: 20 });
    expect(text).toContain(`replay: ${path} (pcap, 500 frames, stopped at byte ${at})`);
    expect(text).not.toContain('(no file read)');
  });

  it('a file that is no capture at all: listed, its format unknown, stopped at byte 0', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'hello, world\n');
    const report = buildReplayReport(await replayForReport([path]), SETTINGS);
    expect(report.files).toEqual([{ path, format: 'unknown', frames: 0, bytes: 13, truncated_tail: false, stopped_at: 0 }]);
  });
});
