/**
 * Test support: writes classic pcap and pcapng files, for the tests, the fixture generator and the
 * benchmark. Not used by rstwatch itself.
 *
 * - `writePcap(records, opts)`: a whole classic pcap file in memory.
 * - `PcapFileWriter`: the same, streamed to disk in 4 MiB chunks (for files of millions of records).
 * - `writePcapng(sections)`: pcapng with any byte order per section, several interfaces (link type,
 *   snaplen, if_tsresol, if_tsoffset), EPB, SPB, OPB, NRB, comments and arbitrary (custom or
 *   unknown) blocks.
 *
 * Layouts follow draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng (see src/capture/*-format.ts).
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import {
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_NRB,
  BLOCK_OPB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  OPT_COMMENT,
  OPT_IF_TSOFFSET,
  OPT_IF_TSRESOL,
  TSRESOL_DEFAULT,
  TSRESOL_POW2_FLAG,
} from '../src/capture/pcapng-format.js';
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_HEADER_LEN } from '../src/capture/pcap-format.js';

/** One packet to write. */
export interface PcapRecord {
  /** Captured bytes (the record's captured length is `data.length`). */
  data: Uint8Array;
  /** Capture time, whole seconds since the Unix epoch. */
  tsSec: number;
  /** Nanoseconds within the second; written as microseconds (floored) in a microsecond pcap. */
  tsNsec: number;
  /** Length on the wire in bytes; defaults to `data.length`. */
  origLen?: number;
  /** pcapng only: the interface of an EPB/OPB (default 0). */
  interfaceId?: number;
}

/** Classic pcap file header settings. */
export interface PcapOptions {
  /** LinkType field, written as given (upper bits included, to test FCS bits). */
  linkType: number;
  /** Nanosecond magic (0xa1b23c4d) instead of microsecond (0xa1b2c3d4). */
  nanosecond?: boolean;
  /** Write in big-endian byte order (default little-endian). */
  bigEndian?: boolean;
  /** SnapLen field in bytes (default 262144). */
  snaplen?: number;
}

/** The 24-byte classic pcap file header for `opts`. */
export function encodePcapHeader(opts: PcapOptions): Buffer {
  const b = Buffer.alloc(PCAP_FILE_HEADER_LEN);
  const le = opts.bigEndian !== true;
  const u32 = (v: number, at: number): number => (le ? b.writeUInt32LE(v >>> 0, at) : b.writeUInt32BE(v >>> 0, at));
  const u16 = (v: number, at: number): number => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  u32(opts.nanosecond === true ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, 0);
  u16(2, 4);
  u16(4, 6);
  u32(opts.snaplen ?? 262_144, 16);
  u32(opts.linkType, 20);
  return b;
}

/** Writes one record (header + data) into `target` at `at`; returns the bytes written. */
function encodePcapRecordInto(
  target: Buffer,
  at: number,
  le: boolean,
  nanosecond: boolean,
  data: Uint8Array,
  tsSec: number,
  tsNsec: number,
  origLen: number,
): number {
  const frac = nanosecond ? tsNsec : Math.floor(tsNsec / 1000);
  const vals = [tsSec, frac, data.length, origLen];
  for (let i = 0; i < 4; i++) {
    if (le) target.writeUInt32LE(vals[i] >>> 0, at + 4 * i);
    else target.writeUInt32BE(vals[i] >>> 0, at + 4 * i);
  }
  target.set(data, at + PCAP_RECORD_HEADER_LEN);
  return PCAP_RECORD_HEADER_LEN + data.length;
}

/** A whole classic pcap file: header, then one record per entry of `records`. */
export function writePcap(records: readonly PcapRecord[], opts: PcapOptions): Buffer {
  const size = records.reduce((n, r) => n + PCAP_RECORD_HEADER_LEN + r.data.length, PCAP_FILE_HEADER_LEN);
  const out = Buffer.alloc(size);
  encodePcapHeader(opts).copy(out, 0);
  let at = PCAP_FILE_HEADER_LEN;
  for (const r of records) {
    at += encodePcapRecordInto(out, at, opts.bigEndian !== true, opts.nanosecond === true, r.data, r.tsSec, r.tsNsec, r.origLen ?? r.data.length);
  }
  return out;
}

/** Streams a classic pcap file to disk, buffering records into 4 MiB writes. */
export class PcapFileWriter {
  private readonly fd: number;
  private readonly chunk = Buffer.alloc(4 * 1024 * 1024);
  private used = 0;
  private readonly le: boolean;
  private readonly nanosecond: boolean;

