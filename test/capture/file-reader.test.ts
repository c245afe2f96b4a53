import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_READ_BUFFER_BYTES, readCaptureFile } from '../../src/capture/file-reader.js';
import { LinkType } from '../../src/capture/frame-sink.js';
import { isRstwatchError } from '../../src/base/errors.js';
import { BLOCK_CUSTOM, BLOCK_EPB, BLOCK_ISB, BLOCK_SPB } from '../../src/capture/pcapng-format.js';
import { encodePcapngBlock, writePcap, writePcapng, type PcapngBlock, type PcapngInterface, type PcapRecord } from '../../kit/pcap-writer.js';
import { expectReadError, readBytes, RecordingSink, referenceTs, tempDir, tempFile } from './read-helpers.js';

/** `n` bytes of a pattern that differs per `seed`, so frames cannot be mistaken for each other. */
function frame(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 17) & 0xff;
  return b;
}

const PCAP_RECORDS: PcapRecord[] = [
  { data: frame(60, 1), tsSec: 1_700_000_000, tsNsec: 123_456_789 },
  { data: frame(0, 2), tsSec: 0, tsNsec: 0 },
  { data: frame(1514, 3), tsSec: 0xffffffff, tsNsec: 999_999_999, origLen: 9000 },
  { data: frame(54, 4), tsSec: 1, tsNsec: 1000 },
];

describe('classic pcap', () => {
  const variants = [false, true].flatMap((bigEndian) =>
    [false, true].flatMap((nanosecond) => [64, DEFAULT_READ_BUFFER_BYTES].map((bufferSize) => ({ bigEndian, nanosecond, bufferSize }))),
  );

  it.each(variants)('round-trips bigEndian=$bigEndian nanosecond=$nanosecond buffer=$bufferSize', async (v) => {
    const bytes = writePcap(PCAP_RECORDS, { linkType: LinkType.LINUX_SLL, bigEndian: v.bigEndian, nanosecond: v.nanosecond });
    const { path, result, frames } = await readBytes(bytes, { bufferSize: v.bufferSize });
    expect(result).toEqual({
      path,
      format: 'pcap',
      frames: PCAP_RECORDS.length,
      bytesRead: bytes.length,
      truncatedTail: false,
      outOfRangeTimes: 0,
      stoppedAt: null,
      warnings: [],
    });
    expect(frames.map((f) => [f.capLen, f.origLen, f.tsSec, f.tsNsec, f.linkType])).toEqual(
      PCAP_RECORDS.map((r) => [
        r.data.length,
        r.origLen ?? r.data.length,
        r.tsSec,
        v.nanosecond ? r.tsNsec : Math.floor(r.tsNsec / 1000) * 1000,
        LinkType.LINUX_SLL,
      ]),
    );
    frames.forEach((f, i) => expect(f.data.equals(Buffer.from(PCAP_RECORDS[i].data))).toBe(true));
  });

  it('masks the FCS bits off the LinkType field and passes DLT 12 on raw', async () => {
    const rec = [{ data: frame(20, 1), tsSec: 5, tsNsec: 0 }];
    // FCS len 4 (bits 28-31) and the F bit (bit 27) over LINKTYPE_ETHERNET.
    const fcs = await readBytes(writePcap(rec, { linkType: 0x48000000 | LinkType.ETHERNET }));
    expect(fcs.frames[0].linkType).toBe(LinkType.ETHERNET);
    const dlt12 = await readBytes(writePcap(rec, { linkType: LinkType.RAW_DLT12, bigEndian: true }));
    expect(dlt12.frames[0].linkType).toBe(12);
  });

  it('carries an out-of-range microsecond fraction into the seconds', async () => {
    const bytes = writePcap([{ data: frame(4, 1), tsSec: 10, tsNsec: 0 }], { linkType: 1 });
    bytes.writeUInt32LE(2_500_000, 24 + 4); // ts_usec = 2.5 s
    const { frames } = await readBytes(bytes);
    expect([frames[0].tsSec, frames[0].tsNsec]).toEqual([12, 500_000_000]);
  });

  it('reads a header-only file as 0 frames', async () => {
    const { result } = await readBytes(writePcap([], { linkType: 1 }));
    expect([result.frames, result.truncatedTail, result.warnings]).toEqual([0, false, []]);
  });

  it('grows the buffer for a record larger than it, and reads on', async () => {
    const recs = [
      { data: frame(5000, 1), tsSec: 1, tsNsec: 0 },
      { data: frame(10, 2), tsSec: 2, tsNsec: 0 },
    ];
    const { frames } = await readBytes(writePcap(recs, { linkType: 1 }), { bufferSize: 64 });
    expect(frames.map((f) => f.capLen)).toEqual([5000, 10]);
    expect(frames[0].data.equals(Buffer.from(recs[0].data))).toBe(true);
  });

  it('reads a 5 MiB record (within the snaplen) with the default 4 MiB buffer', async () => {
    const big = frame(5 * 1024 * 1024, 7);
    const { frames } = await readBytes(writePcap([{ data: big, tsSec: 1, tsNsec: 0 }], { linkType: 1, snaplen: 8 << 20 }));
    expect(frames[0].capLen).toBe(big.length);
    expect(frames[0].data.equals(Buffer.from(big))).toBe(true);
  });

  it('accepts a record above a snaplen of 0 up to 262144 bytes', async () => {
    const { frames } = await readBytes(writePcap([{ data: frame(262_144, 1), tsSec: 1, tsNsec: 0 }], { linkType: 1, snaplen: 0 }));
    expect(frames[0].capLen).toBe(262_144);
  });

  it('reports progress once per refill, ending at the file size', async () => {
    const bytes = writePcap(
      Array.from({ length: 100 }, (_, i) => ({ data: frame(100, i), tsSec: i, tsNsec: 0 })),
      { linkType: 1 },
    );
    const calls: Array<[number, number]> = [];
    await readBytes(bytes, { bufferSize: 1024, onProgress: (n, total) => calls.push([n, total]) });
    expect(calls.every(([, total]) => total === bytes.length)).toBe(true);
    expect(calls.every(([n], i) => i === 0 || n >= calls[i - 1][0])).toBe(true);
    expect(calls.at(-1)?.[0]).toBe(bytes.length);
    // Each 1024-byte refill holds at least one 116-byte record: no more calls than refills.
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(bytes.length / (1024 - 116)) + 2);
  });
});

