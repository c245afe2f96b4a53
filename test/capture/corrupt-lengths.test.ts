/**
 * Lengths that lie are corruption, not a capture cut short: a record or block whose header cannot
 * be true stops the read at its byte offset (after every frame before it), wherever it is in the
 * file, while a file that really ends inside its last record stays a warning. Capture times beyond
 * the range of a date are read as they are, with a warning naming the first such block.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_ISB, MAX_INTERFACES } from '../../src/capture/pcapng-format.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { writePcap, writePcapng, type PcapngBlock, type PcapRecord } from '../../kit/pcap-writer.js';
import { readToFault } from './read-helpers.js';

// 10:00:00.000000 IP 192.0.2.1.40000 > 198.51.100.2.80: Flags [S], seq 1, win 65535, length 0
const SYN = ethernet(tcp4({ sport: 40000, dport: 80, flags: 'S', seq: 1 }));
const SYNS: PcapRecord[] = Array.from({ length: 1000 }, (_, i) => ({ data: SYN, tsSec: 1_700_000_000 + i, tsNsec: 0 }));
const PCAP_REC_LEN = 16 + SYN.length;

/** Writes the u32 `value` at `at` in the file's byte order. */
function put(bytes: Buffer, at: number, value: number, bigEndian: boolean): void {
  if (bigEndian) bytes.writeUInt32BE(value, at);
  else bytes.writeUInt32LE(value, at);
}

describe('classic pcap: a record header that cannot be true', () => {
  it.each([false, true])(
    '1000 SYNs whose first record claims caplen 262144 (orig_len 54, snaplen 65535), bigEndian=%s: corrupt at byte 24',
    async (bigEndian) => {
      const bytes = writePcap(SYNS, { linkType: 1, snaplen: 65_535, bigEndian });
      put(bytes, 24 + 8, 262_144, bigEndian);
      const { frames, error, path } = await readToFault(bytes);
      expect(frames).toHaveLength(0);
      expect(error?.message).toContain(path);
      expect(error?.message).toMatch(/captured length 262144 exceeds the original length 54 at byte offset 24$/);
    },
  );

  it('the same lie on record 600: the 600 records before it are read, the error names its offset', async () => {
    const bytes = writePcap(SYNS, { linkType: 1, snaplen: 65_535 });
    const at = 24 + 600 * PCAP_REC_LEN;
    put(bytes, at + 8, 1000, false);
    for (const bufferSize of [64, 4096, 4 * 1024 * 1024]) {
      const { frames, error } = await readToFault(bytes, { bufferSize });
      expect(frames).toHaveLength(600);
      expect(error?.message).toMatch(new RegExp(`captured length 1000 exceeds the original length 54 at byte offset ${at}$`));
    }
  });

  it('an original length below the captured one (the original length is the lie): corrupt at that record', async () => {
    const bytes = writePcap(SYNS, { linkType: 1 });
    const at = 24 + 10 * PCAP_REC_LEN;
    put(bytes, at + 12, 53, false);
    const { frames, error } = await readToFault(bytes);
    expect(frames).toHaveLength(10);
    expect(error?.message).toMatch(new RegExp(`captured length 54 exceeds the original length 53 at byte offset ${at}$`));
  });

  it('a lying header on a record cut by the end of the file is corruption too, not a cut-short tail', async () => {
    const bytes = writePcap(SYNS.slice(0, 3), { linkType: 1 });
    const at = 24 + 2 * PCAP_REC_LEN;
    put(bytes, at + 8, 4000, false);
    const { frames, error } = await readToFault(bytes);
    expect(frames).toHaveLength(2);
    expect(error?.message).toMatch(new RegExp(`captured length 4000 exceeds the original length 54 at byte offset ${at}$`));
  });
});

