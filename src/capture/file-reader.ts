/**
 * The capture-file reader: classic pcap (both byte orders, micro- and nanosecond) and pcapng
 * (several sections and interfaces, EPB, SPB, OPB), streamed from a file or standard input into a
 * FrameSink. This module opens the source, tells the format by its magic and runs that format's
 * drain to the end of input; the parts are in
 *   byte-source.ts     files and standard input, opened and read (RSTWATCH_ERR_FILE_OPEN)
 *   read-state.ts      the read buffers, the position in them, and the read-ahead
 *   pcap-drain.ts      classic pcap records handed to the sink
 *   pcapng-drain.ts    pcapng packet blocks handed to the sink
 *   pcapng-section.ts  pcapng section and interface blocks
 *   cut-tail.ts        a last record or block cut short: a capture cut short, or a length that lies
 *
 * Buffer ownership: the ReadState made here owns two read buffers (default 4 MiB each, plus a
 * 256 KiB reserve), reused for the whole file: records are handed on from one while the next chunk
 * of the file is read ahead into the other, then they swap. Every frame handed to `sink.onFrame` is
 * a view into the current one, valid only until `onFrame` returns; the next refill moves or
 * overwrites those bytes. A buffer grows only when one record is larger than it, and never beyond
 * MAX_RECORD_BYTES.
 *
 * Per record nothing is created: no object, closure, array or string. Header fields are read with
 * one DataView made per buffer; the byte order is a boolean fixed per file (pcap) or per section
 * (pcapng). There is one `await` per chunk, never one per record.
 *
 * Bad input throws RstwatchError (RSTWATCH_ERR_FILE_OPEN, RSTWATCH_ERR_CAPTURE_FORMAT) naming the
 * file and byte offset, after every frame before the fault was delivered. A length that cannot be
 * true is such a fault wherever it is (a captured length over the original length or the limit, a
 * block length that its trailing copy or the bytes at the end of the file belie). A last record
 * cut short is not an error: the complete records before it are delivered and a warning is
 * raised, as tcpdump and tshark do for an interrupted capture, unless its header cannot be true or
 * it swallowed whole records: a chain of them, in any layout, reaching the end of the file or a
 * record the end cuts short (src/capture/cut-tail.ts, swallowed-chain.ts). Capture times are
 * not judged, but one beyond the range of a date is unknown: such a frame is handed on with the
 * time of the frame before it, and a warning counts them and names the first.
 */

import { isRstwatchError, type RstwatchError } from '../base/errors.js';
import { type ByteSource, openSource } from './byte-source.js';
import { checkCutBlock, checkCutRecord } from './cut-tail.js';
import { type FrameSink, MAX_DATE_SECONDS } from './frame-sink.js';
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC } from './pcap-format.js';
import { drainPcap, parsePcapHeader } from './pcap-drain.js';
import { drainPcapng } from './pcapng-drain.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_OPB, BLOCK_SHB, BLOCK_SPB } from './pcapng-format.js';
import { PcapngSection } from './pcapng-section.js';
import { ReadState } from './read-state.js';

/** What one `readCaptureFile` call read. */
export interface CaptureReadResult {
  /** The path as given ('-' for standard input). */
  path: string;
  /** The container format found by its magic ('unknown' when a fault came before it was told). */
  format: 'pcap' | 'pcapng' | 'unknown';
  /** Frames handed to the sink. */
  frames: number;
  /** Bytes read from the file or stream. */
  bytesRead: number;
  /** True when the last record was cut short (the file ended inside it); a warning, not an error. */
  truncatedTail: boolean;
  /** Frames whose capture time lay beyond the range of a date: handed on with a known time instead. */
  outOfRangeTimes: number;
  /**
   * File offset of the fault that stopped the read (every frame before it was handed on); null when
   * the file was read to its end. Set only in the result given to `ReadOptions.onFault`.
   */
  stoppedAt: number | null;
  /** Human-readable warnings, each naming the file and a byte offset. */
  warnings: string[];
}

