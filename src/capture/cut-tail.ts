/**
 * A record or block that the end of the file cuts short: a capture ended mid-write (tcpdump killed,
 * `head -c`), which is a warning, or a length that lies, which is corruption. A lying length in the
 * middle of a file runs past its end too, and the records after it are then skipped as "the tail":
 * so the cut record must look like one that a longer file would complete. It is corruption when
 *
 * - its header cannot be true: pcap, a sub-second field over a second, a time more than
 *   MAX_BACK_STEP_SECONDS before the record before it, a captured length over the snapshot length
 *   (when one is set); pcapng, a block type that nothing defines, a block length below 12, not a
 *   multiple of 4 or over the limit, a packet block over its interface's snapshot length, an SHB
 *   of another major version. A rule that the file's own whole records broke is not held against
 *   its last record (some writers exceed their snapshot length, or write a fraction of a second);
 * - or its length is belied by the bytes that are there: a chain of plausible whole records or
 *   blocks, starting after its header, reaches exactly the end of the file (they are the records
 *   that the lie swallowed); for pcapng also a trailing length word that ends the block early.
 *
 * Both checks run once, at the end of the file, never per record. They allocate one byte per byte
 * of the cut record (at most MAX_RECORD_BYTES) for the chain search, which runs from the end of the
 * file backwards, so that it reads each byte position once.
 */

import { MAX_BACK_STEP_SECONDS, type PcapFile } from './pcap-drain.js';
import { PCAP_REC_CAP_LEN, PCAP_REC_ORIG_LEN, PCAP_REC_TS_FRAC, PCAP_REC_TS_SEC, PCAP_RECORD_HEADER_LEN } from './pcap-format.js';
import { badPacketHeader, packetBlockError } from './pcapng-drain.js';
import {
  BLK_TOTAL_LEN,
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_ISB,
  BLOCK_MIN_LEN,
  BLOCK_OPB,
  BLOCK_SHB,
  BLOCK_SPB,
  EPB_CAP_LEN,
  EPB_DATA,
  EPB_INTERFACE_ID,
  EPB_MIN_LEN,
  IDB_MIN_LEN,
  isDefinedBlockType,
  ISB_MIN_LEN,
  OPB_INTERFACE_ID,
  SHB_MIN_LEN,
  SHB_VERSION_MAJOR,
  SPB_MIN_LEN,
  SPB_ORIG_LEN,
} from './pcapng-format.js';
import type { PcapngSection } from './pcapng-section.js';
import { MAX_RECORD_BYTES, type ReadState } from './read-state.js';

/** How the errors of this module begin; the message ends with the cut record's offset. */
const CUT_PCAP = 'bad pcap record cut short by the end of the file';
const CUT_PCAPNG = 'bad pcapng block cut short by the end of the file';

/**
 * How far apart in time, in seconds, two neighbouring records of a chain found after a cut record
 * may be (one day): records swallowed by a lying length are of the same capture.
 */
const CHAIN_STEP_SECONDS = 86_400;

/** The sub-second field's limit: one second in the file's unit. A field equal to it is a writer's rounding. */
function fracLimit(f: PcapFile): number {
  return f.nsPerFrac === 1 ? 1e9 : 1e6;
}

/**
 * At the end of a pcap file whose last record, at `st.pos`, is cut short: throws
 * RSTWATCH_ERR_CAPTURE_FORMAT when the fields that are there cannot be true or whole records after
 * its header reach the end of the file (see the module comment); returns when it is a record that
 * a longer file would complete.
 */
