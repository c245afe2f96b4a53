/**
 * BSD loopback headers: LINKTYPE_NULL (0), a 4-byte address family in the byte order of the host
 * that captured (so both orders are accepted), and LINKTYPE_LOOP (108, OpenBSD), the same family
 * always big-endian (tcpdump.org/linktypes/LINKTYPE_NULL.html).
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { readI32 } from './bytes.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** Length in bytes of the address-family header. */
const NULL_HEADER_LEN = 4;
/** AF_INET on every BSD. */
const BSD_AF_INET = 2;
/** AF_INET6 on NetBSD, OpenBSD and BSD/OS. */
const BSD_AF_INET6_BSD = 24;
/** AF_INET6 on FreeBSD. */
const BSD_AF_INET6_FREEBSD = 28;
/** AF_INET6 on macOS (Darwin). */
const BSD_AF_INET6_DARWIN = 30;

/** Decodes a LINKTYPE_NULL frame at `b[o]` (readable up to `end`) into `out`; returns a `DecodeStatus`. */
export function decodeNull(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < NULL_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
  // BOUNDS: checked by the NULL_HEADER_LEN check above.
  let family = readI32(b, o);
  // Families are small: set high bits mean the capturing host was little-endian (as tcpdump decides).
  if ((family & 0xffff0000) !== 0) family = b[o] | (b[o + 1] << 8);
  return decodeFamily(b, o + NULL_HEADER_LEN, end, family, out);
}

/** Decodes a LINKTYPE_LOOP frame at `b[o]` (readable up to `end`) into `out`; returns a `DecodeStatus`. */
export function decodeLoop(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < NULL_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
  // BOUNDS: checked by the NULL_HEADER_LEN check above.
  return decodeFamily(b, o + NULL_HEADER_LEN, end, readI32(b, o), out);
}

/** Decodes the packet after a loopback header by its BSD address family. */
function decodeFamily(b: Uint8Array, o: number, end: number, family: number, out: DecodedPacket): number {
  if (family === BSD_AF_INET) return decodeIpv4(b, o, end, out);
  if (family === BSD_AF_INET6_BSD || family === BSD_AF_INET6_FREEBSD || family === BSD_AF_INET6_DARWIN) {
    return decodeIpv6(b, o, end, out);
  }
  return DecodeStatus.SKIP_NOT_IP;
}