describe('pcapng: a block length or packet header that cannot be true', () => {
  const blocks: PcapngBlock[] = SYNS.map((record) => ({ kind: 'epb', record }));
  const file = (bigEndian: boolean): Buffer => writePcapng([{ bigEndian, interfaces: [{ linkType: 1 }], blocks }]);
  // SHB of 28 bytes (no options), IDB of 20, then EPBs of 32 + 56 (54 padded to 4) = 88 bytes.
  const FIRST_EPB = 28 + 20;
  const EPB_LEN = 88;

  it.each([false, true])('1000 EPBs, the first claiming a total length past the end of the file, bigEndian=%s: corrupt at that block', async (bigEndian) => {
    for (const lie of [16 * 1024 * 1024 - 4, 100_000, EPB_LEN * 1000 + 4]) {
      const bytes = file(bigEndian);
      put(bytes, FIRST_EPB + 4, lie, bigEndian);
      const { frames, error } = await readToFault(bytes);
      expect(frames).toHaveLength(0);
      expect(error?.message).toMatch(
        new RegExp(`total length ${lie} runs past the end of the file, but a whole block of ${EPB_LEN} bytes ends within it at byte offset ${FIRST_EPB}$`),
      );
    }
  });

  it('the same lie on block 600 and on the last block: every block before it is read', async () => {
    for (const k of [600, 999]) {
      const bytes = file(false);
      const at = FIRST_EPB + k * EPB_LEN;
      put(bytes, at + 4, 200_000, false);
      for (const bufferSize of [64, 4096]) {
        const { frames, error } = await readToFault(bytes, { bufferSize });
        expect(frames).toHaveLength(k);
        expect(error?.message).toMatch(new RegExp(`runs past the end of the file, but a whole block of ${EPB_LEN} bytes ends within it at byte offset ${at}$`));
      }
    }
  });

  it('an EPB whose captured length exceeds its original length: corrupt, whole or cut by the end of the file', async () => {
    const bytes = file(false);
    const at = FIRST_EPB + 7 * EPB_LEN;
    put(bytes, at + 24, 40, false); // original length 40 < captured 54
    const whole = await readToFault(bytes);
    expect(whole.frames).toHaveLength(7);
    expect(whole.error?.message).toMatch(new RegExp(`enhanced packet block: captured length 54 exceeds the original length 40 at byte offset ${at}$`));
    const cut = await readToFault(bytes.subarray(0, at + 40));
    expect(cut.frames).toHaveLength(7);
    expect(cut.error?.message).toMatch(new RegExp(`captured length 54 exceeds the original length 40 at byte offset ${at}$`));
  });

  it('a file cut inside any block at any length stays a warning (options, link type 12, snaplen 16, ISB of interface 12)', async () => {
    // Words that equal their own offset in a block's fixed part must not pass for a trailing length.
    const isb = Buffer.alloc(20);
    isb.writeUInt32LE(12, 0);
    const tail: PcapngBlock[] = [
      ...SYNS.slice(0, 3).map((record, i): PcapngBlock => ({ kind: 'epb', record, comment: `comment ${i} `.repeat(i + 1) })),
      { kind: 'idb', iface: { linkType: 12, snaplen: 16 } },
      { kind: 'raw', blockType: BLOCK_ISB, body: isb },
      { kind: 'spb', data: SYN },
    ];
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9, name: 'eth0', snaplen: 64 }], blocks: tail }]);
    const ends: number[] = [];
    for (let at = 0; at < bytes.length; at += bytes.readUInt32LE(at + 4)) ends.push(at + bytes.readUInt32LE(at + 4));
    const firstEpb = ends[1];
    for (let cut = firstEpb + 1; cut < bytes.length; cut++) {
      const { frames, error, result } = await readToFault(bytes.subarray(0, cut));
      expect(error, `cut at ${cut}`).toBeUndefined();
      expect([frames.length, result?.truncatedTail]).toEqual([Math.min(3, ends.filter((e) => e <= cut).length - 2), !ends.includes(cut)]);
    }
  });
});

describe('capture times beyond the range of a date', () => {
  it('are unknown: each such frame takes the time of the frame before it, and one warning names the first block and the count', async () => {
    // EPB timestamp high word 0x77e80000 at microseconds: 0x77e80000 * 2^32 us is 8640155885110 s,
    // just past the last date (+275760-09-13, 8.64e12 s); if_tsoffset 2^62 s on the second interface.
    const bytes = writePcapng([
      {
        interfaces: [{ linkType: 1 }, { linkType: 1, tsoffset: 2 ** 62 }],
        blocks: [
          { kind: 'epb', record: { data: SYN, tsSec: 0, tsNsec: 0 }, tsUnits: 1_700_000_000_000_000n },
          { kind: 'epb', record: { data: SYN, tsSec: 0, tsNsec: 0 }, tsUnits: (0x77e80000n << 32n) | 5n },
          { kind: 'epb', record: { data: SYN, tsSec: 0, tsNsec: 0, interfaceId: 1 }, tsUnits: 0n },
        ],
      },
    ]);
    const second = 28 + 20 + 36 + 88;
    const { frames, result, error, path } = await readToFault(bytes);
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1_700_000_000, 0],
      [1_700_000_000, 0],
      [1_700_000_000, 0],
    ]);
    expect(result?.outOfRangeTimes).toBe(2);
    expect(result?.warnings).toEqual([
      `${path}: 2 frames have a capture time outside the range of a date (more than 8640000000000 s from 1970), the first at byte offset ${second} (8640155885110 s); they are counted like any other, but their time is unknown: each is given the time of the frame before it`,
    ]);
  });
});

describe('interfaces of one section', () => {
  it(`up to ${MAX_INTERFACES} are read; the next IDB is a fault at its offset, after every packet before it`, async () => {
    const idbs = Array.from({ length: MAX_INTERFACES }, () => ({ linkType: 1 }));
    const packet = (interfaceId: number): PcapngBlock => ({ kind: 'epb', record: { data: SYN, tsSec: 1, tsNsec: 0, interfaceId } });
    const full = writePcapng([{ interfaces: idbs, blocks: [packet(MAX_INTERFACES - 1)] }]);
    const ok = await readToFault(full);
    expect([ok.error, ok.frames.length]).toEqual([undefined, 1]);
    const over = writePcapng([{ interfaces: idbs, blocks: [packet(0), { kind: 'idb', iface: { linkType: 1 } }, packet(MAX_INTERFACES)] }]);
    const at = full.length; // the SHB, the IDBs and one 88-byte EPB, as in `full`
    const { frames, error } = await readToFault(over);
    expect(frames).toHaveLength(1);
    expect(error?.message).toMatch(
      new RegExp(`interface description block beyond the ${MAX_INTERFACES} interfaces rstwatch reads in one section at byte offset ${at}$`),
    );
    // A new section starts its count again.
    const again = await readToFault(Buffer.concat([full, full]));
    expect([again.error, again.frames.length]).toEqual([undefined, 2]);
  });
});
