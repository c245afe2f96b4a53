/**
 * The capture-file reader: classic pcap (both byte orders, micro- and nanosecond) and pcapng
 * (several sections and interfaces, EPB, SPB, OPB), streamed from a file or standard input into a
 * FrameSink.
 *
 * Buffer ownership: the reader owns two read buffers (default 4 MiB each, plus a 256 KiB reserve),
 * reused for the whole file: records are handed on from one while the next chunk of the file is
 * read ahead into the other, then they swap. Every frame handed to `sink.onFrame` is a view into
 * the current one, valid only until `onFrame` returns; the next refill moves or overwrites those
 * bytes. A buffer grows only when one record is larger than it, and never beyond MAX_RECORD_BYTES.
 *
 * Per record nothing is created: no object, closure, array or string. Header fields are read with
 * one DataView made per buffer; the byte order is a boolean fixed per file (pcap) or per section
 * (pcapng). There is one `await` per chunk, never one per record.
 *
 * Bad input throws RstwatchError (RSTWATCH_ERR_FILE_OPEN, RSTWATCH_ERR_CAPTURE_FORMAT) naming the
 * file and byte offset. A last record cut short is not an error: the complete records before it
 * are delivered and a warning is raised, as tcpdump and tshark do for an interrupted capture.
 */

import type { RstwatchError } from '../errors.js';
import { openSource } from './byte-source.js';
import type { FrameSink } from './frame-sink.js';
import { drainPcap, parsePcapHeader } from './pcap-drain.js';
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC } from './pcap-format.js';
import {
  BLK_TOTAL_LEN,
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_MIN_LEN,
  BLOCK_OPB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  BYTE_ORDER_MAGIC_SWAPPED,
  EPB_CAP_LEN,
  EPB_DATA,
  EPB_INTERFACE_ID,
  EPB_MIN_LEN,
  EPB_ORIG_LEN,
  EPB_TS_HIGH,
  EPB_TS_LOW,
  IDB_LINKTYPE,
  IDB_MIN_LEN,
  IDB_OPTIONS,
  IDB_SNAPLEN,
  OPB_INTERFACE_ID,
  OPT_ENDOFOPT,
  OPT_HEADER_LEN,
  OPT_IF_TSOFFSET,
  OPT_IF_TSRESOL,
  SHB_BYTE_ORDER,
  SHB_MIN_LEN,
  SHB_VERSION_MAJOR,
  SPB_DATA,
  SPB_MIN_LEN,
  SPB_ORIG_LEN,
  TimestampScale,
  TSRESOL_DEFAULT,
} from './pcapng-format.js';
import { MAX_RECORD_BYTES, ReadState } from './read-state.js';

/** What one `readCaptureFile` call read. */
export interface CaptureReadResult {
  /** The path as given ('-' for standard input). */
  path: string;
  /** The container format found by its magic. */
  format: 'pcap' | 'pcapng';
  /** Frames handed to the sink. */
  frames: number;
  /** Bytes read from the file or stream. */
  bytesRead: number;
  /** True when the last record was cut short (the file ended inside it); a warning, not an error. */
  truncatedTail: boolean;
  /** Human-readable warnings, each naming the file and a byte offset. */
  warnings: string[];
}

/** Tuning and callbacks of `readCaptureFile`. */
export interface ReadOptions {
  /** Read buffer size in bytes (default 4 MiB, at least MIN_BUFFER_BYTES). */
  bufferSize?: number;
  /** Progress after each buffer refill (at most once per refill); totalBytes is -1 when unknown (a pipe). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called with each warning as it is raised (the same text is in `CaptureReadResult.warnings`). */
  onWarning?: (message: string) => void;
}

/** Default read buffer size, in bytes. */
export const DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024;
/** Smallest read buffer accepted, in bytes; smaller `bufferSize` values are raised to it. */
export const MIN_BUFFER_BYTES = 64;
export { MAX_RECORD_BYTES } from './read-state.js';

const MAGIC_HINT = 'rstwatch reads pcap and pcapng files; convert others with `editcap -F pcap IN OUT`';

