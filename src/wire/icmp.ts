/**
 * ICMP destination-unreachable decoders: ICMPv4 type 3 (RFC 792) and ICMPv6 type 1 (RFC 4443
 * section 3.1), with the datagram they quote. Checksums are not verified (offload makes them wrong
 * on capture).
 *
 * RFC 792 asks only for the quoted IP header and the first 8 bytes of its payload, and routers
 * often quote no more: the quoted IP length may claim far more than is quoted, which is fine. The
 * 8 bytes hold the TCP ports and sequence number, all the tracker matches on.
 */
import { DecodedPacket, PacketKind } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { copyIpv4Mapped, copyIpv6, readI32, readU16 } from './bytes.js';
import {
  IP_PROTO_TCP,
  IPV4_DST,
  IPV4_FLAGS_FRAG_OFFSET,
  IPV4_FRAG_OFFSET_MASK,
  IPV4_MIN_HEADER_LEN,
  IPV4_PROTOCOL,
  IPV4_SRC,
  IPV4_VERSION_IHL,
  IPV6_DST,
  IPV6_HEADER_LEN,
  IPV6_NEXT_HEADER,
  IPV6_SRC,
  IPV6_VERSION,
} from './ip-header.js';
import { lastWalkProtocol, walkIpv6Ext } from './ipv6-ext.js';

/** Byte offsets within an ICMP / ICMPv6 error message, RFC 792 and RFC 4443 section 2.1. */
const ICMP_TYPE = 0;
const ICMP_CODE = 1;
/** Type, code, checksum and 4 unused (or MTU / pointer) bytes precede the quoted datagram. */
const ICMP_QUOTE = 8;
/** ICMPv4 destination unreachable (RFC 792). */
const ICMP4_DEST_UNREACH = 3;
/** ICMPv4 code "fragmentation needed and DF set" (RFC 792; RFC 1191 path MTU discovery). */
const ICMP4_CODE_FRAG_NEEDED = 4;
/** ICMPv6 destination unreachable (RFC 4443 section 3.1). */
const ICMP6_DEST_UNREACH = 1;

/** Bytes of the quoted TCP header RFC 792 guarantees: ports (4) and sequence number (4). */
const QUOTED_TCP_LEN = 8;
/** Offsets within the quoted TCP header, RFC 9293 section 3.1. */
const TCP_SRC_PORT = 0;
const TCP_DST_PORT = 2;
const TCP_SEQ = 4;

/**
 * Decodes the ICMPv4 message at `b[o]` (readable up to `end`): a type 3 quoting TCP fills the icmp
 * and quoted fields of `out` and returns `OK_ICMP_UNREACH`; code 4 returns `SKIP_ICMP_FRAG_NEEDED`,
 * other types `SKIP_NOT_TCP`.
 */
export function decodeIcmp4(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < ICMP_QUOTE) return DecodeStatus.ERR_TRUNCATED_ICMP;
  // BOUNDS: checked by the ICMP_QUOTE check above.
  if (b[o + ICMP_TYPE] !== ICMP4_DEST_UNREACH) return DecodeStatus.SKIP_NOT_TCP;
  const code = b[o + ICMP_CODE];
  if (code === ICMP4_CODE_FRAG_NEEDED) return DecodeStatus.SKIP_ICMP_FRAG_NEEDED;
  const q = o + ICMP_QUOTE;
  if (end - q < IPV4_MIN_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_ICMP;
  // BOUNDS: checked by the IPV4_MIN_HEADER_LEN check above, for the quoted fixed header.
  const versionIhl = b[q + IPV4_VERSION_IHL];
  const headerLen = (versionIhl & 0x0f) << 2;
  if (versionIhl >> 4 !== 4 || headerLen < IPV4_MIN_HEADER_LEN) return DecodeStatus.ERR_BAD_ICMP_QUOTE;
  if (b[q + IPV4_PROTOCOL] !== IP_PROTO_TCP) return DecodeStatus.SKIP_ICMP_NOT_TCP;
  if ((readU16(b, q + IPV4_FLAGS_FRAG_OFFSET) & IPV4_FRAG_OFFSET_MASK) !== 0) return DecodeStatus.SKIP_ICMP_NOT_TCP;
  const t = q + headerLen;
  if (end - t < QUOTED_TCP_LEN) return DecodeStatus.ERR_TRUNCATED_ICMP;
  out.quotedIpVersion = 4;
  copyIpv4Mapped(out.quotedSrc, b, q + IPV4_SRC);
  copyIpv4Mapped(out.quotedDst, b, q + IPV4_DST);
  return fillQuotedTcp(b, t, ICMP4_DEST_UNREACH, code, out);
}

/**
 * Decodes the ICMPv6 message at `b[o]` (readable up to `end`): a type 1 quoting TCP fills the icmp
 * and quoted fields of `out` and returns `OK_ICMP_UNREACH`; other types return `SKIP_NOT_TCP`. The
 * quoted packet's extension headers are walked like the outer ones.
 */
export function decodeIcmp6(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < ICMP_QUOTE) return DecodeStatus.ERR_TRUNCATED_ICMP;
  // BOUNDS: checked by the ICMP_QUOTE check above.
  if (b[o + ICMP_TYPE] !== ICMP6_DEST_UNREACH) return DecodeStatus.SKIP_NOT_TCP;
  const q = o + ICMP_QUOTE;
  if (end - q < IPV6_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_ICMP;
  // BOUNDS: checked by the IPV6_HEADER_LEN check above, for the quoted fixed header.
  if (b[q + IPV6_VERSION] >> 4 !== 6) return DecodeStatus.ERR_BAD_ICMP_QUOTE;
  const t = walkIpv6Ext(b, q + IPV6_HEADER_LEN, end, b[q + IPV6_NEXT_HEADER]);
  if (t < 0) return quoteWalkStatus(~t);
  if (lastWalkProtocol() !== IP_PROTO_TCP) return DecodeStatus.SKIP_ICMP_NOT_TCP;
  if (end - t < QUOTED_TCP_LEN) return DecodeStatus.ERR_TRUNCATED_ICMP;
  out.quotedIpVersion = 6;
  copyIpv6(out.quotedSrc, b, q + IPV6_SRC);
  copyIpv6(out.quotedDst, b, q + IPV6_DST);
  return fillQuotedTcp(b, t, ICMP6_DEST_UNREACH, b[o + ICMP_CODE], out);
}

/** Fills the icmp fields and the quoted TCP ports and sequence number; the caller checked 8 bytes at `t`. */
function fillQuotedTcp(b: Uint8Array, t: number, type: number, code: number, out: DecodedPacket): number {
  out.kind = PacketKind.IcmpUnreach;
  out.icmpType = type;
  out.icmpCode = code;
  // BOUNDS: checked by the callers' QUOTED_TCP_LEN check.
  out.quotedSrcPort = readU16(b, t + TCP_SRC_PORT);
  out.quotedDstPort = readU16(b, t + TCP_DST_PORT);
  out.quotedSeq = readI32(b, t + TCP_SEQ) >>> 0;
  return DecodeStatus.OK_ICMP_UNREACH;
}

/** The status of a failed walk of the quoted extension headers. */
function quoteWalkStatus(status: number): number {
  if (status === DecodeStatus.ERR_TRUNCATED_IP) return DecodeStatus.ERR_TRUNCATED_ICMP;
  // A quoted non-first fragment holds no TCP header to match.
  if (status === DecodeStatus.SKIP_FRAGMENT) return DecodeStatus.SKIP_ICMP_NOT_TCP;
  return status;
}