/** Interfaces of the multi-interface section: every resolution kind and an offset. */
const IFACES: PcapngInterface[] = [
  { linkType: LinkType.ETHERNET },
  { linkType: LinkType.LINUX_SLL, snaplen: 65_535, tsresol: 9, name: 'any', comment: 'nanosecond interface' },
  { linkType: LinkType.RAW, tsresol: 0x80 | 20 },
  { linkType: LinkType.LINUX_SLL2, tsresol: 3, tsoffset: 1_600_000_000 },
  { linkType: LinkType.NULL, tsresol: 0x80 | 40, snaplen: 16 },
];

/** A packet block on interface `id` with the raw timestamp `units` (in that interface's units). */
function epb(id: number, units: bigint, data: Uint8Array, origLen?: number): PcapngBlock {
  return { kind: 'epb', record: { data, tsSec: 0, tsNsec: 0, interfaceId: id, origLen }, tsUnits: units, comment: `iface ${id}` };
}

/** What the reader must report for a packet block made by `epb`. */
function expectedOf(b: PcapngBlock, ifaces: readonly PcapngInterface[]): unknown[] {
  if (b.kind === 'spb') {
    const snap = ifaces[0].snaplen ?? 0;
    const origLen = b.origLen ?? b.data.length;
    const room = b.data.length + ((4 - (b.data.length % 4)) % 4);
    const capLen = Math.min(origLen, room, snap === 0 ? Infinity : snap);
    return [capLen, origLen, 0, 0, ifaces[0].linkType];
  }
  if (b.kind !== 'epb' && b.kind !== 'opb') throw new Error('not a packet block');
  const iface = ifaces[b.record.interfaceId ?? 0];
  const [sec, nsec] = referenceTs(b.tsUnits ?? 0n, iface.tsresol ?? 6, iface.tsoffset ?? 0);
  return [b.record.data.length, b.record.origLen ?? b.record.data.length, sec, nsec, iface.linkType];
}

