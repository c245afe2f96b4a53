/**
 * Damaged capture files for the corrupt-input harness (kit/corrupt-run.ts): from the sound captures
 * in pcaps/ and pcapng re-encodings of them, one mutant per (run seed, index), the same bytes
 * every time for the same seed, index and fixtures.
 *
 * - `loadSeeds(dir)`: the captures of `dir` (*.pcap, *.pcapng), sorted by name, each indexed.
 * - `makeMutant(seeds, runSeed, i)`: mutant `i` of a run: bit flips, byte runs, insertions and
 *   deletions, truncations at and around every structure boundary, record and block length lies
 *   (huge, zero, off by a little, past the end of the file), timestamps and link types, splices of
 *   two files, duplicated blocks; and pcapng re-encodings (`reencode`) with extreme if_tsresol and
 *   if_tsoffset, many interfaces (up to thousands of IDBs), other interface ids, SPB/OPB, name
 *   resolution, statistics, custom and unknown blocks, comments, several sections of either byte
 *   order, which are sound captures in their own right and are damaged further half the time.
 *
 * A mutant carries `base`, the sound file it was made from: its bytes before the first one that
 * differs are the base's, so every packet wholly in that prefix must be counted. A splice also
 * carries `spliced`, the file whose bytes follow the base's head.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaptureIndex, indexCapture, type Structure } from './capture-index.js';
import { writePcapng, type PcapngBlock, type PcapngInterface, type PcapngSection, type PcapRecord } from './pcap-writer.js';

/** A sound capture to damage. */
export interface Seed {
  name: string;
  bytes: Buffer;
  index: CaptureIndex;
}

/** One damaged file and what it was made from. */
export interface Mutant {
  /** The seed's name; a re-encoding adds '+pcapng'. */
  seed: string;
  /** The mutation's name ('bitflip', 'length-lie', ...; a damaged re-encoding 'reencode+bitflip'). */
  kind: string;
  /** What exactly was done, for a person replaying a failure. */
  note: string;
  /** The sound file the bytes were made from, and its index. */
  base: Buffer;
  baseIndex: CaptureIndex;
  bytes: Buffer;
  /**
   * What the rules of docs/capture.md make of this damage, where they decide it: 'sound' (read to
   * the end, exit 0, every packet: a time, a link type, a length that frames nothing), or the
   * offset of the record or block that must stop the read (a length that cannot be true).
   */
  expect?: Expect;
  /**
   * A splice's second file: the bytes after the base's head are its, so a record cut short among
   * them is one of its records, not the base's.
   */
  spliced?: Seed;
}

/** See `Mutant.expect`. */
export type Expect = 'sound' | { faultAt: number };

/** What a mutation made. */
interface Made {
  bytes: Buffer;
  note: string;
  expect?: Expect;
  spliced?: Seed;
}

/** A small deterministic generator (mulberry32): 32-bit state, uniform 32-bit outputs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit value. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}

/** The sound captures of `dir` (*.pcap, *.pcapng), sorted by name, indexed. */
export function loadSeeds(dir: string): Seed[] {
  return readdirSync(dir)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return { name, bytes, index: indexCapture(bytes) };
    });
}

/** The mutations, with their weights (how often each is chosen). */
const MUTATIONS: readonly [string, number, (rng: Rng, seed: Seed, seeds: readonly Seed[]) => Made][] = [
  ['bitflip', 4, bitflip],
  ['byterun', 2, byterun],
  ['insert-delete', 1, insertDelete],
  ['cut-boundary', 3, cutAtBoundary],
  ['cut-random', 1, cutAnywhere],
  ['length-lie', 5, lengthLie],
  ['field', 2, headerField],
  ['timestamp', 2, timestamp],
  ['splice', 2, splice],
  ['duplicate', 1, duplicate],
];
const TOTAL_WEIGHT = MUTATIONS.reduce((n, [, w]) => n + w, 0);

/** The generator of mutant `i` of the run with seed `runSeed`. */
function rngFor(runSeed: number, i: number): Rng {
  const r = new Rng(runSeed ^ Math.imul(i + 1, 0x9e3779b1));
  r.u32();
  return r;
}

