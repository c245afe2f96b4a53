/** IPv6 header decoder (RFC 8200 section 3), with its extension headers walked by ipv6-ext.ts. */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { copyIpv6, readU16 } from './bytes.js';
import {
  IP_PROTO_ICMPV6,
  IP_PROTO_TCP,
  IPV6_DST,
  IPV6_HEADER_LEN,
  IPV6_HOP_LIMIT,
  IPV6_NEXT_HEADER,
  IPV6_PAYLOAD_LEN,
  IPV6_SRC,
  IPV6_VERSION,
} from './ip-header.js';
import { lastWalkFragmentIdLow16, lastWalkProtocol, walkIpv6Ext } from './ipv6-ext.js';
import { decodeTcp } from './tcp.js';
import { decodeIcmp6 } from './icmp.js';

/**
 * Decodes the IPv6 packet at `b[o]` (readable up to `end`) into `out`, walks its extension headers,
 * then decodes its TCP or ICMPv6 payload; returns a `DecodeStatus`.
 *
 * The payload length decides where the packet ends (Ethernet padding is ignored); a payload length
 * of 0 (a jumbogram, or a segmentation-offload super-packet) stands for the captured length.
 * `out.ipId` is the low 16 bits of the fragment header's identification, or 0 without one.
 */
export function decodeIpv6(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < IPV6_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_IP;
  // BOUNDS: checked by the IPV6_HEADER_LEN check above, for every fixed-header read below.
  if (b[o + IPV6_VERSION] >> 4 !== 6) return DecodeStatus.ERR_BAD_IP_VERSION;
  out.ipVersion = 6;
  out.ttl = b[o + IPV6_HOP_LIMIT];
  out.ipId = 0;
  copyIpv6(out.src, b, o + IPV6_SRC);
  copyIpv6(out.dst, b, o + IPV6_DST);
  const payloadStart = o + IPV6_HEADER_LEN;
  let payloadLen = readU16(b, o + IPV6_PAYLOAD_LEN);
  if (payloadLen === 0) payloadLen = end - payloadStart;
  const packetEnd = payloadStart + payloadLen;
  const readEnd = packetEnd < end ? packetEnd : end;
  const upper = walkIpv6Ext(b, payloadStart, readEnd, b[o + IPV6_NEXT_HEADER]);
  const fragmentIdLow16 = lastWalkFragmentIdLow16();
  if (fragmentIdLow16 >= 0) out.ipId = fragmentIdLow16;
  if (upper < 0) return extWalkStatus(~upper, packetEnd <= end);
  const protocol = lastWalkProtocol();
  if (protocol === IP_PROTO_TCP) return decodeTcp(b, upper, readEnd, packetEnd - upper, out);
  if (protocol === IP_PROTO_ICMPV6) return decodeIcmp6(b, upper, readEnd, out);
  return DecodeStatus.SKIP_NOT_TCP;
}

/** A failed walk's status: running past a payload length that was fully captured is a bad length. */
function extWalkStatus(status: number, payloadLenIsLimit: boolean): number {
  return status === DecodeStatus.ERR_TRUNCATED_IP && payloadLenIsLimit ? DecodeStatus.ERR_BAD_IP_LENGTH : status;
}
