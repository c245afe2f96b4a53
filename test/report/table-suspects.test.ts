/**
 * Suspect resets one row per RST (src/report/suspects.ts groupSuspects, and the table's section
 * with its legend): the detector tells a heuristic when it fires, so one RST can make several
 * records, at different times.
 */
import { describe, expect, it } from 'vitest';
import { ethernet, tcp4 } from '../../kit/craft.js';
import type { SuspectRecord } from '../../src/detect/evidence-record.js';
import { groupSuspects } from '../../src/report/suspects.js';
import { renderTable } from '../../src/report/table.js';
import { summaryOf, syn } from './table-support.js';

const OPTIONS = { maxPortRows: 25, maxPairRows: 10, maxSuspectRows: 20 };

/** A record of the RST from 1.2.0.3:6649 to 1.2.0.2:`clientPort`, told at `ts` for `heuristics`. */
function record(ts: string, heuristics: string[], o: Partial<SuspectRecord> = {}): SuspectRecord {
  return {
    ts,
    direction: 'unknown',
    client: '1.2.0.2',
    client_port: 2527,
    server: '1.2.0.3',
    server_port: 6649,
    heuristics,
    ttl: 46,
    initial_ttl: 64,
    hop_distance: 18,
    baseline_initial_ttl: null,
    baseline_hop_distance: null,
    baseline_samples: 0,
    expected_ack: 1569339005,
    received_ack: 1569339004,
    ...o,
  };
}

const AT_RST = '2009-01-15T17:11:11.582Z';
const AT_SYN_ACK = '2009-01-15T17:11:12.615Z';
const BASELINE = { baseline_initial_ttl: 64, baseline_hop_distance: 15, baseline_samples: 1 };

describe('groupSuspects', () => {
  it('merges the heuristics told later for the same RST: its time, TTL and acks from the first, the first baseline seen', () => {
    const merged = groupSuspects([record(AT_RST, ['ack_mismatch', 'reserved_bits']), record(AT_SYN_ACK, ['ttl_mismatch', 'reset_race'], BASELINE)]);
    expect(merged).toEqual([record(AT_RST, ['ttl_mismatch', 'ack_mismatch', 'reset_race', 'reserved_bits'], BASELINE)]);
  });

  it.each<[string, SuspectRecord[]]>([
    // A client re-sending its SYN after each RST (Windows does): each RST is refused and judged anew.
    ['a heuristic told again is a later RST of the tuple', [record(AT_RST, ['ack_mismatch']), record(AT_SYN_ACK, ['ack_mismatch'])]],
    ['another TTL is another RST', [record(AT_RST, ['reserved_bits']), record(AT_SYN_ACK, ['ttl_mismatch'], { ttl: 50 })]],
    ['another client port is another tuple', [record(AT_RST, ['reserved_bits']), record(AT_RST, ['ttl_mismatch'], { client_port: 2528 })]],
    ['another server is another tuple', [record(AT_RST, ['reserved_bits']), record(AT_RST, ['ttl_mismatch'], { server: '1.2.0.4' })]],
  ])('keeps records apart: %s', (_why, records) => {
    expect(groupSuspects(records)).toEqual(records);
  });

  it('keeps the order of each RST first record, merging across other tuples between', () => {
    const a1 = record(AT_RST, ['ack_mismatch']);
    const b = record(AT_RST, ['reserved_bits'], { client_port: 3000 });
    const a2 = record(AT_SYN_ACK, ['reset_race']);
    const grouped = groupSuspects([a1, b, a2]);
    expect(grouped.map((r) => [r.client_port, r.heuristics])).toEqual([
      [2527, ['ack_mismatch', 'reset_race']],
      [3000, ['reserved_bits']],
    ]);
    expect(groupSuspects(grouped)).toEqual(grouped);
  });

  it('leaves its input as it was', () => {
    const records = [record(AT_RST, ['reserved_bits']), record(AT_SYN_ACK, ['reset_race'], BASELINE)];
    const copy = structuredClone(records);
    groupSuspects(records);
    expect(records).toEqual(copy);
  });
});

