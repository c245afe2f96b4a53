/**
 * The records that a lying length swallowed: at the end of a file whose last record or block, at
 * `st.pos`, is cut short, a chain of plausible whole records or blocks that starts after its first
 * byte and runs to the end of the file, or to one more record or block that the end cuts short
 * (the file was itself cut short, or its own last record was). A record that a longer file would
 * complete holds only its own packet, in which such a chain is rare; a length that lies runs past
 * the end over records that the file still holds. src/capture/cut-tail.ts judges by it.
 *
 * The bytes swallowed need not be in the file's layout: a splice or a shift puts records of
 * another capture there, of the other byte order or the other format. So each position is tried as
 * a pcap record in either byte order and as a pcapng block in either byte order (a section header
 * block switches the order of the blocks after it), with the limits of no file in particular.
 *
 * - A pcap record of a chain: a captured length of 1 to `capLimit` bytes, no more than its original
 *   length, itself at most CHAIN_ORIG_LIMIT; a fraction of a second up to 10^9; dated within
 *   CHAIN_STEP_SECONDS of the next one. Bytes of a packet pass for such records (lengths, counts
 *   and zero padding are small numbers, read as times in 1970), so the chain must also look like
 *   a capture: its time goes forward from one whole record to the next, dated after 1970
 *   (CHAIN_EPOCH_SECONDS); or, in the file's own byte order, its first record is dated within a
 *   day of the file's own times (ChainAnchor) and, when it ends in a record cut short rather than
 *   at the end, after 1970.
 * - A pcapng block of a chain: a type the format defines (not one for local use, half of all
 *   values), a total length of at least its fixed part, a multiple of 4, repeated at its end; a
 *   packet block whose captured length fits and is no more than its original length (its
 *   interface is not judged: the chain may hold another section's IDBs). A length repeated at the
 *   end of the block is what a packet's bytes rarely hold.
 * - What cuts such a chain short: the first 4 or more bytes of a pcap record header, each field
 *   there as above and its captured length running past the end; the first 8 or more of a block,
 *   its type and length as above, running past the end.
 *
 * Runs once, at the end of the file, never per record: one byte of marks per byte of the cut
 * record (at most MAX_RECORD_BYTES), walked from the end backwards, so each position is read once.
 */

import { PCAP_MAX_SNAPLEN_FLOOR, PCAP_REC_CAP_LEN, PCAP_REC_ORIG_LEN, PCAP_REC_TS_FRAC, PCAP_REC_TS_SEC, PCAP_RECORD_HEADER_LEN } from './pcap-format.js';
import { badPacketHeader } from './pcapng-drain.js';
import {
  BLK_TOTAL_LEN,
  BLOCK_EPB,
  BLOCK_IDB,
  BLOCK_ISB,
  BLOCK_LOCAL_USE,
  BLOCK_MIN_LEN,
  BLOCK_OPB,
  BLOCK_SHB,
  BLOCK_SPB,
  BYTE_ORDER_MAGIC,
  BYTE_ORDER_MAGIC_SWAPPED,
  EPB_DATA,
  EPB_MIN_LEN,
  IDB_MIN_LEN,
  isDefinedBlockType,
  ISB_MIN_LEN,
  SHB_BYTE_ORDER,
  SHB_MIN_LEN,
  SPB_MIN_LEN,
} from './pcapng-format.js';
import { MAX_RECORD_BYTES, type ReadState } from './read-state.js';

/**
 * How far apart in time, in seconds, two neighbouring records of a chain may be (one day): records
 * swallowed by a lying length are of one capture.
 */
export const CHAIN_STEP_SECONDS = 86_400;

/**
 * Times before this, in seconds (1971), do not count as a chain's time going forward: a packet's
 * small numbers (lengths, counts, zero padding) read as times in 1970, always within a day of each
 * other. A capture dated 1970 (a device without a clock) is judged by its own times instead.
 */
const CHAIN_EPOCH_SECONDS = 365 * 86_400;

/** The largest sub-second field of a pcap record of no file in particular: a second in nanoseconds. */
const FRAC_LIMIT = 1e9;

/** The largest captured length of a pcap record of no file in particular: libpcap's limit, in bytes. */
export const FOREIGN_CAP_LIMIT = PCAP_MAX_SNAPLEN_FLOOR;