export function checkCutRecord(st: ReadState, f: PcapFile): void {
  const dv = st.view;
  const pos = st.pos;
  const avail = st.end - pos;
  const le = f.le;
  // BOUNDS: each field is read only when `avail` covers it.
  if (avail >= PCAP_REC_TS_SEC + 4 && st.backSteps === 0) {
    const sec = dv.getUint32(pos + PCAP_REC_TS_SEC, le);
    if (sec < st.lastSec - MAX_BACK_STEP_SECONDS) {
      const days = Math.floor((st.lastSec - sec) / 86_400);
      throw st.formatError(pos, `${CUT_PCAP}: dated ${sec} s, ${days} days before the record before it (${st.lastSec} s)`);
    }
  }
  if (avail >= PCAP_REC_TS_FRAC + 4 && st.fracOverflows === 0) {
    const frac = dv.getUint32(pos + PCAP_REC_TS_FRAC, le);
    if (frac > fracLimit(f)) {
      throw st.formatError(pos, `${CUT_PCAP}: sub-second field ${frac} is over a second (${fracLimit(f)} ${f.nsPerFrac === 1 ? 'ns' : 'us'})`);
    }
  }
  if (avail >= PCAP_REC_CAP_LEN + 4) {
    const capLen = dv.getUint32(pos + PCAP_REC_CAP_LEN, le);
    if (capLen > f.maxCapLen) throw st.formatError(pos, `${CUT_PCAP}: captured length ${capLen} exceeds the ${f.maxCapLen}-byte limit`);
    if (f.snaplen !== 0 && capLen > f.snaplen && st.overSnaplen === 0) {
      throw st.formatError(pos, `${CUT_PCAP}: captured length ${capLen} exceeds the snapshot length ${f.snaplen}`);
    }
  }
  if (avail < PCAP_RECORD_HEADER_LEN) return;
  const chain = findRecordChain(st, f);
  if (chain >= 0) {
    throw st.formatError(
      pos,
      `${CUT_PCAP}: captured length ${dv.getUint32(pos + PCAP_REC_CAP_LEN, le)} runs past the end of the file, but whole records from byte offset ${st.base + chain} reach its end`,
    );
  }
}

/** findRecordChain's marks: a chain from here reaches the end; and its time goes forward on the way. */
const REACHES = 1;
const ADVANCES = 2;

/**
 * The buffer position of the first of a chain of plausible whole pcap records after the cut one's
 * first byte that ends exactly at `st.end`, or -1. Neighbours in the chain are dated within
 * CHAIN_STEP_SECONDS of each other; and either its first record is dated within that of the
 * record before the cut one (of the cut one itself when it is the file's first), or the chain's
 * time goes forward somewhere (a splice of another capture). Bytes of a packet rarely pass for
 * that. Walks the positions backwards from the end, marking those from which a chain reaches it,
 * so that each is looked at once.
 */
function findRecordChain(st: ReadState, f: PcapFile): number {
  const dv = st.view;
  const le = f.le;
  const pos = st.pos;
  const avail = st.end - pos;
  const marks = new Uint8Array(avail + 1);
  marks[avail] = REACHES;
  // BOUNDS: the cut record's header is in the buffer (checked by the caller); each candidate's by
  // the loop bound, and the next record's, which starts where a chain was found, by its own turn.
  const anchor = st.frames > 0 ? st.lastSec : dv.getUint32(pos + PCAP_REC_TS_SEC, le);
  let first = -1;
  for (let q = avail - PCAP_RECORD_HEADER_LEN; q >= 1; q--) {
    const next = plausibleRecordEnd(st, f, pos + q) - pos;
    if (next <= q || next > avail || marks[next] === 0) continue;
    const sec = dv.getUint32(pos + q + PCAP_REC_TS_SEC, le);
    let mark = REACHES;
    if (next < avail) {
      const nextSec = dv.getUint32(pos + next + PCAP_REC_TS_SEC, le);
      if (Math.abs(nextSec - sec) > CHAIN_STEP_SECONDS) continue;
      const later = nextSec > sec || (nextSec === sec && dv.getUint32(pos + next + PCAP_REC_TS_FRAC, le) > dv.getUint32(pos + q + PCAP_REC_TS_FRAC, le));
      if (later || (marks[next] & ADVANCES) !== 0) mark |= ADVANCES;
    }
    marks[q] = mark;
    if (Math.abs(sec - anchor) <= CHAIN_STEP_SECONDS || (mark & ADVANCES) !== 0) first = q;
  }
  return first < 0 ? -1 : pos + first;
}

/**
 * Where the pcap record at buffer position `at` (its header in the buffer) ends if its header could
 * be a packet's: at least one byte captured, no more than the original length, the file's limit
 * and, when one is set, its snapshot length; a fraction of a second not over a second (both unless
 * the file's whole records broke that rule). Else -1.
 */