function packetBlocks(blocks: readonly PcapngBlock[]): PcapngBlock[] {
  return blocks.filter((b) => b.kind === 'epb' || b.kind === 'opb' || b.kind === 'spb');
}

describe('pcapng', () => {
  const NOW_NS = 1_725_966_495_127_166_123n;
  const blocks: PcapngBlock[] = [
    { kind: 'nrb', ipv4: [['192.0.2.1', 'example.test']], comment: 'names' },
    { kind: 'raw', blockType: BLOCK_CUSTOM, body: Buffer.from([0, 0, 0x7e, 0x1f, 1, 2, 3]) },
    epb(1, NOW_NS, frame(60, 1)),
    epb(0, 1_725_966_495_127_166n, frame(42, 2), 1500),
    { kind: 'raw', blockType: 0x12345678, body: frame(33, 3) }, // unknown type: skipped
    epb(2, (1_725_966_495n << 20n) + 777_777n, frame(1, 4)),
    { kind: 'raw', blockType: BLOCK_ISB, body: new Uint8Array(20) },
    epb(3, 125_966_495_127n, frame(0, 5)), // ms since the if_tsoffset
    { kind: 'opb', record: { data: frame(17, 6), tsSec: 0, tsNsec: 0, interfaceId: 1 }, tsUnits: 0xffff_ffff_ffff_ffffn },
    { kind: 'spb', data: frame(21, 7) },
    { kind: 'spb', data: frame(8, 8), origLen: 3 },
    epb(4, (12_345_678n << 40n) + 0xff_ffff_ffffn, frame(16, 9), 100),
    { kind: 'raw', blockType: 0x0000000a, body: new Uint8Array(16) }, // decryption secrets: skipped
  ];

  it.each([false, true])('reads every block kind and resolution, bigEndian=%s', async (bigEndian) => {
    const bytes = writePcapng([{ bigEndian, comment: 'section', interfaces: IFACES, blocks }]);
    for (const bufferSize of [64, 100, DEFAULT_READ_BUFFER_BYTES]) {
      const { result, frames } = await readBytes(bytes, { bufferSize });
      expect([result.format, result.frames, result.truncatedTail, result.bytesRead]).toEqual(['pcapng', 8, false, bytes.length]);
      const want = packetBlocks(blocks).map((b) => expectedOf(b, IFACES));
      expect(frames.map((f) => [f.capLen, f.origLen, f.tsSec, f.tsNsec, f.linkType])).toEqual(want);
      expect(frames[0].data.equals(Buffer.from(frame(60, 1)))).toBe(true);
    }
  });

  it('converts nanosecond and microsecond timestamps exactly', async () => {
    const bytes = writePcapng([{ interfaces: [IFACES[0], IFACES[1]], blocks: [epb(1, NOW_NS, frame(4, 1)), epb(0, 1_725_966_495_999_999n, frame(4, 2))] }]);
    const { frames } = await readBytes(bytes);
    expect(frames.map((f) => [f.tsSec, f.tsNsec])).toEqual([
      [1_725_966_495, 127_166_123],
      [1_725_966_495, 999_999_000],
    ]);
  });

  it('turns the writer timestamps (sec, nsec) into the same values back', async () => {
    const record = { data: frame(10, 1), tsSec: 1_700_000_001, tsNsec: 999_999_999, interfaceId: 0 };
    const bytes = writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9, tsoffset: -5 }], blocks: [{ kind: 'epb', record }] }]);
    const { frames } = await readBytes(bytes);
    expect([frames[0].tsSec, frames[0].tsNsec]).toEqual([1_700_000_001, 999_999_999]);
  });

  it('clamps an SPB capture to the snaplen of interface 0', async () => {
    const ifaces = [{ linkType: 1, snaplen: 10 }];
    const spb: PcapngBlock[] = [{ kind: 'spb', data: frame(10, 1), origLen: 1500 }];
    const { frames } = await readBytes(writePcapng([{ interfaces: ifaces, blocks: spb }]));
    expect(frames.map((f) => [f.capLen, f.origLen, f.tsSec, f.tsNsec])).toEqual([[10, 1500, 0, 0]]);
  });

  it('reads several sections of either byte order, each with its own interfaces', async () => {
    const s1: PcapngBlock[] = [epb(1, NOW_NS, frame(10, 1)), epb(0, 5_000_001n, frame(11, 2))];
    const s2: PcapngBlock[] = [epb(0, NOW_NS + 1n, frame(12, 3)), { kind: 'spb', data: frame(13, 4) }];
    const late: PcapngInterface = { linkType: LinkType.IPV6, tsresol: 0x80 | 10 };
    const s3: PcapngBlock[] = [epb(0, 7n, frame(14, 5)), { kind: 'idb', iface: late }, epb(1, 1025n, frame(15, 6))];
    const sections = [
      { interfaces: IFACES.slice(0, 2), blocks: s1 },
      { bigEndian: true, interfaces: [{ linkType: LinkType.RAW, tsresol: 9 }], blocks: s2 },
      { interfaces: [{ linkType: LinkType.LINUX_SLL2 }], blocks: s3 },
    ];
    const { result, frames } = await readBytes(writePcapng(sections), { bufferSize: 64 });
    expect(result.frames).toBe(6);
    const want = [
      ...packetBlocks(s1).map((b) => expectedOf(b, sections[0].interfaces)),
      ...packetBlocks(s2).map((b) => expectedOf(b, sections[1].interfaces)),
      ...packetBlocks(s3).map((b) => expectedOf(b, [...sections[2].interfaces, late])),
    ];
    expect(frames.map((f) => [f.capLen, f.origLen, f.tsSec, f.tsNsec, f.linkType])).toEqual(want);
  });

  it('reads a section with interfaces and no packets as 0 frames', async () => {
    const { result } = await readBytes(writePcapng([{ interfaces: IFACES, blocks: [] }]));
    expect([result.format, result.frames, result.truncatedTail]).toEqual(['pcapng', 0, false]);
  });
});

