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
 *   blocks, of any layout, starts after its first byte and reaches the end of the file, or one
 *   more record or block that the end cuts short (they are the records that the lie swallowed:
 *   src/capture/swallowed-chain.ts); for pcapng also a trailing length word that ends the block
 *   early.
 *
 * Both checks run once, at the end of the file, never per record.
 */

import { MAX_BACK_STEP_SECONDS, type PcapFile } from './pcap-drain.js';
import { PCAP_REC_CAP_LEN, PCAP_REC_TS_FRAC, PCAP_REC_TS_SEC, PCAP_RECORD_HEADER_LEN } from './pcap-format.js';
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
  isDefinedBlockType,
  OPB_INTERFACE_ID,
  SHB_VERSION_MAJOR,
  SPB_MIN_LEN,
  SPB_ORIG_LEN,
} from './pcapng-format.js';
import type { PcapngSection } from './pcapng-section.js';
import { MAX_RECORD_BYTES, type ReadState } from './read-state.js';
import { type ChainLayout, findSwallowedChain, FOREIGN_CAP_LIMIT, minBlockLen, type SwallowedChain } from './swallowed-chain.js';

/** How the errors of this module begin; the message ends with the cut record's offset. */
const CUT_PCAP = 'bad pcap record cut short by the end of the file';
const CUT_PCAPNG = 'bad pcapng block cut short by the end of the file';

/** The sub-second field's limit: one second in the file's unit. A field equal to it is a writer's rounding. */
function fracLimit(f: PcapFile): number {
  return f.nsPerFrac === 1 ? 1e9 : 1e6;
}

/**
 * At the end of a pcap file whose last record, at `st.pos`, is cut short: throws
 * RSTWATCH_ERR_CAPTURE_FORMAT when the fields that are there cannot be true or whole records after
 * its first byte reach the end of the file, or one more that the end cuts short (see the module
 * comment); returns when it is a record that a longer file would complete.
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
  const own: ChainLayout = le ? 'pcap-le' : 'pcap-be';
  const lastSec = st.frames > 0 ? st.lastSec : dv.getUint32(pos + PCAP_REC_TS_SEC, le);
  const chain = findSwallowedChain(st, own, f.maxCapLen, { le, lastSec, stepFromSec: st.stepFromSec });
  if (chain !== null) {
    throw st.formatError(
      pos,
      `${CUT_PCAP}: captured length ${dv.getUint32(pos + PCAP_REC_CAP_LEN, le)} runs past the end of the file, but ${chainText(st, chain, own)}`,
    );
  }
}

/** What a chain found in a file of layout `own` is, for a message: "whole records from byte offset N reach its end". */
function chainText(st: ReadState, chain: SwallowedChain, own: ChainLayout): string {
  const l = chain.layout;
  const order = l.endsWith('-le') ? 'little-endian' : 'big-endian';
  const pcap = l.startsWith('pcap-');
  let what: string;
  if (own.startsWith('pcap-')) what = pcap ? (l === own ? 'records' : `${order} records`) : 'pcapng blocks';
  else what = pcap ? `${order} pcap records` : 'blocks';
  const to = chain.cutAt < 0 ? '' : ` to ${st.base + chain.cutAt}, then one cut short,`;
  return `whole ${what} from byte offset ${st.base + chain.at}${to} reach its end`;
}

/**
 * At the end of a pcapng file whose last block, at `st.pos`, is cut short (its total length runs
 * past the end): throws RSTWATCH_ERR_CAPTURE_FORMAT when the fields that are there cannot be true,
 * when a trailing length word equal to its own end's distance from the block start ends the block
 * early (past its fixed part and a packet block's data: in a file cut short only an option could
 * hold such a word by chance), or when whole records or blocks after its first byte reach the end
 * of the file (or one more that the end cuts short).
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
  const own: ChainLayout = le ? 'pcapng-le' : 'pcapng-be';
  const chain = findSwallowedChain(st, own, FOREIGN_CAP_LIMIT, null);
  if (chain !== null) {
    throw st.formatError(
      pos,
      `${CUT_PCAPNG} (type 0x${type.toString(16)}): total length ${totalLen} runs past the end of the file, but ${chainText(st, chain, own)}`,
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
