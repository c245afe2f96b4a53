/**
 * The current pcapng section: its byte order and interfaces, and the blocks that set them, the
 * section header block (SHB) and the interface description block (IDB); layout in
 * src/capture/pcapng-format.ts.
 *
 * Buffer ownership: nothing here owns a buffer; the blocks are read in place in the ReadState's
 * `buf` (src/capture/read-state.ts). The section's arrays grow by one entry per IDB (at most
 * MAX_INTERFACES), never per packet, and are emptied by every SHB.
 */

import {
  BLOCK_IDB,
  IDB_LINKTYPE,
  IDB_MIN_LEN,
  IDB_OPTIONS,
  IDB_SNAPLEN,
  MAX_INTERFACES,
  OPT_ENDOFOPT,
  OPT_HEADER_LEN,
  OPT_IF_TSOFFSET,
  OPT_IF_TSRESOL,
  SHB_MIN_LEN,
  SHB_VERSION_MAJOR,
  TimestampScale,
  TSRESOL_DEFAULT,
} from './pcapng-format.js';
import type { ReadState } from './read-state.js';

/**
 * The interfaces of the current pcapng section, indexed by interface id; reset by every SHB.
 * Grows by one entry per IDB (not per packet).
 */
export class PcapngSection {
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

/**
 * Reads the SHB or IDB of `totalLen` bytes at `st.pos` into `sec` and steps past it. The block loop
 * has checked that the whole block is in the buffer, its lengths, and (for an SHB) its byte-order
 * magic, and has set `sec.le` to the block's byte order. Throws RSTWATCH_ERR_CAPTURE_FORMAT for a
 * bad block.
 */
export function readSectionBlock(st: ReadState, sec: PcapngSection, totalLen: number): void {
  const dv = st.view;
  const pos = st.pos;
  const le = sec.le;
  // BOUNDS: checked by the block loop (the whole block is in the buffer).
  const type = dv.getUint32(pos, le);
  if (type === BLOCK_IDB) {
    addInterface(st, sec, pos, totalLen);
  } else {
    if (totalLen < SHB_MIN_LEN) throw st.formatError(pos, `bad pcapng section header block: length ${totalLen} < ${SHB_MIN_LEN}`);
    // BOUNDS: checked by SHB_MIN_LEN above.
    const major = dv.getUint16(pos + SHB_VERSION_MAJOR, le);
    if (major !== 1) {
      throw st.formatError(pos, `unsupported pcapng version ${major}.${dv.getUint16(pos + SHB_VERSION_MAJOR + 2, le)} (only 1.x is known)`);
    }
    sec.reset(le);
  }
  st.pos = pos + totalLen;
}

/** Reads an IDB at `pos` (whole block in the buffer, length checked) into the section. */
function addInterface(st: ReadState, sec: PcapngSection, pos: number, totalLen: number): void {
  const dv = st.view;
  const le = sec.le;
  if (totalLen < IDB_MIN_LEN) throw st.formatError(pos, `bad pcapng interface description block: length ${totalLen} < ${IDB_MIN_LEN}`);
  if (sec.linkTypes.length >= MAX_INTERFACES) {
    throw st.formatError(pos, `pcapng interface description block beyond the ${MAX_INTERFACES} interfaces rstwatch reads in one section`);
  }
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