/** Tuning and callbacks of `readCaptureFile`. */
export interface ReadOptions {
  /** Read buffer size in bytes (default DEFAULT_READ_BUFFER_BYTES, at least MIN_BUFFER_BYTES). */
  bufferSize?: number;
  /** Progress after each buffer refill (at most once per refill); totalBytes is -1 when unknown (a pipe). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Called with each warning as it is raised (the same text is in `CaptureReadResult.warnings`). */
  onWarning?: (message: string) => void;
  /**
   * Called, before the error is thrown, with what was read of a file that a fault stopped after it
   * was opened (a corrupt record, a read error): its frames so far and `stoppedAt`.
   */
  onFault?: (partial: CaptureReadResult) => void;
}

/** Default size of a capture file's read buffer, in bytes (not the kernel's capture buffer of live). */
export const DEFAULT_READ_BUFFER_BYTES = 4 * 1024 * 1024;
/** Smallest read buffer accepted, in bytes; smaller `bufferSize` values are raised to it. */
export const MIN_BUFFER_BYTES = 64;
export { MAX_RECORD_BYTES } from './read-state.js';

const MAGIC_HINT = 'rstwatch reads pcap and pcapng files; convert others with `editcap -F pcap IN OUT`';

/**
 * Other formats a capture often comes in, told by their first bytes: what to call them and what to
 * do. Compressed captures are decompressed on the way in (`replay -` reads standard input).
 */
const OTHER_FORMATS: readonly { magic: readonly number[]; what: string; hint: string }[] = [
  { magic: [0x1f, 0x8b], what: 'a gzip-compressed file', hint: 'decompress it on the way in: `zcat FILE | rstwatch replay -`' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file', hint: 'decompress it on the way in: `zstdcat FILE | rstwatch replay -`' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file', hint: 'decompress it on the way in: `xzcat FILE | rstwatch replay -`' },
  { magic: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file', hint: 'decompress it on the way in: `bzcat FILE | rstwatch replay -`' },
  { magic: [0x73, 0x6e, 0x6f, 0x6f, 0x70, 0x00, 0x00, 0x00], what: 'a snoop capture', hint: 'convert it: `editcap -F pcap FILE OUT.pcap`' },
];

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
  const { source, totalBytes } = await openSource(path);
  try {
    return await readCaptureSource(path, source, totalBytes, sink, options);
  } finally {
    await source.close();
  }
}

/**
 * `readCaptureFile` over an open `source` of `totalBytes` bytes (-1 when unknown), named `path` in
 * messages; the caller closes it.
 */
export async function readCaptureSource(
  path: string,
  source: ByteSource,
  totalBytes: number,
  sink: FrameSink,
  options: ReadOptions = {},
): Promise<CaptureReadResult> {
  const bufferSize = Math.max(MIN_BUFFER_BYTES, Math.floor(options.bufferSize ?? DEFAULT_READ_BUFFER_BYTES));
  const st = new ReadState(path, source, bufferSize, totalBytes, options.onProgress);
  let format: CaptureReadResult['format'] = 'unknown';
  try {
    await st.refill(PCAP_FILE_HEADER_LEN);
    format = tellFormat(st);
    if (format === 'pcap') await readPcap(st, sink);
    else await readPcapng(st, sink);
  } catch (err) {
    if (isRstwatchError(err)) options.onFault?.(resultOf(st, path, format, []));
    throw err;
  }
  const warnings = readWarnings(st);
  for (const w of warnings) options.onWarning?.(w);
  return resultOf(st, path, format, warnings);
}

/** What was read so far: to the end, or (with st.faultAt set) to a fault. */
function resultOf(st: ReadState, path: string, format: CaptureReadResult['format'], warnings: string[]): CaptureReadResult {
  return {
    path,
    format,
    frames: st.frames,
    bytesRead: st.bytesRead,
    truncatedTail: st.faultAt < 0 && st.pos < st.end,
    outOfRangeTimes: st.farTimes,
    stoppedAt: st.faultAt < 0 ? null : st.faultAt,
    warnings,
  };
}