/** A little-endian u32 as 4 bytes. */
function u32le(...vals: number[]): Buffer {
  const b = Buffer.alloc(4 * vals.length);
  vals.forEach((v, i) => b.writeUInt32LE(v >>> 0, 4 * i));
  return b;
}

/** A big-endian u32 as 4 bytes. */
function u32be(...vals: number[]): Buffer {
  const b = Buffer.alloc(4 * vals.length);
  vals.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
}

describe('bad input', () => {
  const onePacket = writePcapng([{ interfaces: [{ linkType: 1 }], blocks: [epb(0, 1n, frame(8, 1))] }]);
  const at = `byte offset ${onePacket.length}\\b`;

  it('names a missing file, a directory and a non-directory path component', async () => {
    const dir = tempDir();
    await expectReadError(join(dir, 'missing.pcap'), 'RSTWATCH_ERR_FILE_OPEN', /no such file or directory \(ENOENT\)/);
    await expectReadError(dir, 'RSTWATCH_ERR_FILE_OPEN', /is a directory \(EISDIR\)/);
    const file = tempFile(onePacket);
    await expectReadError(join(file, 'x'), 'RSTWATCH_ERR_FILE_OPEN', /\(ENOTDIR\)/);
  });

  // An unreadable file (EACCES) is tested through the CLI as an unprivileged user: test/e2e/cli-replay.test.ts.

  it('rejects an empty file, a short file and a bad magic', async () => {
    await expectReadError(tempFile(new Uint8Array(0)), 'RSTWATCH_ERR_CAPTURE_FORMAT', /empty file/, /byte offset 0/);
    await expectReadError(tempFile(Uint8Array.of(0xd4, 0xc3)), 'RSTWATCH_ERR_CAPTURE_FORMAT', /truncated file header/);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(60)]);
    await expectReadError(tempFile(elf), 'RSTWATCH_ERR_CAPTURE_FORMAT', /7f 45 4c 46/, /pcap/, /pcapng/, /byte offset 0/);
  });

  it('names a compressed capture or a snoop file and says what to do', async () => {
    const pcap = writePcap(PCAP_RECORDS, { linkType: LinkType.ETHERNET });
    const cases: [Buffer, RegExp, RegExp][] = [
      [gzipSync(pcap), /1f 8b 08 00 \(a gzip-compressed file\)/, /zcat FILE \| rstwatch replay -/],
      [Buffer.from('28b52ffd0458000000', 'hex'), /\(a zstd-compressed file\)/, /zstdcat FILE \| rstwatch replay -/],
      [Buffer.from('fd377a585a000004e6d6b446', 'hex'), /\(an xz-compressed file\)/, /xzcat FILE/],
      [Buffer.concat([Buffer.from('BZh91AY&SY'), Buffer.alloc(20)]), /\(a bzip2-compressed file\)/, /bzcat FILE/],
      [Buffer.concat([Buffer.from('snoop\0\0\0', 'latin1'), Buffer.alloc(8)]), /\(a snoop capture\)/, /editcap -F pcap FILE OUT\.pcap/],
    ];
    for (const [bytes, what, hint] of cases) {
      const path = tempFile(bytes);
      const err: unknown = await readCaptureFile(path, new RecordingSink()).catch((e: unknown) => e);
      expect(isRstwatchError(err) && err.message).toMatch(what);
      expect(isRstwatchError(err) && err.hint).toMatch(hint);
    }
  });

  it('rejects a cut pcap file header at every length', async () => {
    const header = writePcap([], { linkType: 1 });
    for (let len = 4; len < header.length; len++) {
      await expectReadError(tempFile(header.subarray(0, len)), 'RSTWATCH_ERR_CAPTURE_FORMAT', /truncated pcap file header/, /byte offset 0/);
    }
  });

  it('rejects a pcap record longer than max(snaplen, 262144)', async () => {
    const recs = [
      { data: frame(30, 1), tsSec: 1, tsNsec: 0 },
      { data: frame(4, 2), tsSec: 2, tsNsec: 0 },
    ];
    const second = 24 + 16 + 30;
    for (const [snaplen, capLen] of [
      [0, 262_145],
      [65_535, 300_000],
      [0xffffffff, 0xffffffff],
      [1_000_000, 1_000_001],
    ]) {
      for (const bigEndian of [false, true]) {
        const bytes = writePcap(recs, { linkType: 1, snaplen, bigEndian });
        if (bigEndian) bytes.writeUInt32BE(capLen, second + 8);
        else bytes.writeUInt32LE(capLen, second + 8);
        await expectReadError(tempFile(bytes), 'RSTWATCH_ERR_CAPTURE_FORMAT', new RegExp(`captured length ${capLen}`), new RegExp(`byte offset ${second}\\b`));
      }
    }
  });

  it('rejects a pcapng block length that is not a multiple of 4, below 12 or above the maximum', async () => {
    for (const [len, why] of [
      [30, /not a multiple of 4/],
      [8, /below 12/],
      [0x7ffffffc, /larger than/],
    ] as const) {
      const bad = encodePcapngBlock(BLOCK_EPB, new Uint8Array(20));
      bad.writeUInt32LE(len, 4);
      await expectReadError(tempFile(Buffer.concat([onePacket, bad])), 'RSTWATCH_ERR_CAPTURE_FORMAT', why, new RegExp(at));
    }
  });

  it('rejects a pcapng block whose trailing length differs', async () => {
    const bad = encodePcapngBlock(BLOCK_CUSTOM, new Uint8Array(8));
    bad.writeUInt32LE(24, bad.length - 4);
    await expectReadError(tempFile(Buffer.concat([onePacket, bad])), 'RSTWATCH_ERR_CAPTURE_FORMAT', /trailing length 24 differs/, new RegExp(at));
  });

  it('rejects an EPB that is too short, overflows its block, or names an undeclared interface', async () => {
    const short = encodePcapngBlock(BLOCK_EPB, new Uint8Array(12));
    await expectReadError(tempFile(Buffer.concat([onePacket, short])), 'RSTWATCH_ERR_CAPTURE_FORMAT', /enhanced packet block: length 24 < 32/, new RegExp(at));
    // interface 0, ts 0/1, capLen 1000, origLen 1000, 8 bytes of data
    const overflow = encodePcapngBlock(BLOCK_EPB, Buffer.concat([u32le(0, 0, 1, 1000, 1000), new Uint8Array(8)]));
    await expectReadError(tempFile(Buffer.concat([onePacket, overflow])), 'RSTWATCH_ERR_CAPTURE_FORMAT', /captured length 1000 does not fit/, new RegExp(at));
    const undeclared = encodePcapngBlock(BLOCK_EPB, Buffer.concat([u32le(5, 0, 1, 4, 4), new Uint8Array(4)]));
    await expectReadError(
      tempFile(Buffer.concat([onePacket, undeclared])),
      'RSTWATCH_ERR_CAPTURE_FORMAT',
      /interface 5 is not declared in this section \(it declares 1\)/,
      new RegExp(at),
    );
  });

  it('rejects an EPB naming an interface of an earlier section only', async () => {
    const first = writePcapng([{ interfaces: [{ linkType: 1 }, { linkType: 113 }], blocks: [epb(1, 1n, frame(4, 1))] }]);
    const second = writePcapng([{ bigEndian: true, interfaces: [{ linkType: 1 }], blocks: [epb(0, 1n, frame(4, 1))] }]);
    // interface 1, ts 0/1, capLen 4, origLen 4, 4 bytes of data; big-endian like its section
    const stale = encodePcapngBlock(BLOCK_EPB, Buffer.concat([u32be(1, 0, 1, 4, 4), new Uint8Array(4)]), true);
    const bytes = Buffer.concat([first, second, stale]);
    await expectReadError(
      tempFile(bytes),
      'RSTWATCH_ERR_CAPTURE_FORMAT',
      /interface 1 is not declared/,
      new RegExp(`byte offset ${first.length + second.length}\\b`),
    );
  });

  it('rejects an SPB in a section without interfaces', async () => {
    const bytes = writePcapng([{ blocks: [{ kind: 'spb', data: frame(4, 1) }] }]);
    await expectReadError(tempFile(bytes), 'RSTWATCH_ERR_CAPTURE_FORMAT', /simple packet block: interface 0 is not declared/, /byte offset 28\b/);
  });

  it('rejects a packet block before any section header', async () => {
    const bytes = encodePcapngBlock(BLOCK_SPB, Buffer.concat([u32le(4), new Uint8Array(4)]));
    await expectReadError(tempFile(bytes), 'RSTWATCH_ERR_CAPTURE_FORMAT', /block of type 3 before any section header/, /byte offset 0/);
  });

  it('rejects a bad SHB byte-order magic, a short SHB and an unknown major version', async () => {
    const badBom = Buffer.from(onePacket);
    badBom.writeUInt32LE(0x11223344, 8);
    await expectReadError(tempFile(badBom), 'RSTWATCH_ERR_CAPTURE_FORMAT', /byte-order magic 0x11223344/, /byte offset 0/);
    const shortShb = Buffer.concat([u32le(0x0a0d0d0a, 24, 0x1a2b3c4d, 1, 0, 24), onePacket]);
    await expectReadError(tempFile(shortShb), 'RSTWATCH_ERR_CAPTURE_FORMAT', /section header block: length 24 < 28/, /byte offset 0/);
    const v2 = Buffer.from(onePacket);
    v2.writeUInt16LE(2, 12);
    await expectReadError(tempFile(v2), 'RSTWATCH_ERR_CAPTURE_FORMAT', /unsupported pcapng version 2\.0/, /byte offset 0/);
  });

  it('rejects an IDB option that runs past the block', async () => {
    const shb = writePcapng([{ blocks: [] }]);
    // linktype 1, snaplen 0, option if_tsresol claiming 40 bytes
    const idb = encodePcapngBlock(1, Buffer.concat([u32le(1, 0), Buffer.from([9, 0, 40, 0, 6, 0, 0, 0])]));
    await expectReadError(
      tempFile(Buffer.concat([shb, idb])),
      'RSTWATCH_ERR_CAPTURE_FORMAT',
      /option 9 of 40 bytes runs past/,
      new RegExp(`byte offset ${shb.length + 16}\\b`),
    );
  });

  it('rejects a cut first section header at every length', async () => {
    const shb = writePcapng([{ comment: 'a comment to make it longer', blocks: [] }]);
    for (let len = 4; len < shb.length; len++) {
      await expectReadError(tempFile(shb.subarray(0, len)), 'RSTWATCH_ERR_CAPTURE_FORMAT', /truncated pcapng section header block/, /byte offset 0/);
    }
  });
});