/** Mutant `i` of the run with seed `runSeed` over `seeds`. */
export function makeMutant(seeds: readonly Seed[], runSeed: number, i: number): Mutant {
  const rng = rngFor(runSeed, i);
  let seed = rng.pick(seeds);
  let prefix = '';
  if (seed.index.format === 'pcap' && rng.chance(0.3)) {
    const re = reencode(rng, seed);
    seed = { name: `${seed.name}+pcapng`, bytes: re.bytes, index: indexCapture(re.bytes) };
    if (rng.chance(0.5))
      return { seed: seed.name, kind: 'reencode', note: re.note, base: seed.bytes, baseIndex: seed.index, bytes: seed.bytes, expect: 'sound' };
    prefix = `reencode(${re.note})+`;
  }
  let w = rng.int(TOTAL_WEIGHT);
  let k = 0;
  while (w >= MUTATIONS[k][1]) w -= MUTATIONS[k++][1];
  const [kind, , mutate] = MUTATIONS[k];
  const m = mutate(rng, seed, seeds);
  const mutant: Mutant = {
    seed: seed.name,
    kind: prefix === '' ? kind : `reencode+${kind}`,
    note: prefix + m.note,
    base: seed.bytes,
    baseIndex: seed.index,
    bytes: m.bytes,
  };
  if (m.expect !== undefined) mutant.expect = m.expect;
  if (m.spliced !== undefined) mutant.spliced = m.spliced;
  return mutant;
}

/** A structure of the seed, packets and headers alike (the pcap file header included). */
function someStructure(rng: Rng, seed: Seed): Structure {
  return rng.pick(seed.index.structures);
}

function bitflip(rng: Rng, seed: Seed): Made {
  const b = Buffer.from(seed.bytes);
  const flips: number[] = [];
  for (let n = rng.range(1, 4); n > 0; n--) {
    // Half the flips land in the first 32 bytes of a structure, where the lengths and times are.
    const s = someStructure(rng, seed);
    const at = rng.chance(0.5) ? s.start + rng.int(Math.min(32, s.end - s.start)) : rng.int(b.length);
    const bit = rng.int(8);
    b[at] ^= 1 << bit;
    flips.push(at * 8 + bit);
  }
  return { bytes: b, note: `flipped bits ${flips.join(',')}` };
}

function byterun(rng: Rng, seed: Seed): Made {
  const b = Buffer.from(seed.bytes);
  const at = rng.int(b.length);
  const len = Math.min(rng.pick([1, 2, 4, 8, 16, 64, 512]), b.length - at);
  const fill = rng.pick(['00', 'ff', 'random', 'byte']);
  const run = fill === 'random' ? rng.bytes(len) : Buffer.alloc(len, fill === '00' ? 0 : fill === 'ff' ? 0xff : rng.int(256));
  run.copy(b, at);
  return { bytes: b, note: `${len} bytes of ${fill} at ${at}` };
}

function insertDelete(rng: Rng, seed: Seed): Made {
  const b = seed.bytes;
  const at = rng.int(b.length);
  const n = rng.pick([1, 2, 3, 4, 8, 16, 100]);
  if (rng.chance(0.5)) return { bytes: Buffer.concat([b.subarray(0, at), rng.bytes(n), b.subarray(at)]), note: `inserted ${n} random bytes at ${at}` };
  return { bytes: Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + n))]), note: `deleted ${n} bytes at ${at}` };
}

/** The ends of every structure: the file cut at each, or a little either side. */
function cutAtBoundary(rng: Rng, seed: Seed): Made {
  const s = someStructure(rng, seed);
  const edge = rng.chance(0.2) ? s.start : s.end;
  const at = Math.max(0, Math.min(seed.bytes.length, edge + rng.pick([0, 0, 0, -1, 1, -4, 4, 8, 12, 16, 28, -12])));
  return { bytes: seed.bytes.subarray(0, at), note: `cut at ${at} (${s.kind} ${s.start}..${s.end})` };
}

function cutAnywhere(rng: Rng, seed: Seed): Made {
  const at = rng.int(seed.bytes.length);
  return { bytes: seed.bytes.subarray(0, at), note: `cut at ${at}` };
}