  /** Creates (or truncates) `path` and writes the file header for `opts`. */
  constructor(path: string, opts: PcapOptions) {
    this.fd = openSync(path, 'w');
    this.le = opts.bigEndian !== true;
    this.nanosecond = opts.nanosecond === true;
    this.used = encodePcapHeader(opts).copy(this.chunk, 0);
  }

  /** Appends one record; `origLen` defaults to `frame.length`. */
  write(frame: Uint8Array, tsSec: number, tsNsec: number, origLen = frame.length): void {
    const recLen = PCAP_RECORD_HEADER_LEN + frame.length;
    if (this.used + recLen > this.chunk.length) this.flush();
    if (recLen > this.chunk.length) {
      const big = Buffer.alloc(recLen);
      encodePcapRecordInto(big, 0, this.le, this.nanosecond, frame, tsSec, tsNsec, origLen);
      writeSync(this.fd, big);
      return;
    }
    this.used += encodePcapRecordInto(this.chunk, this.used, this.le, this.nanosecond, frame, tsSec, tsNsec, origLen);
  }

  /** Writes what is buffered and closes the file. */
  async close(): Promise<void> {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.chunk, off, this.used - off);
    this.used = 0;
  }
}

/** One pcapng interface (an Interface Description Block). */
export interface PcapngInterface {
  /** LINKTYPE_* value (16 bits). */
  linkType: number;
  /** SnapLen in bytes (default 0: no limit). */
  snaplen?: number;
  /**
   * The if_tsresol byte: 6 = microseconds (the default, then no option is written), 9 =
   * nanoseconds, 0x80 | n = 2^-n s.
   */
  tsresol?: number;
  /** if_tsoffset in whole seconds (omitted when absent). */
  tsoffset?: number;
  /** if_name option. */
  name?: string;
  /** opt_comment option. */
  comment?: string;
}

/** One block after a section's leading IDBs. */
export type PcapngBlock =
  | {
      kind: 'epb';
      record: PcapRecord;
      /** Raw timestamp in the interface's units; overrides `record.tsSec/tsNsec`. */
      tsUnits?: bigint;
      comment?: string;
    }
  | { kind: 'opb'; record: PcapRecord; tsUnits?: bigint }
  | { kind: 'spb'; data: Uint8Array; origLen?: number }
  | { kind: 'idb'; iface: PcapngInterface }
  | { kind: 'nrb'; ipv4: ReadonlyArray<readonly [string, string]>; comment?: string }
  | { kind: 'raw'; blockType: number; body: Uint8Array };

/** One pcapng section: an SHB, its interfaces, then its blocks. */
export interface PcapngSection {
  /** Write this section big-endian (default little-endian). */
  bigEndian?: boolean;
  /** opt_comment of the SHB. */
  comment?: string;
  /** IDBs written right after the SHB, interface ids 0, 1, ... */
  interfaces?: readonly PcapngInterface[];
  blocks: readonly PcapngBlock[];
}

type Option = readonly [code: number, value: Uint8Array];

class BlockEncoder {
  constructor(readonly le: boolean) {}

