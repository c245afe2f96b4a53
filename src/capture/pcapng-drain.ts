/**
 * The pcapng drain: the loop that hands every packet block in the read buffer (EPB, OPB, SPB) to a
 * FrameSink, in several sections and interfaces, and skips unknown blocks by their length; the
 * section blocks (SHB, IDB) are read by src/capture/pcapng-section.ts. Layout in
 * src/capture/pcapng-format.ts.
 *
 * Buffer ownership: the drain owns no buffer. It reads the ReadState's `buf` (src/capture/read-state.ts)
 * and hands the sink views into it, each valid only until `onFrame` returns. Per block nothing is
 * created: no object, closure, array or string; the byte order is a boolean fixed per section.
 */

import type { RstwatchError } from '../base/errors.js';
import { type FrameSink, MAX_DATE_SECONDS, UNKNOWN_TIME_SECONDS } from './frame-sink.js';
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
  OPB_INTERFACE_ID,
  SHB_BYTE_ORDER,
  SPB_DATA,
  SPB_MIN_LEN,
  SPB_ORIG_LEN,
} from './pcapng-format.js';
import { type PcapngSection, readSectionBlock } from './pcapng-section.js';
import { MAX_RECORD_BYTES, type ReadState } from './read-state.js';

// Why `deliverBlocks` stopped, when not for want of bytes (then it returns the bytes it needs,
// always > 0). Each names the block at `st.pos`.
/** An SHB or IDB, whole in the buffer, with its lengths checked: for `readSectionBlock`. */
const STOP_SECTION_BLOCK = -1;
/** An SHB whose byte-order magic is neither order's. */
const STOP_BAD_BYTE_ORDER = -2;
/** A total length below the minimum, not a multiple of 4, or over MAX_RECORD_BYTES. */
const STOP_BAD_TOTAL_LEN = -3;
/** A trailing total length that differs from the leading one. */
const STOP_BAD_TRAILING_LEN = -4;
/** A packet block too short, with a captured length that does not fit or exceeds the original length, or of an undeclared interface. */
const STOP_BAD_PACKET_BLOCK = -5;

/**
 * Delivers every complete pcapng block in `pos..end` (packets to the sink, IDBs and SHBs into
 * `sec`, others skipped by their length); returns the bytes needed from `pos` for the next block.
 * Throws RSTWATCH_ERR_CAPTURE_FORMAT at a bad block, after committing the blocks before it.
 */
export function drainPcapng(st: ReadState, sec: PcapngSection, sink: FrameSink): number {
  for (;;) {
    const stop = deliverBlocks(st, sec, sink);
    if (stop > 0) return stop;
    // BOUNDS: checked by deliverBlocks' loop condition (type, length and 4 more bytes are in the buffer).
    const totalLen = st.view.getUint32(st.pos + BLK_TOTAL_LEN, sec.le);
    if (stop !== STOP_SECTION_BLOCK) throw blockError(st, sec, stop, totalLen);
    readSectionBlock(st, sec, totalLen);
  }
}

/**
 * The hot loop: hands on packet blocks and skips unknown ones until a block is not whole in the
 * buffer (returns the bytes it needs), or is a section block or bad (returns a STOP_* status).
 * Commits the position, the frame count and the byte order once, on return.
 */
