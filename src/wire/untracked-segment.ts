/**
 * A shortcut for frames the tracker ignores: true when a frame is a TCP segment that `decodeFrame`
 * would decode as `OK_TCP` with neither SYN nor RST set (data, ACKs, FINs). The live capture drops
 * such segments in the kernel with its BPF filter (capture/bpf-filter.ts); a capture file has no
 * filter, and in a typical one most frames are such segments, each worth a full decode for nothing.
 *
 * It recognises only the common layouts: Ethernet without VLAN tags, then IPv4 without options or
 * IPv6 without extension headers. For anything else (and whenever in doubt) it returns false, and
 * the caller decodes in full, so a false answer is always safe. A true answer is held to the
 * decoder by a property test (test/wire/untracked-segment.test.ts): on random and real frames,
 * whenever this says true, `decodeFrame` says `OK_TCP` and the flags have neither SYN nor RST.
 * Reads nothing past `offset + capLen` (nor past the buffer), allocates nothing.
 */
import { TCP_RST, TCP_SYN } from './decoded-packet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, IP_PROTO_TCP as PROTO_TCP, IPV4_MIN_HEADER_LEN as IPV4_HEADER_LEN, IPV6_HEADER_LEN } from './ip-header.js';
import { TCP_FIXED_HEADER_LEN as TCP_HEADER_LEN } from './tcp.js';

/** LINKTYPE_ETHERNET (decode-frame.ts). */
const LINKTYPE_ETHERNET = 1;
const ETH_HEADER_LEN = 14;

/** See the module comment. */
export function isUntrackedTcpSegment(b: Uint8Array, offset: number, capLen: number, linkType: number): boolean {
  if (linkType !== LINKTYPE_ETHERNET) return false;
  let end = offset + capLen;
  if (end > b.length) end = b.length;
  const ip = offset + ETH_HEADER_LEN;
  if (end - ip < IPV4_HEADER_LEN + TCP_HEADER_LEN) return false;
  const etherType = (b[offset + 12] << 8) | b[offset + 13];
  let tcp: number;
  let ipPayloadLen: number;
  let readEnd: number;
  if (etherType === ETHERTYPE_IPV4) {
    // Version 4, a 20-byte header, not a later fragment, TCP.
    if (b[ip] !== 0x45 || b[ip + 9] !== PROTO_TCP || ((b[ip + 6] & 0x1f) | b[ip + 7]) !== 0) return false;
    const captured = end - ip;
    let totalLen = (b[ip + 2] << 8) | b[ip + 3];
    if (totalLen === 0) totalLen = captured;
    if (totalLen < IPV4_HEADER_LEN) return false;
    tcp = ip + IPV4_HEADER_LEN;
    ipPayloadLen = totalLen - IPV4_HEADER_LEN;
    readEnd = totalLen < captured ? ip + totalLen : end;
  } else if (etherType === ETHERTYPE_IPV6) {
    // Version 6, TCP straight after the fixed header.
    if (end - ip < IPV6_HEADER_LEN + TCP_HEADER_LEN || b[ip] >> 4 !== 6 || b[ip + 6] !== PROTO_TCP) return false;
    tcp = ip + IPV6_HEADER_LEN;
    ipPayloadLen = (b[ip + 4] << 8) | b[ip + 5];
    if (ipPayloadLen === 0) ipPayloadLen = end - tcp;
    const packetEnd = tcp + ipPayloadLen;
    readEnd = packetEnd < end ? packetEnd : end;
  } else {
    return false;
  }
  if (ipPayloadLen < TCP_HEADER_LEN || readEnd - tcp < TCP_HEADER_LEN) return false;
  const dataOffsetWords = b[tcp + 12] >> 4;
  if (dataOffsetWords < 5 || dataOffsetWords << 2 > ipPayloadLen) return false;
  return (b[tcp + 13] & (TCP_SYN | TCP_RST)) === 0;
}
