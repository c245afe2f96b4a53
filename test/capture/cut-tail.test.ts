/**
 * A record or block that the end of the file cuts short is a capture cut short (a warning) only
 * when it could be one: its header plausible, and no chain of whole records after it reaching the
 * end of the file. Otherwise a lying length swallowed the records after it, and the read stops at
 * it with a format error (src/capture/cut-tail.ts). Each case below was read with exit 0 and most
 * of the file skipped before (issue 11, finding 2, after the first fix).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { encodePcapngBlock, writePcap, writePcapng, type PcapngBlock, type PcapRecord } from '../../kit/pcap-writer.js';
import { readToFault } from './read-helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// 10:00:00.000000 IP 192.0.2.1.40000 > 198.51.100.2.80: Flags [S], seq 1, win 65535, length 0
const SYN = ethernet(tcp4({ sport: 40000, dport: 80, flags: 'S', seq: 1 }));
const T0 = 1_700_000_000;
const SYNS: PcapRecord[] = Array.from({ length: 1000 }, (_, i) => ({ data: SYN, tsSec: T0 + i, tsNsec: 0 }));
const REC_LEN = 16 + SYN.length;
/** File offset of record `i` of a pcap of SYNS. */
const recordAt = (i: number): number => 24 + i * REC_LEN;

describe('classic pcap: a last record cut short that cannot be one', () => {
  it("the reviewer's mutant of gen-qinq.pcap: a caplen of 62 read as 61 puts the read one byte off, onto a header dated 2014 after records of 2023", async () => {
    const bytes = readFileSync(join(root, 'pcaps/gen-qinq.pcap'));
    expect(bytes.readUInt32LE(188)).toBe(62);
    bytes.writeUInt32LE(61, 188);
    const { frames, error, result } = await readToFault(bytes);
    expect(result).toBeUndefined();
    expect(frames).toHaveLength(3);
    expect(error?.message).toMatch(
      /cut short by the end of the file: dated 1408303104 s, 3376 days before the record before it \(1700000000 s\) at byte offset 257$/,
    );
  });

  it('caplen and orig_len both 200000 on record 10 of 1000 (a lie a header check cannot see): the records after it reach the end', async () => {
    const bytes = writePcap(SYNS, { linkType: 1, snaplen: 262_144 });
    bytes.writeUInt32LE(200_000, recordAt(10) + 8);
    bytes.writeUInt32LE(200_000, recordAt(10) + 12);
    for (const bufferSize of [64, 4096, 4 * 1024 * 1024]) {
      const { frames, error } = await readToFault(bytes, { bufferSize });
      expect(frames).toHaveLength(10);
      expect(error?.message).toMatch(
        new RegExp(
          `captured length 200000 runs past the end of the file, but whole records from byte offset ${recordAt(11)} reach its end at byte offset ${recordAt(10)}$`,
        ),
      );
    }
  });

  it.each([
    ['a microsecond field of 12,800,101', 4, 12_800_101, /sub-second field 12800101 is over a second \(1000000 us\)/],
    ['a microsecond field of 214,616,427', 4, 214_616_427, /sub-second field 214616427 is over a second/],
    ['a caplen over the snaplen of 65535', 8, 70_000, /captured length 70000 exceeds the snapshot length 65535/],
    ['a time two days before the record before it', 0, T0 + 998 - 2 * 86_400, /dated \d+ s, 2 days before the record before it/],
  ])('%s on the last record, cut short: corrupt at it', async (_what, field, value, why) => {
    const bytes = writePcap(SYNS, { linkType: 1, snaplen: 65_535 });
    const at = recordAt(999);
    bytes.writeUInt32LE(value, at + field);
    if (field === 8) bytes.writeUInt32LE(value, at + 12);
    const { frames, error } = await readToFault(bytes.subarray(0, at + 30));
    expect(frames).toHaveLength(999);
    expect(error?.message).toMatch(why);
    expect(error?.message).toMatch(new RegExp(`at byte offset ${at}$`));
  });

  it('a header cut after its captured length, which is over the limit: corrupt, though its original length is not there', async () => {
    const bytes = writePcap(SYNS.slice(0, 3), { linkType: 1, snaplen: 65_535 });
    bytes.writeUInt32LE(300_000, recordAt(2) + 8);
    const { frames, error } = await readToFault(bytes.subarray(0, recordAt(2) + 12));
    expect(frames).toHaveLength(2);
    expect(error?.message).toMatch(new RegExp(`captured length 300000 exceeds the 262144-byte limit at byte offset ${recordAt(2)}$`));
  });

  it('a fraction of exactly one second, a clock set forward by decades, a first record: still a capture cut short', async () => {
    const cases: [number, number][] = [
      [4, 1_000_000], // a writer's rounding up of .9999995
      [0, T0 + 60 * 365 * 86_400], // a clock set at boot, decades on
    ];
    for (const [field, value] of cases) {
      const bytes = writePcap(SYNS.slice(0, 3), { linkType: 1, snaplen: 65_535 });
      bytes.writeUInt32LE(value, recordAt(2) + field);
      const { frames, error, result } = await readToFault(bytes.subarray(0, recordAt(2) + 30));
      expect([frames.length, error?.message, result?.truncatedTail]).toEqual([2, undefined, true]);
    }
    const first = await readToFault(writePcap(SYNS.slice(0, 1), { linkType: 1 }).subarray(0, recordAt(0) + 20));
    expect([first.frames.length, first.error?.message, first.result?.truncatedTail]).toEqual([0, undefined, true]);
  });

  it('a splice that puts the read 4 bytes off (RSTWATCH_FUZZ_SEED=973894767, mutant 179): a last record holding no whole one is a capture cut short', async () => {
    // gen-truncated-file.pcap to byte 230 (inside its third record, 164..234), then
    // netns-suspects-v4.pcap from its record at 4008: from byte 234 every header is read 4 bytes
    // late (its microseconds as seconds, its original length as the captured one), each record
    // still plausible, and the last, at 3752, is that file's last record less its first 4 bytes:
    // 72 bytes of a 76-byte read. No whole record starts after its header: cut short, not a lie.
    const head = readFileSync(join(root, 'pcaps/gen-truncated-file.pcap')).subarray(0, 230);
    const other = readFileSync(join(root, 'pcaps/netns-suspects-v4.pcap'));
    expect(other.readUInt32LE(4008 + 8)).toBe(66);
    const { frames, error, result } = await readToFault(Buffer.concat([head, other.subarray(4008)]));
    expect([frames.length, error?.message, result?.truncatedTail]).toEqual([46, undefined, true]);
    expect(result?.warnings).toEqual([expect.stringMatching(/the last record at byte offset 3752 is cut short \(72 bytes present\)/)]);
  });

  it("a rule the file's whole records already broke is not held against its last record", async () => {
    // Every record over the snaplen of 16 (a writer that ignores it), and one that steps back 30 days.
    const records = SYNS.slice(0, 4).map((r, i) => ({ ...r, tsSec: i === 2 ? T0 - 30 * 86_400 : r.tsSec }));
    const bytes = writePcap(records, { linkType: 1, snaplen: 16 });
    bytes.writeUInt32LE(T0 - 60 * 86_400, recordAt(3));
    const { frames, error, result } = await readToFault(bytes.subarray(0, recordAt(3) + 30));
    expect([frames.length, error?.message, result?.truncatedTail]).toEqual([3, undefined, true]);
  });
});

