/**
 * pcapng layout (draft-ietf-opsawg-pcapng, section numbers below) and the exact conversion of
 * pcapng timestamps to (seconds, nanoseconds).
 *
 * Every block is `type (u32) | total length (u32) | body | total length (u32)` in the byte order
 * of its section, which the Section Header Block's byte-order magic tells (section 3.1, 4.1).
 */

/** Section Header Block type; the same bytes in either byte order (section 4.1). */
export const BLOCK_SHB = 0x0a0d0d0a;
/** Interface Description Block type (section 4.2). */
export const BLOCK_IDB = 0x00000001;
/** Obsolete Packet Block type (appendix A). */
export const BLOCK_OPB = 0x00000002;
/** Simple Packet Block type (section 4.4). */
export const BLOCK_SPB = 0x00000003;
/** Name Resolution Block type (section 4.5); skipped by the reader. */
export const BLOCK_NRB = 0x00000004;
/** Interface Statistics Block type (section 4.6); skipped by the reader. */
export const BLOCK_ISB = 0x00000005;
/** Enhanced Packet Block type (section 4.3). */
export const BLOCK_EPB = 0x00000006;
/** Custom Block type, may be copied (section 4.8); skipped by the reader. */
export const BLOCK_CUSTOM = 0x00000bad;
/** Custom Block type, should not be copied (section 4.8); skipped by the reader. */
export const BLOCK_CUSTOM_NO_COPY = 0x40000bad;
/** Block types from here up are for local use (section 11.1); Apple's tcpdump writes 0x80000001. */
export const BLOCK_LOCAL_USE = 0x80000000;

/**
 * True for a block type that the draft's registry (section 11.1) or Wireshark's reader defines:
 * 1-10 (IDB to the decryption secrets block), 0x101-0x102 (Hone), 0x201-0x222 (Sysdig), the two
 * custom blocks, the SHB, and the local-use range. Any other type is no block a writer makes; the
 * reader still skips such a block by its length when it is whole, but one cut short by the end
 * of the file is taken for corruption.
 */
export function isDefinedBlockType(type: number): boolean {
  return (
    (type >= 1 && type <= 0x0a) ||
    (type >= 0x101 && type <= 0x102) ||
    (type >= 0x201 && type <= 0x222) ||
    type === BLOCK_CUSTOM ||
    type === BLOCK_CUSTOM_NO_COPY ||
    type === BLOCK_SHB ||
    type >= BLOCK_LOCAL_USE
  );
}

/** Byte-order magic of the SHB body, read as little-endian u32 when the section is little-endian. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** The same magic read as little-endian u32 from a big-endian section. */
export const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Block: byte offset of the 32-bit block type (section 3.1). */
export const BLK_TYPE = 0;
/** Block: byte offset of the 32-bit block total length, in bytes (section 3.1). */
export const BLK_TOTAL_LEN = 4;
/** Block: byte offset of the body (section 3.1). */
export const BLK_BODY = 8;
/** Smallest block: type, total length and the trailing total length, in bytes (section 3.1). */
export const BLOCK_MIN_LEN = 12;
/**
 * Largest block accepted, in bytes: Wireshark's limit (MAX_BLOCK_SIZE, 16 MiB). The draft sets
 * none; a larger length is treated as corruption.
 */
export const BLOCK_MAX_LEN = 16 * 1024 * 1024;

/** SHB: byte offset of the byte-order magic (section 4.1). */
export const SHB_BYTE_ORDER = 8;
/** SHB: byte offset of the 16-bit major version (1). */
export const SHB_VERSION_MAJOR = 12;
/** SHB: smallest total length, in bytes (no options). */
export const SHB_MIN_LEN = 28;

/**
 * Most interfaces one section may declare. The draft sets no limit (an EPB's interface id is 32
 * bits, an OPB's 16); each costs the reader about 200 bytes, so a file of nothing but IDBs would
 * otherwise grow memory with its size (800,000 IDBs, 25 MB: 230 MB). Captures hold a handful.
 */
export const MAX_INTERFACES = 65_536;

/** IDB: byte offset of the 16-bit LinkType (section 4.2). */
export const IDB_LINKTYPE = 8;
/** IDB: byte offset of the 32-bit SnapLen, in bytes (0 = no limit). */
export const IDB_SNAPLEN = 12;
/** IDB: byte offset of the options (section 4.2). */
export const IDB_OPTIONS = 16;
/** IDB: smallest total length, in bytes (no options). */
export const IDB_MIN_LEN = 20;