/**
 * The largest original length of a pcap record of a chain, in bytes: no link carries a larger
 * packet (Linux BIG TCP's GSO packets reach 512 KiB). A packet's counters, read as one, mostly
 * claim more (an sFlow sample's pool of packets, after its sequence number, source and length).
 */
const CHAIN_ORIG_LIMIT = 1024 * 1024;

/** What a chain is made of. */
export type ChainLayout = 'pcap-le' | 'pcap-be' | 'pcapng-le' | 'pcapng-be';

/** A chain of whole records or blocks found after the first byte of the cut one. */
export interface SwallowedChain {
  /** Buffer position of its first record or block. */
  at: number;
  /** The layout of its first record or block (a pcapng chain may change byte order at an SHB). */
  layout: ChainLayout;
  /** Buffer position of the record or block cut short by the end of the file that ends it; -1 when it ends exactly there. */
  cutAt: number;
}

/**
 * The times of a pcap file's own records that a chain in its byte order may be dated near instead
 * of going forward (see the module comment).
 */
export interface ChainAnchor {
  /** The file's byte order. */
  le: boolean;
  /** Seconds: the time of the record before the cut one (of the cut one when it is the first). */
  lastSec: number;
  /**
   * Seconds: the time of the record before the file's last step back in time of more than a day
   * (NaN when none): damage read as records dated 1970 hides the first behind it.
   */
  stepFromSec: number;
}