describe('pcapng: a last block cut short that cannot be one', () => {
  const blocks: PcapngBlock[] = SYNS.slice(0, 34).map((record) => ({ kind: 'epb', record }));
  const file = (): Buffer => writePcapng([{ interfaces: [{ linkType: 1, snaplen: 1500 }], blocks }]);
  // SHB of 28 bytes, IDB of 20 with its snaplen (no options: 20), then EPBs of 32 + 56 = 88 bytes.
  const FIRST_EPB = 28 + 20;
  const EPB_LEN = 88;

  it('a splice that leaves a cut block of the undefined type 0x6553f100: corrupt at it, the blocks before it read', async () => {
    const head = file().subarray(0, FIRST_EPB + 5 * EPB_LEN);
    const junk = Buffer.alloc(400, 0x41);
    junk.writeUInt32LE(0x6553f100, 0);
    junk.writeUInt32LE(1_000_000, 4);
    const { frames, error } = await readToFault(Buffer.concat([head, junk]));
    expect(frames).toHaveLength(5);
    expect(error?.message).toMatch(new RegExp(`type 0x6553f100 is no block type the format defines at byte offset ${head.length}$`));
  });

  it('an EPB whose leading and trailing lengths both lie: the blocks it swallowed reach the end of the file', async () => {
    const bytes = file();
    const at = FIRST_EPB + 7 * EPB_LEN;
    bytes.writeUInt32LE(200_000, at + 4);
    bytes.writeUInt32LE(200_000, at + EPB_LEN - 4);
    const { frames, error } = await readToFault(bytes, { bufferSize: 4096 });
    expect(frames).toHaveLength(7);
    expect(error?.message).toMatch(new RegExp(`whole blocks from byte offset ${at + EPB_LEN} reach its end at byte offset ${at}$`));
  });

  it('an EPB cut short whose captured length exceeds its interface snaplen of 1500: corrupt', async () => {
    const bytes = file();
    const at = FIRST_EPB + 33 * EPB_LEN;
    bytes.writeUInt32LE(4000, at + 20);
    bytes.writeUInt32LE(4000, at + 24);
    bytes.writeUInt32LE(4032, at + 4);
    const { frames, error } = await readToFault(bytes.subarray(0, at + 60));
    expect(frames).toHaveLength(33);
    expect(error?.message).toMatch(new RegExp(`captured length 4000 exceeds the snapshot length 1500 of interface 0 at byte offset ${at}$`));
  });

  it('a custom block and a local-use block cut short: still a capture cut short', async () => {
    for (const blockType of [0xbad, 0x80000001]) {
      const block = encodePcapngBlock(blockType, Buffer.alloc(64, 7));
      const bytes = Buffer.concat([file(), block.subarray(0, 40)]);
      const { frames, error, result } = await readToFault(bytes);
      expect([frames.length, error?.message, result?.truncatedTail]).toEqual([34, undefined, true]);
    }
  });
});