describe('a last record cut short', () => {
  /** Cuts `bytes` inside the last record (which starts at `lastAt`) at every length and checks the result. */
  async function walkCuts(bytes: Buffer, lastAt: number, earlier: number): Promise<void> {
    for (let cut = lastAt + 1; cut < bytes.length; cut++) {
      for (const bufferSize of [64, DEFAULT_READ_BUFFER_BYTES]) {
        const warned: string[] = [];
        const { path, result, frames } = await readBytes(bytes.subarray(0, cut), { bufferSize, onWarning: (m) => warned.push(m) });
        expect([result.frames, frames.length, result.truncatedTail, result.bytesRead]).toEqual([earlier, earlier, true, cut]);
        expect(result.warnings).toEqual(warned);
        expect(warned).toHaveLength(1);
        expect(warned[0]).toContain(path);
        expect(warned[0]).toContain(`byte offset ${lastAt} `);
      }
    }
    const whole = await readBytes(bytes.subarray(0, lastAt));
    expect([whole.result.frames, whole.result.truncatedTail]).toEqual([earlier, false]);
  }

  it.each([false, true])('pcap, bigEndian=%s: every cut of the header and data', async (bigEndian) => {
    const last = { data: frame(200, 9), tsSec: 9, tsNsec: 9 };
    const bytes = writePcap([...PCAP_RECORDS.slice(0, 2), last], { linkType: 1, bigEndian, nanosecond: bigEndian });
    await walkCuts(bytes, bytes.length - 16 - 200, 2);
  });

  it.each([false, true])('pcapng, last section bigEndian=%s: every cut of the block', async (bigEndian) => {
    const head = writePcapng([{ interfaces: IFACES, blocks: [epb(1, 5n, frame(60, 1)), epb(0, 6n, frame(20, 2))] }]);
    const tail = writePcapng([{ bigEndian, interfaces: IFACES, blocks: [epb(3, 5n, frame(70, 3))] }]);
    const bytes = Buffer.concat([head, tail]);
    const lastLen = bigEndian ? bytes.readUInt32BE(bytes.length - 4) : bytes.readUInt32LE(bytes.length - 4);
    await walkCuts(bytes, bytes.length - lastLen, 2);
  });
});