/**
 * The interfaces of the current pcapng section, indexed by interface id; reset by every SHB.
 * Grows by one entry per IDB (not per packet).
 */
class PcapngSection {
  le = true;
  linkTypes: number[] = [];
  snaplens: number[] = [];
  scales: TimestampScale[] = [];

  reset(le: boolean): void {
    this.le = le;
    this.linkTypes.length = 0;
    this.snaplens.length = 0;
    this.scales.length = 0;
  }
}

/** Reads an IDB at `pos` (whole block in the buffer, length checked) into the section. */
function addInterface(st: ReadState, sec: PcapngSection, pos: number, totalLen: number): void {
  const dv = st.view;
  const le = sec.le;
  if (totalLen < IDB_MIN_LEN) throw st.formatError(pos, `bad pcapng interface description block: length ${totalLen} < ${IDB_MIN_LEN}`);
  // BOUNDS: checked by IDB_MIN_LEN above and the caller's whole-block check.
  const linkType = dv.getUint16(pos + IDB_LINKTYPE, le);
  const snaplen = dv.getUint32(pos + IDB_SNAPLEN, le);
  let tsresol = TSRESOL_DEFAULT;
  let tsoffset = 0;
  const optEnd = pos + totalLen - 4;
  let p = pos + IDB_OPTIONS;
  while (optEnd - p >= OPT_HEADER_LEN) {
    const code = dv.getUint16(p, le);
    const len = dv.getUint16(p + 2, le);
    if (code === OPT_ENDOFOPT) break;
    if (p + OPT_HEADER_LEN + len > optEnd) {
      throw st.formatError(p, `bad pcapng interface description block: option ${code} of ${len} bytes runs past the block end`);
    }
    // BOUNDS: checked by the option length test above.
    if (code === OPT_IF_TSRESOL && len === 1) {
      tsresol = st.buf[p + OPT_HEADER_LEN];
    } else if (code === OPT_IF_TSOFFSET && len === 8) {
      const first = p + OPT_HEADER_LEN;
      tsoffset = le
        ? dv.getInt32(first + 4, true) * 4294967296 + dv.getUint32(first, true)
        : dv.getInt32(first, false) * 4294967296 + dv.getUint32(first + 4, false);
    }
    p += OPT_HEADER_LEN + ((len + 3) & ~3);
  }
  sec.linkTypes.push(linkType);
  sec.snaplens.push(snaplen);
  sec.scales.push(new TimestampScale(tsresol, tsoffset));
}

/**
 * Delivers every complete pcapng block in `pos..end` (packets to the sink, IDBs and SHBs into
 * `sec`, others skipped by their length); returns the bytes needed from `pos` for the next block.
 */