function plausibleRecordEnd(st: ReadState, f: PcapFile, at: number): number {
  const dv = st.view;
  const le = f.le;
  // BOUNDS: checked by the caller (the header is in the buffer).
  const capLen = dv.getUint32(at + PCAP_REC_CAP_LEN, le);
  const origLen = dv.getUint32(at + PCAP_REC_ORIG_LEN, le);
  if (capLen === 0 || capLen > origLen || capLen > f.maxCapLen) return -1;
  if (f.snaplen !== 0 && capLen > f.snaplen && st.overSnaplen === 0) return -1;
  if (dv.getUint32(at + PCAP_REC_TS_FRAC, le) > fracLimit(f) && st.fracOverflows === 0) return -1;
  return at + PCAP_RECORD_HEADER_LEN + capLen;
}

/**
 * The buffer position of the first of a chain of plausible whole pcapng blocks after the cut one's
 * first byte that ends exactly at `st.end`, or -1; walked backwards as findRecordChain does.
 */
function findBlockChain(st: ReadState, sec: PcapngSection): number {
  const pos = st.pos;
  const avail = st.end - pos;
  const reaches = new Uint8Array(avail + 1);
  reaches[avail] = 1;
  let first = -1;
  for (let q = avail - BLOCK_MIN_LEN; q >= 1; q--) {
    const next = plausibleBlockEnd(st, sec, pos + q) - pos;
    if (next > q && next <= avail && reaches[next] === 1) {
      reaches[q] = 1;
      first = q;
    }
  }
  return first < 0 ? -1 : pos + first;
}

/**
 * At the end of a pcapng file whose last block, at `st.pos`, is cut short (its total length runs
 * past the end): throws RSTWATCH_ERR_CAPTURE_FORMAT when the fields that are there cannot be true,
 * when a trailing length word equal to its own end's distance from the block start ends the block
 * early (past its fixed part and a packet block's data: in a file cut short only an option could
 * hold such a word by chance), or when whole blocks after its header reach the end of the file.
 * Returns when the cut block is one that a longer file would complete.
 */
export function checkCutBlock(st: ReadState, sec: PcapngSection): void {
  const dv = st.view;
  const pos = st.pos;
  const le = sec.le;
  const avail = st.end - pos;
  if (avail < 4) return;
  // BOUNDS: each field is read only when `avail` covers it.
  const type = dv.getUint32(pos, le);
  if (!isDefinedBlockType(type)) throw st.formatError(pos, `${CUT_PCAPNG}: type 0x${type.toString(16)} is no block type the format defines`);
  // An SHB's byte order is told by a word after its length: deliverBlocks checked both when they were there.
  if (avail < BLOCK_MIN_LEN && type !== BLOCK_SHB && avail >= BLK_TOTAL_LEN + 4) {
    const totalLen = dv.getUint32(pos + BLK_TOTAL_LEN, le);
    if (totalLen < minBlockLen(type) || (totalLen & 3) !== 0 || totalLen > MAX_RECORD_BYTES) {
      throw st.formatError(pos, `${CUT_PCAPNG} (type 0x${type.toString(16)}): total length ${totalLen} cannot be true`);
    }
  }
  if (avail < EPB_DATA) return;
  const totalLen = dv.getUint32(pos + BLK_TOTAL_LEN, le);
  checkCutFixedPart(st, sec, type, totalLen);
  for (let len = shortestBlock(dv, pos, le, type, sec); len <= avail; len += 4) {
    if (dv.getUint32(pos + len - 4, le) === len) {
      throw st.formatError(
        pos,
        `bad pcapng block (type 0x${type.toString(16)}): total length ${totalLen} runs past the end of the file, but a whole block of ${len} bytes ends within it`,
      );
    }
  }
  const chain = findBlockChain(st, sec);
  if (chain >= 0) {
    throw st.formatError(
      pos,
      `${CUT_PCAPNG} (type 0x${type.toString(16)}): total length ${totalLen} runs past the end of the file, but whole blocks from byte offset ${st.base + chain} reach its end`,
    );
  }
}

