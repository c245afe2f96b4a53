/**
 * IPv4 header decoder (RFC 791 section 3.1). The header checksum is not verified: offload makes
 * it wrong on the capturing host, and the tracker cannot use a verdict on it.
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { copyIpv4Mapped, readU16 } from './bytes.js';
import {
  IP_PROTO_ICMP,
  IP_PROTO_TCP,
  IPV4_DST,
  IPV4_FLAGS_FRAG_OFFSET,
  IPV4_FRAG_OFFSET_MASK,
  IPV4_ID,
  IPV4_MIN_HEADER_LEN,
  IPV4_PROTOCOL,
  IPV4_SRC,
  IPV4_TOTAL_LEN,
  IPV4_TTL,
  IPV4_VERSION_IHL,
} from './ip-header.js';
import { decodeTcp } from './tcp.js';
import { decodeIcmp4 } from './icmp.js';

/**
 * Decodes the IPv4 datagram at `b[o]` (readable up to `end`) into `out`, then its TCP or ICMP
 * payload, and returns a `DecodeStatus`.
 *
 * The total length decides where the datagram ends, so Ethernet padding after it is ignored; a
 * total length beyond the captured bytes (a snapshot length cut) is fine as long as the headers
 * the tracker needs were captured. A total length of 0 is what TCP segmentation offload leaves in
 * captures of outgoing super-segments: the captured length stands in for it (as in Wireshark).
 * A first fragment decodes its TCP header (its payload length is this fragment's); later
 * fragments carry none and return `SKIP_FRAGMENT`.
 */
export function decodeIpv4(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  const capturedLen = end - o;
  if (capturedLen < IPV4_MIN_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_IP;
  // BOUNDS: checked by the IPV4_MIN_HEADER_LEN check above, for every fixed-header read below.
  const versionIhl = b[o + IPV4_VERSION_IHL];
  if (versionIhl >> 4 !== 4) return DecodeStatus.ERR_BAD_IP_VERSION;
  const headerLen = (versionIhl & 0x0f) << 2;
  let totalLen = readU16(b, o + IPV4_TOTAL_LEN);
  if (totalLen === 0) totalLen = capturedLen;
  if (headerLen < IPV4_MIN_HEADER_LEN || headerLen > totalLen) return DecodeStatus.ERR_BAD_IPV4_HEADER_LEN;
  if (headerLen > capturedLen) return DecodeStatus.ERR_TRUNCATED_IP;
  out.ipVersion = 4;
  out.ttl = b[o + IPV4_TTL];
  out.ipId = readU16(b, o + IPV4_ID);
  copyIpv4Mapped(out.src, b, o + IPV4_SRC);
  copyIpv4Mapped(out.dst, b, o + IPV4_DST);
  if ((readU16(b, o + IPV4_FLAGS_FRAG_OFFSET) & IPV4_FRAG_OFFSET_MASK) !== 0) return DecodeStatus.SKIP_FRAGMENT;
  const protocol = b[o + IPV4_PROTOCOL];
  const datagramEnd = totalLen < capturedLen ? o + totalLen : end;
  if (protocol === IP_PROTO_TCP) return decodeTcp(b, o + headerLen, datagramEnd, totalLen - headerLen, out);
  if (protocol === IP_PROTO_ICMP) return decodeIcmp4(b, o + headerLen, datagramEnd, out);
  return DecodeStatus.SKIP_NOT_TCP;
}
