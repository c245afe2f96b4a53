/**
 * The classic pcap drain: the file header's per-file constants, and the loop that hands every
 * complete record in the read buffer to a FrameSink (both byte orders, micro- and nanosecond
 * timestamps; layout in src/capture/pcap-format.ts).
 *
 * Buffer ownership: the drain owns no buffer. It reads the ReadState's `buf` (src/capture/read-state.ts)
 * and hands the sink views into it, each valid only until `onFrame` returns. Per record nothing is
 * created: no object, closure, array or string; the byte order is a boolean fixed per file.
 */

import type { RstwatchError } from '../base/errors.js';
import type { FrameSink } from './frame-sink.js';
import {
  PCAP_HDR_LINKTYPE,
  PCAP_HDR_SNAPLEN,
  PCAP_LINKTYPE_MASK,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAP_MAX_SNAPLEN_FLOOR,
  PCAP_REC_CAP_LEN,
  PCAP_REC_ORIG_LEN,
  PCAP_REC_TS_FRAC,
  PCAP_REC_TS_SEC,
  PCAP_RECORD_HEADER_LEN,
} from './pcap-format.js';
import { MAX_RECORD_BYTES, type ReadState } from './read-state.js';

/** Classic pcap per-file constants, fixed by the file header. */
export interface PcapFile {
  readonly le: boolean;
  /** 1000 for microsecond files, 1 for nanosecond files. */
  readonly nsPerFrac: number;
  readonly snaplen: number;
  readonly maxCapLen: number;
  readonly linkType: number;
}

/** What `drainPcap` returns when it stopped at a record whose captured length is over the limit. */
const BAD_CAP_LEN = -1;

/**
 * How far back in time, in seconds, a record may be dated from the one before it and still be
 * taken for part of the same capture when the end of the file cuts it short (one day): clocks are
 * stepped back by NTP by seconds, by a time-zone mistake by hours. Forward there is no bound: a
 * clock set at boot jumps forward by decades (from 1970 or a firmware date), and merged captures
 * jump by years (zeek_smtp.pcap: 2009 to 2015).
 */
export const MAX_BACK_STEP_SECONDS = 86_400;

/** Parses the classic pcap file header at `st.pos` (already checked to be a pcap magic). */
export function parsePcapHeader(st: ReadState, magicLe: number): PcapFile {
  const le = magicLe === PCAP_MAGIC_USEC || magicLe === PCAP_MAGIC_NSEC;
  const magic = le ? magicLe : st.view.getUint32(st.pos, false);
  const dv = st.view;
  // BOUNDS: checked by the caller (the whole file header is in the buffer).
  const snaplen = dv.getUint32(st.pos + PCAP_HDR_SNAPLEN, le);
  const linkType = dv.getUint32(st.pos + PCAP_HDR_LINKTYPE, le) & PCAP_LINKTYPE_MASK;
  return {
    le,
    nsPerFrac: magic === PCAP_MAGIC_NSEC ? 1 : 1000,
    snaplen,
    maxCapLen: Math.min(Math.max(snaplen, PCAP_MAX_SNAPLEN_FLOOR), MAX_RECORD_BYTES - PCAP_RECORD_HEADER_LEN),
    linkType,
  };
}

/**
 * Delivers every complete pcap record in `pos..end`; returns the bytes needed from `pos` for the
 * next one. Throws RSTWATCH_ERR_CAPTURE_FORMAT at a record whose captured length is over the limit
 * or over its original length (pcap has nothing else to check a record's length against: a lie
 * would shift every record after it), after committing the records before it.
 */
export function drainPcap(st: ReadState, f: PcapFile, sink: FrameSink): number {
  const buf = st.buf;
  const dv = st.view;
  const end = st.end;
  const le = f.le;
  const nsPerFrac = f.nsPerFrac;
  const maxCapLen = f.maxCapLen;
  const linkType = f.linkType;
  // A snaplen of 0 limits nothing.
  const snaplen = f.snaplen === 0 ? Infinity : f.snaplen;
  let pos = st.pos;
  let frames = st.frames;
  let lastSec = st.lastSec;
  let overSnaplen = st.overSnaplen;
  let fracOverflows = st.fracOverflows;
  let backSteps = st.backSteps;
  let stepFromSec = st.stepFromSec;
  let need = PCAP_RECORD_HEADER_LEN;
  while (end - pos >= PCAP_RECORD_HEADER_LEN) {
    // BOUNDS: checked by the loop condition (a whole record header is in the buffer).
    const capLen = dv.getUint32(pos + PCAP_REC_CAP_LEN, le);
    const origLen = dv.getUint32(pos + PCAP_REC_ORIG_LEN, le);
    // Checked before the record's data is awaited: a length that lies is corruption wherever it
    // is, even in a record the end of the file cuts short.
    if (capLen > maxCapLen || capLen > origLen) {
      need = BAD_CAP_LEN;
      break;
    }
    const recLen = PCAP_RECORD_HEADER_LEN + capLen;
    if (end - pos < recLen) {
      need = recLen;
      break;
    }
    // BOUNDS: checked by the loop condition and the recLen test above.
    let tsSec = dv.getUint32(pos + PCAP_REC_TS_SEC, le);
    let tsNsec = dv.getUint32(pos + PCAP_REC_TS_FRAC, le) * nsPerFrac;
    if (tsNsec >= 1e9) {
      // An out-of-range fraction (a buggy writer): carry it into the seconds.
      tsSec += Math.floor(tsNsec / 1e9);
      tsNsec %= 1e9;
      fracOverflows++;
    }
    if (capLen > snaplen) overSnaplen++;
    if (tsSec < lastSec - MAX_BACK_STEP_SECONDS) {
      backSteps++;
      stepFromSec = lastSec;
    }
    lastSec = tsSec;
    sink.onFrame(buf, pos + PCAP_RECORD_HEADER_LEN, capLen, origLen, tsSec, tsNsec, linkType);
    frames++;
    pos += recLen;
  }
  st.commit(pos, frames);
  st.lastSec = lastSec;
  st.overSnaplen = overSnaplen;
  st.fracOverflows = fracOverflows;
  st.backSteps = backSteps;
  st.stepFromSec = stepFromSec;
  if (need === BAD_CAP_LEN) throw capLenError(st, f);
  return need;
}

/**
 * The error for the record at `st.pos`, whose captured length is over the limit or over its
 * original length (only called to throw).
 */
export function capLenError(st: ReadState, f: PcapFile): RstwatchError {
  // BOUNDS: checked by drainPcap's loop condition (a whole record header is in the buffer).
  const capLen = st.view.getUint32(st.pos + PCAP_REC_CAP_LEN, f.le);
  const origLen = st.view.getUint32(st.pos + PCAP_REC_ORIG_LEN, f.le);
  if (capLen <= f.maxCapLen) {
    return st.formatError(st.pos, `bad pcap record: captured length ${capLen} exceeds the original length ${origLen}`);
  }
  return st.formatError(
    st.pos,
    `bad pcap record: captured length ${capLen} exceeds the ${f.maxCapLen}-byte limit (the larger of the snapshot length ${f.snaplen} and ${PCAP_MAX_SNAPLEN_FLOOR}, at most ${MAX_RECORD_BYTES - PCAP_RECORD_HEADER_LEN})`,
  );
}
