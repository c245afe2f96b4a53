/**
 * Property tests: random bytes after a valid header, and random damage to a valid file, never
 * make the reader throw anything but RstwatchError RSTWATCH_ERR_CAPTURE_FORMAT, never hand the
 * sink a frame outside its buffer, and always finish. The timestamp conversion matches BigInt
 * arithmetic for every resolution it claims to convert exactly.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../src/capture/file-reader.js';
import type { FrameSink } from '../../src/capture/frame-sink.js';
import { TimestampScale } from '../../src/capture/pcapng-format.js';
import { isRstwatchError } from '../../src/base/errors.js';
import { writePcap, writePcapng } from '../../kit/pcap-writer.js';
import { referenceTs, tempFile } from './read-helpers.js';
import { propertyRuns } from '../support/property.js';

/**
 * Checks every frame's invariants; counts them. A captured length over the original one is a
 * fault, never a frame; a time may be anything a file can say (before 1970 with a negative
 * if_tsoffset, beyond the range of a date), but a whole number of seconds and a nanosecond part.
 */
class CheckingSink implements FrameSink {
  frames = 0;

  onFrame(buf: Uint8Array, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number): void {
    if (!(offset >= 0 && capLen >= 0 && offset + capLen <= buf.length)) throw new Error(`frame outside the buffer: ${offset}+${capLen}`);
    if (!(capLen <= origLen && Number.isInteger(tsSec) && Number.isInteger(tsNsec) && tsNsec >= 0 && tsNsec < 1e9)) {
      throw new Error(`bad frame fields ${capLen} ${origLen} ${tsSec} ${tsNsec}`);
    }
    this.frames++;
  }
}

/** Reads `bytes`; passes when it succeeds or throws a format error, fails on anything else. */
async function readsOrRejects(bytes: Uint8Array, bufferSize: number): Promise<void> {
  try {
    await readCaptureFile(tempFile(bytes), new CheckingSink(), { bufferSize });
  } catch (err) {
    if (!isRstwatchError(err) || err.code !== 'RSTWATCH_ERR_CAPTURE_FORMAT') throw err;
    expect(err.message).toMatch(/byte offset \d+/);
  }
}

const pcapHeader = (bigEndian: boolean, nanosecond: boolean): Buffer => writePcap([], { linkType: 1, bigEndian, nanosecond, snaplen: 128 });
const pcapngHead = (bigEndian: boolean): Buffer =>
  writePcapng([
    {
      bigEndian,
      interfaces: [{ linkType: 1 }, { linkType: 113, tsresol: 9, snaplen: 64 }, { linkType: 101, tsresol: 0x80 | 30 }],
      blocks: [],
    },
  ]);

const RUNS = propertyRuns(150);

describe('random input', () => {
  it('random bytes after a pcap header', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.boolean(), fc.uint8Array({ maxLength: 600 }), fc.constantFrom(64, 100, 4096), async (be, ns, tail, bufferSize) =>
        readsOrRejects(Buffer.concat([pcapHeader(be, ns), tail]), bufferSize),
      ),
      RUNS,
    );
  });

  it('random bytes after a pcapng section header and interfaces', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.uint8Array({ maxLength: 600 }), fc.constantFrom(64, 100, 4096), async (be, tail, bufferSize) =>
        readsOrRejects(Buffer.concat([pcapngHead(be), tail]), bufferSize),
      ),
      RUNS,
    );
  });

  it('plausible pcapng blocks with random lengths and bodies', async () => {
    // Block type from the known set, length words and bodies random: reaches the per-type checks.
    const block = fc
      .record({
        type: fc.constantFrom(1, 2, 3, 4, 5, 6, 0x0a0d0d0a, 0xbad),
        words: fc.integer({ min: 0, max: 24 }),
        body: fc.uint8Array({ maxLength: 96 }),
        trailerOk: fc.boolean(),
      })
      .map(({ type, words, body, trailerOk }) => {
        const total = 12 + words * 4;
        const b = Buffer.alloc(total);
        b.writeUInt32LE(type, 0);
        b.writeUInt32LE(total, 4);
        b.set(body.subarray(0, total - 12), 8);
        if (type === 0x0a0d0d0a && total >= 12) b.writeUInt32LE(0x1a2b3c4d, 8);
        b.writeUInt32LE(trailerOk ? total : total ^ 4, total - 4);
        return b;
      });
    await fc.assert(
      fc.asyncProperty(fc.array(block, { maxLength: 8 }), fc.constantFrom(64, 4096), async (blocks, bufferSize) =>
        readsOrRejects(Buffer.concat([pcapngHead(false), ...blocks]), bufferSize),
      ),
      RUNS,
    );
  });

  it('random damage to a valid file', async () => {
    const recs = Array.from({ length: 6 }, (_, i) => ({ data: new Uint8Array(20 + i * 7).fill(i), tsSec: i, tsNsec: i * 1000, interfaceId: i % 3 }));
    const files = [
      writePcap(recs, { linkType: 1 }),
      writePcap(recs, { linkType: 1, bigEndian: true, nanosecond: true }),
      writePcapng([{ interfaces: [{ linkType: 1 }, { linkType: 1 }, { linkType: 1 }], blocks: recs.map((record) => ({ kind: 'epb' as const, record })) }]),
      writePcapng([
        {
          bigEndian: true,
          interfaces: [{ linkType: 1 }, { linkType: 2 }, { linkType: 3, tsresol: 9 }],
          blocks: recs.map((record) => ({ kind: 'epb' as const, record })),
        },
      ]),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        async (file, edits, cut) => {
          const bytes = Buffer.from(file);
          for (const [at, v] of edits) bytes[at % bytes.length] = v;
          await readsOrRejects(bytes.subarray(0, bytes.length - (cut % 8)), 64);
        },
      ),
      RUNS,
    );
  });
});

describe('TimestampScale', () => {
  const resolutions = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0x80, max: 0xff }));

  it('matches BigInt arithmetic for every resolution', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        resolutions,
        fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
        (hi, lo, tsresol, offset) => {
          const units = (BigInt(hi) << 32n) | BigInt(lo);
          const [sec, nsec] = referenceTs(units, tsresol, offset);
          // Seconds beyond 2^53 cannot be exact in a number; no clock gets there.
          fc.pre(Math.abs(sec) < 2 ** 53);
          const scale = new TimestampScale(tsresol, offset);
          scale.convert(hi, lo);
          expect([scale.sec, scale.nsec]).toEqual([sec, nsec]);
        },
      ),
      propertyRuns(20_000),
    );
  });

  it.each([
    // [tsresol, hi, lo, sec, nsec]
    [6, 0x000621c1, 0xe3d6167e, 1_725_966_495, 127_166_000],
    [9, 0x17f3dd61, 0xfc47dcab, 1_725_966_495, 127_166_123],
    [9, 0xffffffff, 0xffffffff, 18_446_744_073, 709_551_615],
    [0x80 | 10, 0, 1025, 1, 976_562],
    [0x80 | 63, 0xffffffff, 0xffffffff, 1, 999_999_999],
    [12, 0, 1_000_001_999, 0, 1_000_001],
  ])('tsresol %s: (%s, %s) -> %s s %s ns', (tsresol, hi, lo, sec, nsec) => {
    const scale = new TimestampScale(tsresol);
    scale.convert(hi, lo);
    expect([scale.sec, scale.nsec]).toEqual([sec, nsec]);
  });
});