  u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }

  u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    return b;
  }

  u64(v: bigint): Buffer {
    const b = Buffer.alloc(8);
    if (this.le) b.writeBigUInt64LE(BigInt.asUintN(64, v));
    else b.writeBigUInt64BE(BigInt.asUintN(64, v));
    return b;
  }

  /** An option list ending with opt_endofopt; empty when there are no options. */
  options(opts: readonly Option[]): Buffer {
    if (opts.length === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (const [code, value] of opts) {
      parts.push(this.u16(code), this.u16(value.length), Buffer.from(value), Buffer.alloc(pad4(value.length)));
    }
    parts.push(this.u16(0), this.u16(0));
    return Buffer.concat(parts);
  }

  /** A whole block: type, total length, body padded to 4 bytes, total length. */
  block(type: number, body: Uint8Array): Buffer {
    const padded = Buffer.concat([Buffer.from(body), Buffer.alloc(pad4(body.length))]);
    const total = padded.length + 12;
    return Buffer.concat([this.u32(type), this.u32(total), padded, this.u32(total)]);
  }
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function commentOpt(comment: string | undefined): Option[] {
  return comment === undefined ? [] : [[OPT_COMMENT, Buffer.from(comment, 'utf8')]];
}

/** A pcapng block of any type with `body` (padded to 4 bytes), for tests that build odd blocks. */
export function encodePcapngBlock(blockType: number, body: Uint8Array, bigEndian = false): Buffer {
  return new BlockEncoder(!bigEndian).block(blockType, body);
}

/** The timestamp of `r` in units of 10^-v or 2^-v s (if_tsresol), less if_tsoffset. */
function timestampUnits(iface: PcapngInterface, r: PcapRecord): bigint {
  const resol = iface.tsresol ?? TSRESOL_DEFAULT;
  const v = BigInt(resol & 0x7f);
  const perSec = (resol & TSRESOL_POW2_FLAG) !== 0 ? 1n << v : 10n ** v;
  const sec = BigInt(r.tsSec) - BigInt(iface.tsoffset ?? 0);
  return sec * perSec + (BigInt(r.tsNsec) * perSec) / 1_000_000_000n;
}

function encodeIdb(enc: BlockEncoder, iface: PcapngInterface): Buffer {
  const opts: Option[] = [];
  if (iface.name !== undefined) opts.push([2, Buffer.from(iface.name, 'utf8')]);
  if (iface.tsresol !== undefined && iface.tsresol !== TSRESOL_DEFAULT) opts.push([OPT_IF_TSRESOL, Uint8Array.of(iface.tsresol)]);
  if (iface.tsoffset !== undefined) opts.push([OPT_IF_TSOFFSET, enc.u64(BigInt(iface.tsoffset))]);
  opts.push(...commentOpt(iface.comment));
  const body = Buffer.concat([enc.u16(iface.linkType), enc.u16(0), enc.u32(iface.snaplen ?? 0), enc.options(opts)]);
  return enc.block(BLOCK_IDB, body);
}

function encodePacketBlock(
  enc: BlockEncoder,
  type: typeof BLOCK_EPB | typeof BLOCK_OPB,
  ifaces: readonly PcapngInterface[],
  r: PcapRecord,
  tsUnits: bigint | undefined,
  comment: string | undefined,
): Buffer {
  const ifId = r.interfaceId ?? 0;
  const iface = ifaces[ifId] ?? { linkType: 1 };
  const ts = BigInt.asUintN(64, tsUnits ?? timestampUnits(iface, r));
  const id = type === BLOCK_EPB ? enc.u32(ifId) : Buffer.concat([enc.u16(ifId), enc.u16(0)]);
  const data = Buffer.concat([Buffer.from(r.data), Buffer.alloc(pad4(r.data.length))]);
  const body = Buffer.concat([
    id,
    enc.u32(Number(ts >> 32n)),
    enc.u32(Number(ts & 0xffffffffn)),
    enc.u32(r.data.length),
    enc.u32(r.origLen ?? r.data.length),
    data,
    enc.options(commentOpt(comment)),
  ]);
  return enc.block(type, body);
}

function encodeNrb(enc: BlockEncoder, entries: ReadonlyArray<readonly [string, string]>, comment: string | undefined): Buffer {
  const parts: Buffer[] = [];
  for (const [addr, name] of entries) {
    const value = Buffer.concat([Buffer.from(addr.split('.').map(Number)), Buffer.from(`${name}\0`, 'utf8')]);
    parts.push(enc.u16(1), enc.u16(value.length), value, Buffer.alloc(pad4(value.length)));
  }
  parts.push(enc.u16(0), enc.u16(0), enc.options(commentOpt(comment)));
  return enc.block(BLOCK_NRB, Buffer.concat(parts));
}

/** A whole pcapng file: for each section an SHB, its leading IDBs, then its blocks in order. */
export function writePcapng(sections: readonly PcapngSection[]): Buffer {
  const out: Buffer[] = [];
  for (const section of sections) {
    const enc = new BlockEncoder(section.bigEndian !== true);
    const shbBody = Buffer.concat([enc.u32(BYTE_ORDER_MAGIC), enc.u16(1), enc.u16(0), enc.u64(-1n), enc.options(commentOpt(section.comment))]);
    out.push(enc.block(BLOCK_SHB, shbBody));
    const ifaces: PcapngInterface[] = [];
    for (const iface of section.interfaces ?? []) {
      ifaces.push(iface);
      out.push(encodeIdb(enc, iface));
    }
    for (const b of section.blocks) {
      switch (b.kind) {
        case 'epb':
          out.push(encodePacketBlock(enc, BLOCK_EPB, ifaces, b.record, b.tsUnits, b.comment));
          break;
        case 'opb':
          out.push(encodePacketBlock(enc, BLOCK_OPB, ifaces, b.record, b.tsUnits, undefined));
          break;
        case 'spb':
          out.push(enc.block(BLOCK_SPB, Buffer.concat([enc.u32(b.origLen ?? b.data.length), Buffer.from(b.data)])));
          break;
        case 'idb':
          ifaces.push(b.iface);
          out.push(encodeIdb(enc, b.iface));
          break;
        case 'nrb':
          out.push(encodeNrb(enc, b.ipv4, b.comment));
          break;
        case 'raw':
          out.push(enc.block(b.blockType, b.body));
          break;
      }
    }
  }
  return Buffer.concat(out);
}