/** EPB: byte offset of the 32-bit Interface ID (section 4.3). */
export const EPB_INTERFACE_ID = 8;
/** EPB: byte offset of the upper 32 bits of the timestamp. */
export const EPB_TS_HIGH = 12;
/** EPB: byte offset of the lower 32 bits of the timestamp. */
export const EPB_TS_LOW = 16;
/** EPB: byte offset of the 32-bit Captured Packet Length, in bytes. */
export const EPB_CAP_LEN = 20;
/** EPB: byte offset of the 32-bit Original Packet Length, in bytes. */
export const EPB_ORIG_LEN = 24;
/** EPB: byte offset of the packet data. */
export const EPB_DATA = 28;
/** EPB: fixed part plus trailing length, in bytes: the smallest EPB. */
export const EPB_MIN_LEN = 32;

/**
 * OPB: byte offset of the 16-bit Interface ID (appendix A); the 16-bit drops count follows, and
 * from the timestamp on the layout is the EPB's.
 */
export const OPB_INTERFACE_ID = 8;

/** SPB: byte offset of the 32-bit Original Packet Length, in bytes (section 4.4). */
export const SPB_ORIG_LEN = 8;
/** SPB: byte offset of the packet data. */
export const SPB_DATA = 12;
/** SPB: fixed part plus trailing length, in bytes: the smallest SPB. */
export const SPB_MIN_LEN = 16;

/** ISB: smallest total length, in bytes: interface id and a 64-bit timestamp (section 4.6). */
export const ISB_MIN_LEN = 24;

/** Option header length: 16-bit code and 16-bit value length, in bytes (section 3.5). */
export const OPT_HEADER_LEN = 4;
/** opt_endofopt: ends an option list (section 3.5). */
export const OPT_ENDOFOPT = 0;
/** opt_comment: a UTF-8 comment, valid in every block (section 3.5). */
export const OPT_COMMENT = 1;
/** if_tsresol: 1 byte, timestamp resolution (section 4.2). */
export const OPT_IF_TSRESOL = 9;
/** if_tsoffset: signed 64-bit seconds added to every timestamp of the interface (section 4.2). */
export const OPT_IF_TSOFFSET = 14;
/** if_tsresol when absent: 10^-6 s, microseconds (section 4.2). */
export const TSRESOL_DEFAULT = 6;
/** if_tsresol high bit: the rest is a negative power of 2 rather than of 10 (section 4.2). */
export const TSRESOL_POW2_FLAG = 0x80;

const TWO_POW_32 = 4294967296;
const TWO_POW_16 = 65536;
/** 5^9: 10^9 = 2^9 * 5^9, so that power-of-2 fractions scale to nanoseconds with small products. */
const FIVE_POW_9 = 1953125;
/** Largest power-of-10 divisor taken in one long-division pass (must stay below 2^37). */
const MAX_POW10_STEP = 11;

const KIND_POW10 = 0;
const KIND_POW10_FINE = 1;
const KIND_POW2 = 2;

/**
 * How one interface's timestamp units become (seconds, nanoseconds), exactly, without BigInt and
 * without creating anything per packet: `convert` writes `sec` and `nsec` on this object, which
 * are valid until the next `convert`.
 *
 * Units are 10^-v or 2^-v s (if_tsresol). The 64-bit count arrives as two unsigned 32-bit halves
 * and is divided by long division in 16-bit digits, so every intermediate stays below 2^53.
 * Power-of-10 resolutions down to 10^-20 s and every power-of-2 resolution are exact; finer
 * powers of 10 (which no capture tool writes) truncate toward zero within a nanosecond.
 */
export class TimestampScale {
  /** Whole seconds since the Unix epoch of the last `convert`, if_tsoffset included. */
  sec = 0;
  /** Nanoseconds within that second (0..999_999_999) of the last `convert`. */
  nsec = 0;

  private readonly kind: number;
  /** POW10: 10^v; POW10_FINE: first divisor 10^min(v-9, 11); POW2: unused. */
  private readonly divisor: number;
  /** POW10: nanoseconds per unit 10^(9-v); POW10_FINE: 10^(v-20) or 1; POW2: unused. */
  private readonly factor: number;
  /** POW2: v, the number of fraction bits. */
  private readonly shift: number;
  private readonly offsetSec: number;
  private qHi = 0;
  private qLo = 0;
  private rem = 0;