const C = '1.2.0.2';
const S = '1.2.0.3';
const ISN = 1569339004;

/** The forged RST of zeek_rst-inject-rae.pcap: TTL 46, ack = the ISN (not ISN + 1), a reserved bit set. */
function injectedRst(sport: number): Uint8Array {
  // 1.2.0.3.6649 > 1.2.0.2.<sport>: Flags [R.], seq 0, ack 1569339004, ttl 46, reserved bit set
  return ethernet(tcp4({ src: S, dst: C, sport: 6649, dport: sport, flags: 'R.', seq: 0, ack: ISN, ttl: 46, reserved: 1 }));
}

describe('the table lists each suspect RST once, with a legend', () => {
  it('a RST injected before the real SYN-ACK: one row with the four heuristics, and the legend of each and of the baseline', async () => {
    const r = await summaryOf([
      { at: 0, frame: syn(C, 2527, S, 6649, ISN) },
      { at: 0.234, frame: injectedRst(2527) },
      // 1.2.0.3.6649 > 1.2.0.2.2527: Flags [S.], seq 7000, ack 1569339005, ttl 49 (initial 64, 15 hops)
      { at: 1.267, frame: ethernet(tcp4({ src: S, dst: C, sport: 6649, dport: 2527, flags: 'S.', seq: 7000, ack: ISN + 1, ttl: 49 })) },
    ]);
    // The report (the JSON too) lists the RST once, its two tellings merged.
    expect(r.suspect_resets).toHaveLength(1);
    expect(r.suspect_resets[0].heuristics).toEqual(['ttl_mismatch', 'ack_mismatch', 'reset_race', 'reserved_bits']);
    const lines = renderTable(r, OPTIONS).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Suspect resets'));
    expect(lines[at]).toBe(
      'Suspect resets: 1 of 1 refusals look forged or sent by a middlebox (heuristics fired: ttl_mismatch 1, ack_mismatch 1, reset_race 1, reserved_bits 1)',
    );
    expect(lines[at + 3].split(/ {2,}/)).toEqual([
      '22:13:20.234',
      `${C}:2527`,
      `${S}:6649`,
      'ttl_mismatch,ack_mismatch,reset_race,reserved_bits',
      '46 (64-18)',
      '64-15 x1',
      `${ISN + 1}/${ISN}`,
    ]);
    expect(lines[at + 4]).toMatch(
      /^ {2}ttl_mismatch {3}the RST's initial TTL .* differs from that of the server's own SYN-ACKs \(the baseline\).*; --hop-threshold 2$/,
    );
    expect(lines.slice(at + 4, at + 8).map((l) => l.trim().split(/ +/)[0])).toEqual(['ttl_mismatch', 'ack_mismatch', 'reset_race', 'reserved_bits']);
    expect(lines).toContain("  baseline: the server's own SYN-ACKs, e.g. 64-15 x1 is initial TTL 64, 15 hops, 1 sample ('-': none seen)");
    expect(lines.slice(at).some((l) => l.includes('seq_burst'))).toBe(false);
  });

  it('a client re-sending its SYN after each forged RST: a row per RST', async () => {
    const r = await summaryOf([
      { at: 0, frame: syn(C, 2527, S, 6649, ISN) },
      { at: 0.1, frame: injectedRst(2527) },
      { at: 0.5, frame: syn(C, 2527, S, 6649, ISN) },
      { at: 0.6, frame: injectedRst(2527) },
    ]);
    const text = renderTable(r, OPTIONS);
    expect(text).toMatch(/^Suspect resets: 2 of 2 refusals/m);
    expect(text.match(/^\d\d:\d\d:\d\d\.\d{3} +1\.2\.0\.2:2527 +1\.2\.0\.3:6649 +ack_mismatch,reserved_bits /gm)).toHaveLength(2);
  });
});