describe('buffer ownership', () => {
  it('hands each frame as a view into one of two reused buffers (read ahead swaps them)', async () => {
    const recs = Array.from({ length: 50 }, (_, i) => ({ data: frame(40, i), tsSec: i, tsNsec: 0 }));
    const path = tempFile(writePcap(recs, { linkType: 1 }));
    const buffers = new Set<Uint8Array>();
    const res = await readCaptureFile(path, { onFrame: (buf) => void buffers.add(buf) }, { bufferSize: 256 });
    expect(res.frames).toBe(50);
    expect(buffers.size).toBe(2);
  });

  it('passes on what the sink throws and closes the file', async () => {
    const path = tempFile(writePcap(PCAP_RECORDS, { linkType: 1 }));
    const boom = new Error('sink failed');
    await expect(
      readCaptureFile(path, {
        onFrame: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });
});

describe('special files', () => {
  it('reads a FIFO (size unknown: totalBytes -1)', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const bytes = writePcap(PCAP_RECORDS, { linkType: 1 });
    const src = join(dir, 'src.pcap');
    writeFileSync(src, bytes);
    const writer = spawn('sh', ['-c', `cat "${src}" > "${fifo}"`]);
    const closed = new Promise((r) => writer.on('close', r));
    const totals = new Set<number>();
    const sink = new RecordingSink();
    const res = await readCaptureFile(fifo, sink, { onProgress: (_n, total) => totals.add(total) });
    await closed;
    expect([res.frames, res.bytesRead, [...totals]]).toEqual([PCAP_RECORDS.length, statSync(src).size, [-1]]);
  });

  it('reads a file in a subdirectory with odd characters in its name', async () => {
    const dir = join(tempDir(), 'a b');
    mkdirSync(dir);
    const p = join(dir, 'ü.pcap');
    writeFileSync(p, writePcap(PCAP_RECORDS, { linkType: 1 }));
    const res = await readCaptureFile(p, new RecordingSink());
    expect(res.frames).toBe(PCAP_RECORDS.length);
  });
});