/** The format told by the magic of the bytes at the start of the buffer; throws for neither. */
function tellFormat(st: ReadState): 'pcap' | 'pcapng' {
  if (st.end === 0) throw st.formatError(0, 'empty file (0 bytes)', MAGIC_HINT);
  const magicLe = st.end >= 4 ? st.view.getUint32(0, true) : -1;
  const magicBe = st.end >= 4 ? st.view.getUint32(0, false) : -1;
  if (magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC || magicBe === PCAP_MAGIC_USEC || magicBe === PCAP_MAGIC_NSEC) return 'pcap';
  if (magicLe === BLOCK_SHB) return 'pcapng';
  throw badMagic(st, magicLe, magicBe);
}

/** Reads a classic pcap file to its end, from its file header at the start of the buffer. */
async function readPcap(st: ReadState, sink: FrameSink): Promise<void> {
  if (st.end < PCAP_FILE_HEADER_LEN) throw st.formatError(0, `truncated pcap file header: ${st.end} of ${PCAP_FILE_HEADER_LEN} bytes`);
  const file = parsePcapHeader(st, st.view.getUint32(0, true));
  st.pos = PCAP_FILE_HEADER_LEN;
  let need = drainPcap(st, file, sink);
  while (!st.eof) {
    await st.refill(need);
    need = drainPcap(st, file, sink);
  }
  if (st.pos < st.end) checkCutRecord(st, file);
}

/** Reads a pcapng file to its end, from its first section header block at the start of the buffer. */
async function readPcapng(st: ReadState, sink: FrameSink): Promise<void> {
  const sec = new PcapngSection();
  let need = drainPcapng(st, sec, sink);
  while (!st.eof) {
    await st.refill(need);
    need = drainPcapng(st, sec, sink);
  }
  if (st.base + st.pos === 0) {
    throw st.formatError(st.pos, `truncated pcapng section header block: ${st.end - st.pos} of ${need} bytes`);
  }
  if (st.pos < st.end) checkCutBlock(st, sec);
}

/** The warnings of a file read to its end: capture times beyond the range of a date, a last record cut short. */
function readWarnings(st: ReadState): string[] {
  const warnings: string[] = [];
  if (st.farTimes > 0) {
    warnings.push(
      `${st.name}: ${st.farTimes} frame${st.farTimes === 1 ? ' has' : 's have'} a capture time outside the range of a date (more than ${MAX_DATE_SECONDS} s from 1970), the first at byte offset ${st.firstFarTimeAt} (${st.firstFarTimeSec} s); they are counted like any other, but their time is unknown: each is given the time of the frame before it`,
    );
  }
  if (st.pos < st.end) {
    warnings.push(
      `${st.name}: the last record at byte offset ${st.base + st.pos} is cut short (${st.end - st.pos} bytes present); the ${st.frames} complete records before it were read`,
    );
  }
  return warnings;
}

/** The error for a file that starts with neither magic; names a pcapng block found out of place, or a format it recognises. */
function badMagic(st: ReadState, magicLe: number, magicBe: number): RstwatchError {
  if (st.end < 4) {
    return st.formatError(0, `truncated file header: only ${st.end} bytes (${hexBytes(st.buf, 0, st.end)})`, MAGIC_HINT);
  }
  for (const t of [magicLe, magicBe]) {
    if (t === BLOCK_EPB || t === BLOCK_SPB || t === BLOCK_OPB || t === BLOCK_IDB) {
      return st.formatError(0, `pcapng block of type ${t} before any section header block (a pcapng file starts with one)`);
    }
  }
  const other = OTHER_FORMATS.find((f) => f.magic.length <= st.end && f.magic.every((b, i) => st.buf[i] === b));
  return st.formatError(
    0,
    `not a pcap or pcapng file: the first bytes are ${hexBytes(st.buf, 0, Math.min(st.end, 4))}${other ? ` (${other.what})` : ''} (pcap starts with a1 b2 c3 d4 or a1 b2 3c 4d in either byte order, pcapng with 0a 0d 0d 0a)`,
    other ? other.hint : MAGIC_HINT,
  );
}
