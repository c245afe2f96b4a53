/**
 * The report of a replay whose capture times lie beyond the range of a date (one flipped bit in a
 * pcapng timestamp, an if_tsoffset of 2^62, or a writer's negative time read as unsigned): built
 * and printed all the same, every packet counted, such times null.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/pipeline/replay.js';
import { buildReplayReport } from '../../src/report/replay-report.js';
import { renderTable } from '../../src/report/table.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { writePcapng, type PcapngBlock } from '../../kit/pcap-writer.js';

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
    const result = await runReplay([refusalAt(units, tsoffset)]);
    expect(result.error).toBeUndefined();
    const report = buildReplayReport(result, SETTINGS);
    expect([report.complete, report.packets, report.totals.attempts, report.totals.refused]).toEqual([true, 2, 1, 1]);
    expect([report.capture.first, report.capture.last]).toEqual([null, null]);
    expect(report.suspect_resets.map((s) => [s.ts, s.heuristics])).toEqual([[null, ['ack_mismatch']]]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/2 frames have a capture time outside the range of a date .* byte offset \d+/);
    const text = renderTable(report, { maxPortRows: 25, maxSuspectRows: 20 });
    expect(text).toMatch(/^2 packets, times out of the range of a date$/m);
    expect(text).toMatch(/^\(out of range\) +198\.202\.88\.52:41071/m);
    expect(JSON.parse(JSON.stringify(report)).capture.first).toBeNull();
  });

  it('a time within the range is printed as it is, to the last second a date holds', async () => {
    // 8.64e12 s is +275760-09-13T00:00:00Z, the last instant of an ECMAScript Date.
    const result = await runReplay([refusalAt(8_639_999_999_999_000_000n)]);
    const report = buildReplayReport(result, SETTINGS);
    expect([report.capture.first, report.capture.last, report.warnings]).toEqual(['+275760-09-12T23:59:59.000Z', '+275760-09-12T23:59:59.000Z', []]);
    expect(report.suspect_resets.map((s) => s.ts)).toEqual(['+275760-09-12T23:59:59.000Z']);
  });
});