/** Throws when the fixed part of the cut block at `st.pos` (its first EPB_DATA bytes in the buffer) cannot be true. */
function checkCutFixedPart(st: ReadState, sec: PcapngSection, type: number, totalLen: number): void {
  const dv = st.view;
  const pos = st.pos;
  const le = sec.le;
  // BOUNDS: checked by the caller (EPB_DATA bytes, the fixed part of every block type).
  if (type === BLOCK_EPB || type === BLOCK_OPB) {
    if (badPacketHeader(dv, pos, le, type, totalLen, sec.linkTypes.length)) throw packetBlockError(st, sec, type, totalLen);
    const ifId = type === BLOCK_EPB ? dv.getUint32(pos + EPB_INTERFACE_ID, le) : dv.getUint16(pos + OPB_INTERFACE_ID, le);
    const capLen = dv.getUint32(pos + EPB_CAP_LEN, le);
    const snaplen = sec.snaplens[ifId];
    if (snaplen !== 0 && capLen > snaplen && st.overSnaplen === 0) {
      throw st.formatError(pos, `${CUT_PCAPNG}: captured length ${capLen} exceeds the snapshot length ${snaplen} of interface ${ifId}`);
    }
  } else if (type === BLOCK_SHB && dv.getUint16(pos + SHB_VERSION_MAJOR, le) !== 1) {
    throw st.formatError(pos, `${CUT_PCAPNG}: section header block of version ${dv.getUint16(pos + SHB_VERSION_MAJOR, le)}.x`);
  }
}

/** The smallest total length a block of `type` can have: its fixed part and the trailing length. */
function minBlockLen(type: number): number {
  switch (type) {
    case BLOCK_EPB:
    case BLOCK_OPB:
      return EPB_MIN_LEN;
    case BLOCK_SPB:
      return SPB_MIN_LEN;
    case BLOCK_SHB:
      return SHB_MIN_LEN;
    case BLOCK_IDB:
      return IDB_MIN_LEN;
    case BLOCK_ISB:
      return ISB_MIN_LEN;
    default:
      return BLOCK_MIN_LEN;
  }
}

/**
 * Where the pcapng block at buffer position `at` ends if it is a plausible whole block in the
 * section's byte order (a defined type, a total length of at least its fixed part, a multiple of
 * 4, within the buffer and repeated at its end; a packet block whose header could be true), else -1.
 */
function plausibleBlockEnd(st: ReadState, sec: PcapngSection, at: number): number {
  const dv = st.view;
  const le = sec.le;
  if (st.end - at < BLOCK_MIN_LEN) return -1;
  // BOUNDS: checked above (type, length and one more word), then by the whole-block test.
  const type = dv.getUint32(at, le);
  const totalLen = dv.getUint32(at + BLK_TOTAL_LEN, le);
  if (!isDefinedBlockType(type) || totalLen < minBlockLen(type) || (totalLen & 3) !== 0 || totalLen > st.end - at) return -1;
  if (dv.getUint32(at + totalLen - 4, le) !== totalLen) return -1;
  if ((type === BLOCK_EPB || type === BLOCK_OPB) && badPacketHeader(dv, at, le, type, totalLen, sec.linkTypes.length)) return -1;
  return at + totalLen;
}

/**
 * The shortest the block at `pos` (its first EPB_DATA bytes in the buffer) can be: its fixed part
 * and trailing length, and for a packet block its data; where a search for its true end starts.
 */
function shortestBlock(dv: DataView, pos: number, le: boolean, type: number, sec: PcapngSection): number {
  switch (type) {
    case BLOCK_EPB:
    case BLOCK_OPB:
      return EPB_MIN_LEN + ((dv.getUint32(pos + EPB_CAP_LEN, le) + 3) & ~3);
    case BLOCK_SPB: {
      const snaplen = sec.snaplens.length > 0 ? sec.snaplens[0] : 0;
      const origLen = dv.getUint32(pos + SPB_ORIG_LEN, le);
      return SPB_MIN_LEN + ((Math.min(origLen, snaplen === 0 ? origLen : snaplen) + 3) & ~3);
    }
    case BLOCK_SHB:
    case BLOCK_IDB:
    case BLOCK_ISB:
      return minBlockLen(type);
    default:
      // NRB, custom and unknown blocks: at least one word of body (a record end, a PEN).
      return BLOCK_MIN_LEN + 4;
  }
}