function deliverBlocks(st: ReadState, sec: PcapngSection, sink: FrameSink): number {
  const buf = st.buf;
  const dv = st.view;
  const end = st.end;
  let le = sec.le;
  let pos = st.pos;
  let frames = st.frames;
  let overSnaplen = st.overSnaplen;
  let knownSec = st.knownSec;
  let knownNsec = st.knownNsec;
  let stop = BLOCK_MIN_LEN;
  while (end - pos >= BLOCK_MIN_LEN) {
    // BOUNDS: checked by the loop condition (type, length and 4 more bytes are in the buffer).
    const type = dv.getUint32(pos, le);
    if (type === BLOCK_SHB) {
      const order = sectionByteOrder(dv, pos);
      if (order < 0) {
        stop = STOP_BAD_BYTE_ORDER;
        break;
      }
      le = order === 1;
    }
    const lengths = checkLengths(dv, pos, end, le);
    if (lengths !== 0) {
      stop = lengths;
      break;
    }
    // BOUNDS: checked by checkLengths (the whole block is in the buffer).
    const totalLen = dv.getUint32(pos + BLK_TOTAL_LEN, le);
    if (type === BLOCK_EPB || type === BLOCK_OPB) {
      if (totalLen < EPB_MIN_LEN || badPacketHeader(dv, pos, le, type, totalLen, sec.linkTypes.length)) {
        stop = STOP_BAD_PACKET_BLOCK;
        break;
      }
      // BOUNDS: the fixed part is checked by EPB_MIN_LEN, the data by badPacketHeader.
      const ifId = type === BLOCK_EPB ? dv.getUint32(pos + EPB_INTERFACE_ID, le) : dv.getUint16(pos + OPB_INTERFACE_ID, le);
      const scale = sec.scales[ifId];
      scale.convert(dv.getUint32(pos + EPB_TS_HIGH, le), dv.getUint32(pos + EPB_TS_LOW, le));
      if (scale.sec > MAX_DATE_SECONDS || scale.sec < -MAX_DATE_SECONDS) {
        // A time no date holds is unknown: the frame takes the last known one, or else one near it.
        st.noteFarTime(pos, scale.sec);
        if (Number.isNaN(knownSec)) {
          knownSec = timeNear(st, sec, pos + totalLen);
          knownNsec = st.knownNsec;
        }
      } else {
        knownSec = scale.sec;
        knownNsec = scale.nsec;
      }
      const capLen = dv.getUint32(pos + EPB_CAP_LEN, le);
      if (capLen > sec.snaplens[ifId] && sec.snaplens[ifId] !== 0) overSnaplen++;
      sink.onFrame(buf, pos + EPB_DATA, capLen, dv.getUint32(pos + EPB_ORIG_LEN, le), knownSec, knownNsec, sec.linkTypes[ifId]);
      frames++;
    } else if (type === BLOCK_SPB) {
      if (totalLen < SPB_MIN_LEN || sec.linkTypes.length === 0) {
        stop = STOP_BAD_PACKET_BLOCK;
        break;
      }
      // BOUNDS: checked by SPB_MIN_LEN; capLen is clamped to the room in the block.
      const origLen = dv.getUint32(pos + SPB_ORIG_LEN, le);
      const snaplen = sec.snaplens[0];
      let capLen = Math.min(origLen, totalLen - SPB_MIN_LEN);
      if (snaplen !== 0 && snaplen < capLen) capLen = snaplen;
      sink.onFrame(buf, pos + SPB_DATA, capLen, origLen, 0, 0, sec.linkTypes[0]);
      frames++;
    } else if (type === BLOCK_IDB || type === BLOCK_SHB) {
      stop = STOP_SECTION_BLOCK;
      break;
    }
    pos += totalLen;
  }
  sec.le = le;
  st.commit(pos, frames);
  st.overSnaplen = overSnaplen;
  st.knownSec = knownSec;
  st.knownNsec = knownNsec;
  return stop;
}

/**
 * The capture time, whole seconds, that a frame whose own time lies beyond the range of a date is
 * given when no frame before it in the file had a known one (off the hot path: only for such a
 * frame); its nanoseconds are left in `st.knownNsec`. That is the time of the first packet block
 * after it, from buffer position `from`, whose time is known, among the whole blocks of this
 * section in the buffer; failing one, UNKNOWN_TIME_SECONDS. Later frames of unknown time take the
 * time of the last known frame before them (deliverBlocks). So a frame whose time cannot be true
 * adds no time to a latency, fires no attempt timeout and stretches no time span.
 */
function timeNear(st: ReadState, sec: PcapngSection, from: number): number {
  const dv = st.view;
  const le = sec.le;
  for (let p = from; st.end - p >= BLOCK_MIN_LEN;) {
    // BOUNDS: type and length checked by the loop condition; the rest of the block by the whole-block test.
    const type = dv.getUint32(p, le);
    const len = dv.getUint32(p + BLK_TOTAL_LEN, le);
    if (type === BLOCK_SHB || type === BLOCK_IDB || len < BLOCK_MIN_LEN || (len & 3) !== 0 || len > st.end - p) break;
    if ((type === BLOCK_EPB || type === BLOCK_OPB) && len >= EPB_MIN_LEN && !badPacketHeader(dv, p, le, type, len, sec.linkTypes.length)) {
      const scale = sec.scales[type === BLOCK_EPB ? dv.getUint32(p + EPB_INTERFACE_ID, le) : dv.getUint16(p + OPB_INTERFACE_ID, le)];
      scale.convert(dv.getUint32(p + EPB_TS_HIGH, le), dv.getUint32(p + EPB_TS_LOW, le));
      if (scale.sec <= MAX_DATE_SECONDS && scale.sec >= -MAX_DATE_SECONDS) {
        st.knownNsec = scale.nsec;
        return scale.sec;
      }
    }
    p += len;
  }
  st.knownNsec = 0;
  return UNKNOWN_TIME_SECONDS;
}

/**
 * 0 when the block at `pos` (its first BLOCK_MIN_LEN bytes before `end`) is whole in the buffer
 * with a sound length, repeated at its end; else why not: STOP_BAD_TOTAL_LEN, STOP_BAD_TRAILING_LEN,
 * or the total length, which runs past `end` (the bytes the block needs).
 */
function checkLengths(dv: DataView, pos: number, end: number, le: boolean): number {
  // BOUNDS: checked by the caller (type, length and 4 more bytes), then by the whole-block test.
  const totalLen = dv.getUint32(pos + BLK_TOTAL_LEN, le);
  if (totalLen < BLOCK_MIN_LEN || (totalLen & 3) !== 0 || totalLen > MAX_RECORD_BYTES) return STOP_BAD_TOTAL_LEN;
  if (end - pos < totalLen) return totalLen;
  return dv.getUint32(pos + totalLen - 4, le) === totalLen ? 0 : STOP_BAD_TRAILING_LEN;
}