/** Length lies: values that are absurd, zero, off by a little, or past the end of the file. */
function lieValue(rng: Rng, was: number, room: number): number {
  return (
    rng.pick([
      0,
      1,
      4,
      8,
      11,
      12,
      16,
      was - 4,
      was + 4,
      was - 1,
      was + 1,
      was * 2,
      0x7fffffff,
      0xffffffff,
      0x80000000,
      16 * 1024 * 1024 - 4,
      16 * 1024 * 1024,
      16 * 1024 * 1024 + 4,
      262_144,
      262_145,
      65_535,
      room + 4,
      room + 64,
      room * 2 + 8,
      rng.u32(),
    ]) >>> 0
  );
}

/** Offsets (from the structure start) of the length fields of a structure. */
function lengthFields(s: Structure): number[] {
  switch (s.kind) {
    case 'header':
      return [16]; // snaplen
    case 'record':
      return [8, 8, 12]; // caplen (twice as likely), orig_len
    case 'epb':
    case 'opb':
      return [4, 4, s.end - s.start - 4, 20, 24]; // total length, trailing length, caplen, orig_len
    case 'spb':
      return [4, s.end - s.start - 4, 8];
    default:
      return [4, 4, s.end - s.start - 4];
  }
}

function lengthLie(rng: Rng, seed: Seed): Made {
  const b = Buffer.from(seed.bytes);
  const s = someStructure(rng, seed);
  const field = s.start + rng.pick(lengthFields(s));
  if (field + 4 > b.length) return { bytes: b, note: 'no length field' };
  const was = s.le ? b.readUInt32LE(field) : b.readUInt32BE(field);
  const lie = lieValue(rng, was, b.length - s.start);
  if (s.le) b.writeUInt32LE(lie, field);
  else b.writeUInt32BE(lie, field);
  const made: Made = { bytes: b, note: `${s.kind} at ${s.start}: u32 at ${field} ${was} -> ${lie}` };
  const expect = lie === was ? 'sound' : lieExpect(seed, s, field - s.start, lie);
  if (expect !== undefined) made.expect = expect;
  return made;
}

/** Largest pcap captured length accepted whatever the snaplen (libpcap's limit), bytes. */
const PCAP_MAX_CAPLEN = 262_144;
/** Largest pcapng block accepted, bytes. */
const PCAPNG_MAX_BLOCK = 16 * 1024 * 1024;
/** Bytes of a block the reader needs at the end of a file to look for its true end (an EPB's fixed part). */
const CUT_BLOCK_MIN = 28;

/**
 * What docs/capture.md makes of the u32 at `off` in structure `s` of `seed` set to `lie`, where
 * the rules decide it; undefined where the outcome turns on what else the bytes hold.
 */
