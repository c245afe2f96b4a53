/**
 * The IPv6 extension-header walk (RFC 8200 section 4), shared by the IPv6 decoder and the ICMPv6
 * quote decoder.
 *
 * The walk returns two more things than an offset: the upper-layer protocol and the fragment
 * identification. They are kept in module scratch (`walkProtocol`, `walkFragmentIdLow16`), read through
 * the functions below, and valid until the next walk: decoding is single-threaded and every walk
 * is read at once by its caller, so no object is made per packet.
 */
import { DecodeStatus } from './status.js';
import { readU16 } from './bytes.js';

/** Hop-by-hop options header (RFC 8200 section 4.3). */
const NH_HOP_BY_HOP = 0;
/** Routing header (RFC 8200 section 4.4). */
const NH_ROUTING = 43;
/** Fragment header (RFC 8200 section 4.5). */
const NH_FRAGMENT = 44;
/** Authentication header (RFC 4302 section 2). */
const NH_AUTH = 51;
/** Destination options header (RFC 8200 section 4.6). */
const NH_DEST_OPTS = 60;

/** Every extension header starts with next header (1 byte) and a length byte (RFC 8200 section 4). */
const EXT_NEXT_HEADER = 0;
const EXT_LEN = 1;
/** Smallest extension header, and the fixed size of the fragment header (RFC 8200 section 4.5). */
const EXT_MIN_LEN = 8;
/** Fragment offset (13 bits) and flags in the fragment header, RFC 8200 section 4.5. */
const FRAG_OFFSET_FLAGS = 2;
const FRAG_OFFSET_MASK = 0xfff8;
/** The fragment identification is bytes 4..7; its low 16 bits are bytes 6..7. */
const FRAG_ID_LOW16 = 6;

/**
 * Most extension headers walked before giving up with `ERR_IPV6_TOO_MANY_EXT`. RFC 8200 section
 * 4.1 allows each at most once (destination options twice): eight is room for every legal chain.
 */
export const MAX_IPV6_EXT_HEADERS = 8;

let walkProtocol = 0;
// Only the low 16 bits: a full 32-bit identification above 2^31 would be boxed on every store.
let walkFragmentIdLow16 = -1;

/** The upper-layer protocol number the last successful walk stopped at (6 TCP, 58 ICMPv6, 59 none, ...). */
export function lastWalkProtocol(): number {
  return walkProtocol;
}

/** The low 16 bits of the identification of the fragment header the last walk passed, or -1 if none. */
export function lastWalkFragmentIdLow16(): number {
  return walkFragmentIdLow16;
}

/**
 * Walks the extension headers that start at `b[o]` (the first one named by `nextHeader`) up to
 * `end`, and returns the offset of the upper-layer header, or the bitwise complement (`~status`,
 * always negative) of `ERR_TRUNCATED_IP` (a header runs past `end`), `ERR_IPV6_TOO_MANY_EXT` or
 * `SKIP_FRAGMENT` (a non-first fragment: no upper-layer header follows).
 */
export function walkIpv6Ext(b: Uint8Array, o: number, end: number, nextHeader: number): number {
  walkFragmentIdLow16 = -1;
  for (let count = 0; ; count++) {
    let headerLen: number;
    if (nextHeader === NH_HOP_BY_HOP || nextHeader === NH_ROUTING || nextHeader === NH_DEST_OPTS) {
      if (end - o < EXT_MIN_LEN) return ~DecodeStatus.ERR_TRUNCATED_IP;
      // BOUNDS: checked by the EXT_MIN_LEN check above. Length in 8-octet units, not counting the first.
      headerLen = (b[o + EXT_LEN] + 1) << 3;
    } else if (nextHeader === NH_FRAGMENT) {
      if (end - o < EXT_MIN_LEN) return ~DecodeStatus.ERR_TRUNCATED_IP;
      // BOUNDS: checked by the EXT_MIN_LEN check above.
      walkFragmentIdLow16 = readU16(b, o + FRAG_ID_LOW16);
      if ((readU16(b, o + FRAG_OFFSET_FLAGS) & FRAG_OFFSET_MASK) !== 0) return ~DecodeStatus.SKIP_FRAGMENT;
      headerLen = EXT_MIN_LEN;
    } else if (nextHeader === NH_AUTH) {
      if (end - o < EXT_MIN_LEN) return ~DecodeStatus.ERR_TRUNCATED_IP;
      // BOUNDS: checked by the EXT_MIN_LEN check above. Length in 4-octet units, minus 2 (RFC 4302 2.2).
      headerLen = (b[o + EXT_LEN] + 2) << 2;
    } else {
      walkProtocol = nextHeader;
      return o;
    }
    if (count === MAX_IPV6_EXT_HEADERS) return ~DecodeStatus.ERR_IPV6_TOO_MANY_EXT;
    if (end - o < headerLen) return ~DecodeStatus.ERR_TRUNCATED_IP;
    // BOUNDS: checked by the EXT_MIN_LEN check above.
    nextHeader = b[o + EXT_NEXT_HEADER];
    o += headerLen;
  }
}