/** The byte order of the SHB at `pos` (its first 12 bytes in the buffer): 1 little-endian, 0 big-endian, -1 neither magic. */
function sectionByteOrder(dv: DataView, pos: number): number {
  // BOUNDS: checked by the caller.
  const bom = dv.getUint32(pos + SHB_BYTE_ORDER, true);
  return bom === BYTE_ORDER_MAGIC ? 1 : bom === BYTE_ORDER_MAGIC_SWAPPED ? 0 : -1;
}

/**
 * True when the fixed part of the EPB or OPB at `pos` (its first EPB_DATA bytes, which must be in
 * the buffer) cannot be true: a captured length that does not fit in the block's `totalLen` bytes
 * or exceeds the original length, or an interface not among the section's `interfaces`.
 */
export function badPacketHeader(dv: DataView, pos: number, le: boolean, type: number, totalLen: number, interfaces: number): boolean {
  const ifId = type === BLOCK_EPB ? dv.getUint32(pos + EPB_INTERFACE_ID, le) : dv.getUint16(pos + OPB_INTERFACE_ID, le);
  const capLen = dv.getUint32(pos + EPB_CAP_LEN, le);
  return capLen > totalLen - EPB_MIN_LEN || capLen > dv.getUint32(pos + EPB_ORIG_LEN, le) || ifId >= interfaces;
}

/**
 * The error for the bad block at `st.pos`, of `totalLen` bytes as its header says, that stopped
 * `deliverBlocks` (off the hot path: only called to throw).
 */
function blockError(st: ReadState, sec: PcapngSection, stop: number, totalLen: number): RstwatchError {
  const dv = st.view;
  const pos = st.pos;
  const le = sec.le;
  // BOUNDS: checked by deliverBlocks' loop condition (type, length and 4 more bytes are in the buffer).
  const type = dv.getUint32(pos, le);
  if (stop === STOP_BAD_BYTE_ORDER) {
    const bom = dv.getUint32(pos + SHB_BYTE_ORDER, true);
    return st.formatError(pos, `bad pcapng section header block: byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
  }
  if (stop === STOP_BAD_TOTAL_LEN) {
    return st.formatError(
      pos,
      `bad pcapng block (type 0x${type.toString(16)}): total length ${totalLen} is ${totalLen > MAX_RECORD_BYTES ? `larger than ${MAX_RECORD_BYTES}` : totalLen < BLOCK_MIN_LEN ? `below ${BLOCK_MIN_LEN}` : 'not a multiple of 4'}`,
    );
  }
  if (stop === STOP_BAD_TRAILING_LEN) {
    // BOUNDS: checked by deliverBlocks' whole-block test.
    return st.formatError(
      pos,
      `bad pcapng block (type 0x${type.toString(16)}): trailing length ${dv.getUint32(pos + totalLen - 4, le)} differs from the leading ${totalLen}`,
    );
  }
  return packetBlockError(st, sec, type, totalLen);
}

/** The error for the malformed EPB, OPB or SPB at `st.pos`, its fixed part in the buffer (only called to throw). */
export function packetBlockError(st: ReadState, sec: PcapngSection, type: number, totalLen: number): RstwatchError {
  const dv = st.view;
  const pos = st.pos;
  const kind = type === BLOCK_EPB ? 'enhanced packet block' : type === BLOCK_OPB ? 'packet block' : 'simple packet block';
  const minLen = type === BLOCK_SPB ? SPB_MIN_LEN : EPB_MIN_LEN;
  if (totalLen < minLen) return st.formatError(pos, `bad pcapng ${kind}: length ${totalLen} < ${minLen}`);
  // BOUNDS: checked by minLen above.
  const capLen = type === BLOCK_SPB ? 0 : dv.getUint32(pos + EPB_CAP_LEN, sec.le);
  if (capLen > totalLen - minLen) {
    return st.formatError(pos, `bad pcapng ${kind}: captured length ${capLen} does not fit in the ${totalLen}-byte block`);
  }
  // BOUNDS: checked by minLen above.
  const origLen = type === BLOCK_SPB ? capLen : dv.getUint32(pos + EPB_ORIG_LEN, sec.le);
  if (capLen > origLen) return st.formatError(pos, `bad pcapng ${kind}: captured length ${capLen} exceeds the original length ${origLen}`);
  const ifId = type === BLOCK_SPB ? 0 : type === BLOCK_EPB ? dv.getUint32(pos + EPB_INTERFACE_ID, sec.le) : dv.getUint16(pos + OPB_INTERFACE_ID, sec.le);
  return st.formatError(pos, `bad pcapng ${kind}: interface ${ifId} is not declared in this section (it declares ${sec.linkTypes.length})`);
}