function lieExpect(seed: Seed, s: Structure, off: number, lie: number): Expect | undefined {
  const b = seed.bytes;
  const u32 = (at: number): number => (s.le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const fault = { faultAt: s.start };
  const len = s.end - s.start;
  if (s.kind === 'header') return 'sound'; // the snaplen frames nothing below libpcap's limit
  if (s.kind === 'record') {
    const snaplen = u32(16);
    const [capLen, origLen] = off === 8 ? [lie, u32(s.start + 12)] : [u32(s.start + 8), lie];
    if (capLen > origLen || capLen > Math.max(snaplen, PCAP_MAX_CAPLEN)) return fault;
    return off === 12 ? 'sound' : undefined;
  }
  if (off === len - 4) return fault; // the trailing length unlike the leading one
  if ((s.kind === 'epb' || s.kind === 'opb') && off >= 20) {
    const [capLen, origLen] = off === 20 ? [lie, u32(s.start + 24)] : [u32(s.start + 20), lie];
    return capLen > len - 32 || capLen > origLen ? fault : 'sound';
  }
  if (s.kind === 'spb' && off === 8) return 'sound';
  if (off !== 4 || s.kind === 'block') return undefined;
  if (lie < 12 || lie % 4 !== 0 || lie > PCAPNG_MAX_BLOCK) return fault;
  if (s.start + lie <= b.length) return u32(s.start + lie - 4) === lie ? undefined : fault;
  // Past the end of the file: the block's own trailing length, still there, gives the lie away.
  return b.length - s.start >= CUT_BLOCK_MIN ? fault : undefined;
}

/** Link types, versions, magics, block types and interface ids. */
function headerField(rng: Rng, seed: Seed): Made {
  const b = Buffer.from(seed.bytes);
  const s = someStructure(rng, seed);
  const fields: Record<Structure['kind'], [number, number][]> = {
    header: [
      [0, 4],
      [4, 2],
      [20, 4],
    ],
    record: [[0, 4]],
    shb: [
      [8, 4],
      [12, 2],
    ],
    idb: [
      [8, 2],
      [12, 4],
    ],
    epb: [
      [0, 4],
      [8, 4],
    ],
    opb: [
      [0, 4],
      [8, 2],
    ],
    spb: [[0, 4]],
    block: [[0, 4]],
  };
  const [off, size] = rng.pick(fields[s.kind]);
  const at = s.start + off;
  const value = rng.pick([0, 1, 2, 3, 5, 6, 12, 101, 113, 228, 229, 276, 0x0a0d0d0a, 0xbad, 0x40000bad, 0xffff, rng.u32()]);
  if (size === 2) b.writeUInt16LE(value & 0xffff, at);
  else b.writeUInt32LE(value >>> 0, at);
  const made: Made = { bytes: b, note: `${s.kind} at ${s.start}: ${size * 8}-bit field +${off} -> ${value}` };
  // A link type (pcap header +20, IDB +8), an IDB's snaplen (+12) or the pcap version (+4) frames nothing.
  if ((s.kind === 'header' && (off === 20 || off === 4)) || (s.kind === 'idb' && (off === 8 || off === 12))) made.expect = 'sound';
  return made;
}

/** Extreme timestamps: a high word past the range of a date, all ones, fractions over a second. */
function timestamp(rng: Rng, seed: Seed): Made {
  const b = Buffer.from(seed.bytes);
  const packets = seed.index.structures.filter((s) => s.kind === 'record' || s.kind === 'epb' || s.kind === 'opb');
  if (packets.length === 0) return { bytes: b, note: 'no timestamp' };
  const s = rng.pick(packets);
  const at = s.start + (s.kind === 'record' ? rng.pick([0, 4]) : rng.pick([12, 16]));
  const value = rng.pick([0, 0xffffffff, 0x77e80000, 0x80000000, 0x7fffffff, 999_999_999, 1_000_000_000, rng.u32()]);
  if (s.le) b.writeUInt32LE(value, at);
  else b.writeUInt32BE(value, at);
  const made: Made = { bytes: b, note: `${s.kind} at ${s.start}: time word +${at - s.start} -> ${value}` };
  // Times are data: a file is read to its end whatever they say; except that a record cut short by
  // the end of the file is judged against the time of the record before it (docs/capture.md).
  if (seed.index.leftover === 0 || s !== packets[packets.length - 1]) made.expect = 'sound';
  return made;
}

/** The head of this file (to a structure boundary or anywhere) and the tail of another. */
function splice(rng: Rng, seed: Seed, seeds: readonly Seed[]): Made {
  const other = rng.pick(seeds);
  const x = rng.chance(0.7) ? someStructure(rng, seed).end : rng.int(seed.bytes.length);
  const y = rng.chance(0.7) ? someStructure(rng, other).start : rng.int(other.bytes.length);
  return {
    bytes: Buffer.concat([seed.bytes.subarray(0, x), other.bytes.subarray(y)]),
    note: `0..${x} of this file, then ${other.name} from ${y}`,
    spliced: other,
  };
}

/** A structure repeated in place (a second file header, SHB or IDB mid-file, a packet twice). */
function duplicate(rng: Rng, seed: Seed): Made {
  const s = someStructure(rng, seed);
  const times = rng.pick([1, 2, 100]);
  const copies = Array.from({ length: times }, () => seed.bytes.subarray(s.start, s.end));
  return {
    bytes: Buffer.concat([seed.bytes.subarray(0, s.end), ...copies, seed.bytes.subarray(s.end)]),
    note: `${s.kind} ${s.start}..${s.end} repeated ${times} times`,
  };
}

/** The packets of a pcap seed, as records. */
function pcapRecords(seed: Seed): PcapRecord[] {
  const b = seed.bytes;
  const le = seed.index.structures[0].le;
  const u32 = (at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const nsec = (le ? b.readUInt32LE(0) : b.readUInt32BE(0)) === 0xa1b23c4d;
  return seed.index.structures
    .filter((s) => s.kind === 'record')
    .map((s) => ({
      data: b.subarray(s.start + 16, s.end),
      tsSec: u32(s.start),
      tsNsec: Math.min(999_999_999, u32(s.start + 4) * (nsec ? 1 : 1000)),
      origLen: u32(s.start + 12),
    }));
}

const TSRESOLS = [0, 3, 6, 6, 9, 9, 12, 19, 20, 30, 127, 0x80, 0x80 | 10, 0x80 | 30, 0x80 | 63, 0x80 | 64, 0xff];
const TSOFFSETS = [undefined, undefined, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 53, 2 ** 62, -(2 ** 62), -(2 ** 63), 1_000_000_007];

/** A sound pcapng file holding a pcap seed's packets, laid out at random (see the module comment). */
export function reencode(rng: Rng, seed: Seed): Made {
  const records = pcapRecords(seed);
  const linkType = (seed.index.structures[0].le ? seed.bytes.readUInt32LE(20) : seed.bytes.readUInt32BE(20)) & 0xffff;
  const extra = rng.pick([0, 0, 1, 3, 1000, 5000]);
  const iface = (): PcapngInterface => ({
    linkType: rng.chance(0.8) ? linkType : rng.pick([0, 1, 12, 101, 113, 147, 276, 0xffff]),
    snaplen: rng.pick([0, 0, 65_535, 262_144, 16]),
    tsresol: rng.pick(TSRESOLS),
    tsoffset: rng.pick(TSOFFSETS),
    comment: rng.chance(0.2) ? 'x'.repeat(rng.int(300)) : undefined,
  });
  const interfaces = Array.from({ length: 1 + extra }, iface);
  const sections: PcapngSection[] = [];
  let blocks: PcapngBlock[] = [];
  const newSection = (): void => {
    blocks = [];
    sections.push({ bigEndian: rng.chance(0.4), comment: rng.chance(0.3) ? 'section' : undefined, interfaces, blocks });
  };
  newSection();
  for (const record of records) {
    if (rng.chance(0.02)) newSection();
    blocks.push(...otherBlocks(rng));
    const interfaceId = rng.int(interfaces.length);
    // A writer captures no more than its interface's snapshot length (the reader holds a packet
    // block cut short by the end of the file to it).
    const snaplen = interfaces[interfaceId].snaplen ?? 0;
    const data = snaplen === 0 ? record.data : record.data.subarray(0, snaplen);
    blocks.push(packetBlock(rng, { ...record, data, origLen: record.origLen ?? record.data.length, interfaceId }));
  }
  const note = `${sections.length} sections, ${interfaces.length} interfaces, tsresol ${interfaces[0].tsresol}, tsoffset ${interfaces[0].tsoffset}`;
  return { bytes: writePcapng(sections), note };
}

/** A packet as an EPB (mostly), OPB or SPB (on interface 0, whose data SPB cuts to its snaplen). */
function packetBlock(rng: Rng, record: PcapRecord): PcapngBlock {
  const r = rng.int(20);
  // An SPB has no interface id or time; an OPB's interface id is 16 bits.
  if (r === 0) return { kind: 'spb', data: record.data, origLen: record.origLen };
  if (r === 1 && (record.interfaceId ?? 0) < 0x10000) return { kind: 'opb', record };
  return { kind: 'epb', record, comment: rng.chance(0.1) ? `packet ${rng.u32()}` : undefined };
}

/** Now and then a block that is not a packet: name resolution, statistics, custom, unknown. */
function otherBlocks(rng: Rng): PcapngBlock[] {
  if (!rng.chance(0.05)) return [];
  return [
    rng.pick<PcapngBlock>([
      { kind: 'nrb', ipv4: [['192.0.2.1', 'example.test']], comment: 'names' },
      { kind: 'raw', blockType: 5, body: Buffer.alloc(20) },
      { kind: 'raw', blockType: 0xbad, body: Buffer.from([0, 0, 0x7e, 0x1f, 1, 2, 3]) },
      { kind: 'raw', blockType: 0x40000bad, body: rng.bytes(rng.int(64) + 4) },
      { kind: 'raw', blockType: 0x0000000a, body: Buffer.alloc(16) },
      // A type with the top bit set is for local use: never one the reader knows.
      { kind: 'raw', blockType: (rng.u32() | 0x80000000) >>> 0, body: rng.bytes(rng.int(40)) },
    ]),
  ];
}