  /**
   * @param tsresol the if_tsresol byte (TSRESOL_DEFAULT when the option is absent)
   * @param offsetSec if_tsoffset, whole seconds added to every converted timestamp
   */
  constructor(tsresol: number, offsetSec = 0) {
    const v = tsresol & 0x7f;
    this.offsetSec = offsetSec;
    this.shift = v;
    if ((tsresol & TSRESOL_POW2_FLAG) !== 0) {
      this.kind = KIND_POW2;
      this.divisor = 0;
      this.factor = 0;
    } else if (v <= 9) {
      this.kind = KIND_POW10;
      this.divisor = 10 ** v;
      this.factor = 10 ** (9 - v);
    } else {
      this.kind = KIND_POW10_FINE;
      this.divisor = 10 ** Math.min(v - 9, MAX_POW10_STEP);
      this.factor = v - 9 > MAX_POW10_STEP ? 10 ** (v - 9 - MAX_POW10_STEP) : 1;
    }
  }

  /**
   * Converts a timestamp of `hi * 2^32 + lo` units (both unsigned 32-bit) and stores the result
   * in `sec` and `nsec`.
   */
  convert(hi: number, lo: number): void {
    if (this.kind === KIND_POW10) {
      if (hi < 0x200000) {
        // The count is below 2^53: one exact division (% is exact on integers).
        const units = hi * TWO_POW_32 + lo;
        const r = units % this.divisor;
        this.sec = (units - r) / this.divisor + this.offsetSec;
        this.nsec = r * this.factor;
        return;
      }
      this.divmod(hi, lo, this.divisor);
      this.sec = this.qHi * TWO_POW_32 + this.qLo + this.offsetSec;
      this.nsec = this.rem * this.factor;
    } else if (this.kind === KIND_POW10_FINE) {
      // Drop the sub-nanosecond digits first (floor(floor(x/a)/b) = floor(x/(ab))), then split
      // the nanosecond count into seconds.
      this.divmod(hi, lo, this.divisor);
      if (this.factor !== 1) {
        const ns = Math.floor((this.qHi * TWO_POW_32 + this.qLo) / this.factor);
        this.sec = Math.floor(ns / 1e9) + this.offsetSec;
        this.nsec = ns % 1e9;
        return;
      }
      this.divmod(this.qHi, this.qLo, 1e9);
      this.sec = this.qHi * TWO_POW_32 + this.qLo + this.offsetSec;
      this.nsec = this.rem;
    } else {
      this.convertPow2(hi, lo);
    }
  }

  /** Units of 2^-v s: the integer part is a shift, the fraction is scaled by 10^9 / 2^v. */
  private convertPow2(hi: number, lo: number): void {
    const v = this.shift;
    let fracHi: number;
    let fracLo: number;
    if (v >= 64) {
      this.sec = 0;
      fracHi = hi;
      fracLo = lo;
    } else if (v >= 32) {
      const p = 2 ** (v - 32);
      const s = Math.floor(hi / p);
      this.sec = s;
      fracHi = hi - s * p;
      fracLo = lo;
    } else {
      const p = 2 ** v;
      const s = Math.floor(lo / p);
      this.sec = hi * 2 ** (32 - v) + s;
      fracHi = 0;
      fracLo = lo - s * p;
    }
    this.sec += this.offsetSec;
    if (v < 9) {
      this.nsec = Math.floor((fracLo * 1e9) / 2 ** v);
      return;
    }
    // nsec = floor(frac * 5^9 / 2^(v-9)), frac = fracHi * 2^32 + fracLo. Both partial products
    // stay below 2^53; the low 32 bits of the lower one only matter when the shift is < 32.
    const a = fracHi * FIVE_POW_9;
    const b = fracLo * FIVE_POW_9;
    const bLow = b % TWO_POW_32;
    const x = a + (b - bLow) / TWO_POW_32;
    const s = v - 9;
    this.nsec = s >= 32 ? Math.floor(x / 2 ** (s - 32)) : x * 2 ** (32 - s) + Math.floor(bLow / 2 ** s);
  }

  /**
   * Long division of `hi * 2^32 + lo` by `d` (an integer below 2^37) in 16-bit digits: quotient
   * in qHi/qLo, remainder in rem. Each partial dividend is below d * 2^16 < 2^53.
   */
  private divmod(hi: number, lo: number, d: number): void {
    let x = hi >>> 16;
    let r = x % d;
    const q3 = (x - r) / d;
    x = r * TWO_POW_16 + (hi & 0xffff);
    r = x % d;
    const q2 = (x - r) / d;
    x = r * TWO_POW_16 + (lo >>> 16);
    r = x % d;
    const q1 = (x - r) / d;
    x = r * TWO_POW_16 + (lo & 0xffff);
    r = x % d;
    const q0 = (x - r) / d;
    this.qHi = q3 * TWO_POW_16 + q2;
    this.qLo = q1 * TWO_POW_16 + q0;
    this.rem = r;
  }
}