function drainPcapng(st: ReadState, sec: PcapngSection, sink: FrameSink): number {
  const buf = st.buf;
  const dv = st.view;
  const end = st.end;
  let le = sec.le;
  let pos = st.pos;
  let frames = st.frames;
  let need = BLOCK_MIN_LEN;
  while (end - pos >= BLOCK_MIN_LEN) {
    // BOUNDS: checked by the loop condition (type, length and 4 more bytes are in the buffer).
    const type = dv.getUint32(pos, le);
    if (type === BLOCK_SHB) {
      const bom = dv.getUint32(pos + SHB_BYTE_ORDER, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
      else {
        st.frames = frames;
        throw st.formatError(pos, `bad pcapng section header block: byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
      }
    }
    const totalLen = dv.getUint32(pos + BLK_TOTAL_LEN, le);
    if (totalLen < BLOCK_MIN_LEN || (totalLen & 3) !== 0 || totalLen > MAX_RECORD_BYTES) {
      st.frames = frames;
      throw st.formatError(
        pos,
        `bad pcapng block (type 0x${type.toString(16)}): total length ${totalLen} is ${totalLen > MAX_RECORD_BYTES ? `larger than ${MAX_RECORD_BYTES}` : totalLen < BLOCK_MIN_LEN ? `below ${BLOCK_MIN_LEN}` : 'not a multiple of 4'}`,
      );
    }
    if (end - pos < totalLen) {
      need = totalLen;
      break;
    }
    // BOUNDS: checked by the whole-block test above.
    if (dv.getUint32(pos + totalLen - 4, le) !== totalLen) {
      st.frames = frames;
      throw st.formatError(
        pos,
        `bad pcapng block (type 0x${type.toString(16)}): trailing length ${dv.getUint32(pos + totalLen - 4, le)} differs from the leading ${totalLen}`,
      );
    }
    if (type === BLOCK_EPB || type === BLOCK_OPB) {
      // BOUNDS: the fixed part is checked by EPB_MIN_LEN, the data by the capLen test.
      const ifId = type === BLOCK_EPB ? dv.getUint32(pos + EPB_INTERFACE_ID, le) : dv.getUint16(pos + OPB_INTERFACE_ID, le);
      const capLen = totalLen < EPB_MIN_LEN ? -1 : dv.getUint32(pos + EPB_CAP_LEN, le);
      if (capLen < 0 || capLen > totalLen - EPB_MIN_LEN || ifId >= sec.linkTypes.length) {
        st.frames = frames;
        throw packetBlockError(st, sec, pos, type, totalLen, capLen, ifId);
      }
      const scale = sec.scales[ifId];
      scale.convert(dv.getUint32(pos + EPB_TS_HIGH, le), dv.getUint32(pos + EPB_TS_LOW, le));
      sink.onFrame(buf, pos + EPB_DATA, capLen, dv.getUint32(pos + EPB_ORIG_LEN, le), scale.sec, scale.nsec, sec.linkTypes[ifId]);
      frames++;
    } else if (type === BLOCK_SPB) {
      if (totalLen < SPB_MIN_LEN || sec.linkTypes.length === 0) {
        st.frames = frames;
        throw packetBlockError(st, sec, pos, type, totalLen, 0, 0);
      }
      // BOUNDS: checked by SPB_MIN_LEN; capLen is clamped to the room in the block.
      const origLen = dv.getUint32(pos + SPB_ORIG_LEN, le);
      const snaplen = sec.snaplens[0];
      let capLen = Math.min(origLen, totalLen - SPB_MIN_LEN);
      if (snaplen !== 0 && snaplen < capLen) capLen = snaplen;
      sink.onFrame(buf, pos + SPB_DATA, capLen, origLen, 0, 0, sec.linkTypes[0]);
      frames++;
    } else if (type === BLOCK_IDB) {
      st.frames = frames;
      addInterface(st, sec, pos, totalLen);
    } else if (type === BLOCK_SHB) {
      if (totalLen < SHB_MIN_LEN) {
        st.frames = frames;
        throw st.formatError(pos, `bad pcapng section header block: length ${totalLen} < ${SHB_MIN_LEN}`);
      }
      const major = dv.getUint16(pos + SHB_VERSION_MAJOR, le);
      if (major !== 1) {
        st.frames = frames;
        throw st.formatError(pos, `unsupported pcapng version ${major}.${dv.getUint16(pos + SHB_VERSION_MAJOR + 2, le)} (only 1.x is known)`);
      }
      sec.reset(le);
    }
    pos += totalLen;
  }
  sec.le = le;
  st.pos = pos;
  st.frames = frames;
  return need;
}

/** The error for a malformed EPB, OPB or SPB (off the hot path: only called to throw). */
function packetBlockError(
  st: ReadState,
  sec: PcapngSection,
  pos: number,
  type: number,
  totalLen: number,
  capLen: number,
  ifId: number,
): RstwatchError {
  const kind = type === BLOCK_EPB ? 'enhanced packet block' : type === BLOCK_OPB ? 'packet block' : 'simple packet block';
  const minLen = type === BLOCK_SPB ? SPB_MIN_LEN : EPB_MIN_LEN;
  if (totalLen < minLen) return st.formatError(pos, `bad pcapng ${kind}: length ${totalLen} < ${minLen}`);
  if (capLen > totalLen - minLen) {
    return st.formatError(pos, `bad pcapng ${kind}: captured length ${capLen} does not fit in the ${totalLen}-byte block`);
  }
  return st.formatError(
    pos,
    `bad pcapng ${kind}: interface ${ifId} is not declared in this section (it declares ${sec.linkTypes.length})`,
  );
}

function hexBytes(buf: Buffer, from: number, to: number): string {
  return [...buf.subarray(from, to)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Reads the capture at `path` ('-' = standard input, a pipe or a redirected file) and hands every
 * frame to `sink.onFrame`, in file order; see the module comment for buffer ownership.
 * Throws RstwatchError RSTWATCH_ERR_FILE_OPEN or RSTWATCH_ERR_CAPTURE_FORMAT; whatever the sink
 * throws is passed on unchanged.
 */
export async function readCaptureFile(path: string, sink: FrameSink, options: ReadOptions = {}): Promise<CaptureReadResult> {
  const bufferSize = Math.max(MIN_BUFFER_BYTES, Math.floor(options.bufferSize ?? DEFAULT_BUFFER_BYTES));
  const { source, totalBytes } = await openSource(path);
  try {
    const st = new ReadState(path, source, bufferSize, totalBytes, options.onProgress);
    await st.refill(PCAP_FILE_HEADER_LEN);
    if (st.end === 0) throw st.formatError(0, 'empty file (0 bytes)', MAGIC_HINT);
    const magicLe = st.end >= 4 ? st.view.getUint32(0, true) : -1;
    const magicBe = st.end >= 4 ? st.view.getUint32(0, false) : -1;
    let format: CaptureReadResult['format'];
    if (magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC || magicBe === PCAP_MAGIC_USEC || magicBe === PCAP_MAGIC_NSEC) {
      format = 'pcap';
      if (st.end < PCAP_FILE_HEADER_LEN) {
        throw st.formatError(0, `truncated pcap file header: ${st.end} of ${PCAP_FILE_HEADER_LEN} bytes`);
      }
      const file = parsePcapHeader(st, magicLe);
      st.pos = PCAP_FILE_HEADER_LEN;
      let need = drainPcap(st, file, sink);
      while (!st.eof) {
        await st.refill(need);
        need = drainPcap(st, file, sink);
      }
    } else if (magicLe === BLOCK_SHB) {
      format = 'pcapng';
      const sec = new PcapngSection();
      let need = drainPcapng(st, sec, sink);
      while (!st.eof) {
        await st.refill(need);
        need = drainPcapng(st, sec, sink);
      }
      if (st.base + st.pos === 0) {
        throw st.formatError(st.pos, `truncated pcapng section header block: ${st.end - st.pos} of ${need} bytes`);
      }
    } else {
      throw badMagic(st, magicLe, magicBe);
    }
    const warnings: string[] = [];
    const truncatedTail = st.pos < st.end;
    if (truncatedTail) {
      const msg = `${st.name}: the last record at byte offset ${st.base + st.pos} is cut short (${st.end - st.pos} bytes present); the ${st.frames} complete records before it were read`;
      warnings.push(msg);
      options.onWarning?.(msg);
    }
    return { path, format, frames: st.frames, bytesRead: st.bytesRead, truncatedTail, warnings };
  } finally {
    await source.close();
  }
}

/** The error for a file that starts with neither magic; names a pcapng block found out of place. */
function badMagic(st: ReadState, magicLe: number, magicBe: number): RstwatchError {
  if (st.end < 4) {
    return st.formatError(0, `truncated file header: only ${st.end} bytes (${hexBytes(st.buf, 0, st.end)})`, MAGIC_HINT);
  }
  for (const t of [magicLe, magicBe]) {
    if (t === BLOCK_EPB || t === BLOCK_SPB || t === BLOCK_OPB || t === BLOCK_IDB) {
      return st.formatError(0, `pcapng block of type ${t} before any section header block (a pcapng file starts with one)`);
    }
  }
  return st.formatError(
    0,
    `not a pcap or pcapng file: the first bytes are ${hexBytes(st.buf, 0, Math.min(st.end, 4))} (pcap starts with a1 b2 c3 d4 or a1 b2 3c 4d in either byte order, pcapng with 0a 0d 0d 0a)`,
    MAGIC_HINT,
  );
}