/** The smallest total length a block of `type` can have: its fixed part and the trailing length. */
export function minBlockLen(type: number): number {
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
 * The chain of plausible whole records or blocks that starts nearest after the first byte of the
 * record cut short at `st.pos` (preferring `own` at a tie) and reaches the end of the file, or a
 * record or block cut short by it; null when there is none. `capLimit` bounds a pcap record's
 * captured length; `anchor` is null for a pcapng file.
 */
export function findSwallowedChain(st: ReadState, own: ChainLayout, capLimit: number, anchor: ChainAnchor | null): SwallowedChain | null {
  const search = new ChainSearch(st.view, st.pos, st.end - st.pos, capLimit, anchor);
  const ownLe = own === 'pcap-le' || own === 'pcapng-le';
  let at = -1;
  let layout: ChainLayout = own;
  // BOUNDS: every candidate has at least 4 bytes before the end; each read is checked against `left` in ChainSearch.
  for (let q = search.avail - 4; q >= 1; q--) {
    // Every layout is marked at every position, whichever starts a chain.
    const pcapLe = search.pcap(q, true);
    const pcapBe = search.pcap(q, false);
    const block = search.pcapng(q, ownLe ? 'pcapng-le' : 'pcapng-be');
    let found: ChainLayout | null = block === own ? block : null;
    if (found === null && (pcapLe || pcapBe)) found = pcapLe && (ownLe || !pcapBe) ? 'pcap-le' : 'pcap-be';
    found ??= block;
    if (found !== null) {
      at = q;
      layout = found;
    }
  }
  if (at < 0) return null;
  return { at: st.pos + at, layout, cutAt: search.cutAt(at, layout) };
}

// ChainSearch's marks, per position: a chain of plausible records from there reaches the end of
// the file or a record that it cuts short (REACH), exactly the end (EXACT), and its time goes
// forward from one whole record to the next on the way, after 1970 (FORWARD); for little-endian
// pcap records, for big-endian ones shifted left by PCAP_BE_SHIFT; and for pcapng blocks in
// either byte order.
const PCAP_REACH = 1;
const PCAP_EXACT = 2;
const PCAP_FORWARD = 4;
const PCAP_BE_SHIFT = 3;
const PCAPNG_LE_REACH = 64;
const PCAPNG_BE_REACH = 128;

/** What ChainSearch.block finds at a position. */
const NO_BLOCK = 0;
const CUT_BLOCK = 1;
const CHAINED_BLOCK = 2;

/** The backward walk of findSwallowedChain over the `avail` bytes from buffer position `pos`. */
class ChainSearch {
  private readonly marks: Uint8Array;

  constructor(
    private readonly dv: DataView,
    private readonly pos: number,
    readonly avail: number,
    private readonly capLimit: number,
    private readonly anchor: ChainAnchor | null,
  ) {
    this.marks = new Uint8Array(avail + 1);
  }

  /**
   * Marks position `q` (relative to the cut record, at least 4 bytes before the end) as a pcap
   * record of byte order `le`, given the marks after it; true when a whole record there starts a
   * chain that looks like a capture (see the module comment).
   */
  pcap(q: number, le: boolean): boolean {
    const shift = le ? 0 : PCAP_BE_SHIFT;
    const reach = PCAP_REACH << shift;
    const exact = PCAP_EXACT << shift;
    const forward = PCAP_FORWARD << shift;
    const dv = this.dv;
    const at = this.pos + q;
    const left = this.avail - q;
    if (left < PCAP_RECORD_HEADER_LEN) {
      if (this.plausibleHeaderPart(at, left, le)) this.marks[q] |= reach;
      return false;
    }
    // BOUNDS: a whole record header is there (left >= 16).
    const sec = dv.getUint32(at + PCAP_REC_TS_SEC, le);
    const frac = dv.getUint32(at + PCAP_REC_TS_FRAC, le);
    const capLen = dv.getUint32(at + PCAP_REC_CAP_LEN, le);
    const origLen = dv.getUint32(at + PCAP_REC_ORIG_LEN, le);
    if (capLen === 0 || capLen > origLen || origLen > CHAIN_ORIG_LIMIT || capLen > this.capLimit || frac > FRAC_LIMIT) return false;
    const next = q + PCAP_RECORD_HEADER_LEN + capLen;
    if (next > this.avail) {
      this.marks[q] |= reach;
      return false;
    }
    let m = next === this.avail ? reach | exact : reach;
    if (next < this.avail) {
      const after = this.marks[next];
      if ((after & reach) === 0) return false;
      // BOUNDS: a position marked REACH has at least its seconds before the end; the rest is read when there.
      const nextAt = this.pos + next;
      const nextSec = dv.getUint32(nextAt + PCAP_REC_TS_SEC, le);
      if (Math.abs(nextSec - sec) > CHAIN_STEP_SECONDS) return false;
      // Marked and whole, the record there is one of the chain; else it is the one cut short.
      const nextWhole =
        this.avail - next >= PCAP_RECORD_HEADER_LEN && next + PCAP_RECORD_HEADER_LEN + dv.getUint32(nextAt + PCAP_REC_CAP_LEN, le) <= this.avail;
      const later = nextSec > sec || (nextSec === sec && nextWhole && dv.getUint32(nextAt + PCAP_REC_TS_FRAC, le) > frac);
      m |= (after & (exact | forward)) | (later && nextWhole && sec >= CHAIN_EPOCH_SECONDS ? forward : 0);
    }
    this.marks[q] |= m;
    if ((m & forward) !== 0) return true;
    return this.anchored(le, sec) && ((m & exact) !== 0 || sec >= CHAIN_EPOCH_SECONDS);
  }

  /** Whether the first `left` (4 to 15) bytes of a pcap record header at buffer position `at` could start a record the end cuts short. */
  private plausibleHeaderPart(at: number, left: number, le: boolean): boolean {
    // BOUNDS: each field is read only when `left` covers it.
    if (left >= PCAP_REC_TS_FRAC + 4 && this.dv.getUint32(at + PCAP_REC_TS_FRAC, le) > FRAC_LIMIT) return false;
    if (left < PCAP_REC_CAP_LEN + 4) return true;
    const capLen = this.dv.getUint32(at + PCAP_REC_CAP_LEN, le);
    return capLen !== 0 && capLen <= this.capLimit;
  }

  /** Whether a record dated `sec` in byte order `le` is dated within a day of the file's own times. */
  private anchored(le: boolean, sec: number): boolean {
    const a = this.anchor;
    if (a === null || a.le !== le) return false;
    return Math.abs(sec - a.lastSec) <= CHAIN_STEP_SECONDS || Math.abs(sec - a.stepFromSec) <= CHAIN_STEP_SECONDS;
  }

  /**
   * Marks position `q` as a pcapng block in either byte order (an SHB in the one its byte-order
   * magic gives), given the marks after it; returns the layout in which a whole block there starts
   * a chain (`prefer` when both do), or null.
   */
  pcapng(q: number, prefer: ChainLayout): ChainLayout | null {
    const left = this.avail - q;
    if (left < BLK_TOTAL_LEN + 4) return null;
    const at = this.pos + q;
    // BOUNDS: type and length are there (left >= 8); the byte-order magic when left >= 12.
    if (this.dv.getUint32(at, true) === BLOCK_SHB) {
      if (left < SHB_BYTE_ORDER + 4) return null;
      const bom = this.dv.getUint32(at + SHB_BYTE_ORDER, true);
      if (bom !== BYTE_ORDER_MAGIC && bom !== BYTE_ORDER_MAGIC_SWAPPED) return null;
      const le = bom === BYTE_ORDER_MAGIC;
      // The blocks before a section header block may be of either byte order.
      const found = this.block(q, le);
      if (found !== NO_BLOCK) this.marks[q] |= PCAPNG_LE_REACH | PCAPNG_BE_REACH;
      return found === CHAINED_BLOCK ? (le ? 'pcapng-le' : 'pcapng-be') : null;
    }
    const foundLe = this.block(q, true);
    const foundBe = this.block(q, false);
    if (foundLe !== NO_BLOCK) this.marks[q] |= PCAPNG_LE_REACH;
    if (foundBe !== NO_BLOCK) this.marks[q] |= PCAPNG_BE_REACH;
    if (foundLe === CHAINED_BLOCK && (foundBe !== CHAINED_BLOCK || prefer === 'pcapng-le')) return 'pcapng-le';
    return foundBe === CHAINED_BLOCK ? 'pcapng-be' : null;
  }

  /**
   * The block at position `q` in byte order `le`: a whole plausible block (a defined type not for
   * local use, a total length of at least its fixed part, a multiple of 4, repeated at its end; a
   * packet block whose header could be true) that the end of the file or a chain after it follows
   * (CHAINED_BLOCK), one that could be such a block cut short by the end (CUT_BLOCK), or neither.
   */
  private block(q: number, le: boolean): number {
    const dv = this.dv;
    const at = this.pos + q;
    const left = this.avail - q;
    // BOUNDS: checked by the caller (type and length); the rest against `left` below.
    const type = dv.getUint32(at, le);
    const totalLen = dv.getUint32(at + BLK_TOTAL_LEN, le);
    // A local-use type is half of all values: bytes of a packet pass for one too often.
    if (!isDefinedBlockType(type) || type >= BLOCK_LOCAL_USE || totalLen < minBlockLen(type) || (totalLen & 3) !== 0 || totalLen > MAX_RECORD_BYTES) {
      return NO_BLOCK;
    }
    const packet = type === BLOCK_EPB || type === BLOCK_OPB;
    // An interface id is not judged: the chain may hold the IDBs of another section.
    if (totalLen > left) return packet && left >= EPB_DATA && badPacketHeader(dv, at, le, type, totalLen, Infinity) ? NO_BLOCK : CUT_BLOCK;
    if (dv.getUint32(at + totalLen - 4, le) !== totalLen) return NO_BLOCK;
    if (packet && badPacketHeader(dv, at, le, type, totalLen, Infinity)) return NO_BLOCK;
    const next = q + totalLen;
    if (next < this.avail && (this.marks[next] & (le ? PCAPNG_LE_REACH : PCAPNG_BE_REACH)) === 0) return NO_BLOCK;
    return CHAINED_BLOCK;
  }

  /** Buffer position of the record or block cut short that ends the chain found at `q`; -1 when it ends exactly at the end. */
  cutAt(q: number, layout: ChainLayout): number {
    const dv = this.dv;
    let le = layout === 'pcap-le' || layout === 'pcapng-le';
    const pcap = layout === 'pcap-le' || layout === 'pcap-be';
    let p = q;
    for (;;) {
      const left = this.avail - p;
      if (left < (pcap ? PCAP_RECORD_HEADER_LEN : SHB_BYTE_ORDER + 4)) return this.pos + p;
      // BOUNDS: the header of each record or block of a chain that was found is there (checked above).
      if (!pcap && dv.getUint32(this.pos + p, true) === BLOCK_SHB) le = dv.getUint32(this.pos + p + SHB_BYTE_ORDER, true) === BYTE_ORDER_MAGIC;
      const len = pcap ? PCAP_RECORD_HEADER_LEN + dv.getUint32(this.pos + p + PCAP_REC_CAP_LEN, le) : dv.getUint32(this.pos + p + BLK_TOTAL_LEN, le);
      if (len === left) return -1;
      if (len > left) return this.pos + p;
      p += len;
    }
  }
}
