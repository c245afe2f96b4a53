/**
 * The default capture filter and snapshot length: only what the tracker needs reaches user space.
 *
 * The tracker needs TCP segments with SYN or RST set (SYN, SYN-ACK, RST, RST-ACK), ICMPv4
 * destination unreachable (type 3) and ICMPv6 destination unreachable (type 1), over IPv4, IPv6,
 * and Ethernet frames with up to two VLAN tags. Data segments, pure ACKs, FINs and UDP are left in
 * the kernel.
 *
 * libpcap's `tcp[tcpflags]` and `icmp[icmptype]` only work for IPv4, so IPv6 is tested by offset:
 * next header 6 (TCP) right after the fixed header, flags byte at 40 + 13 = 53; next header 58
 * (ICMPv6) with type at 40. An IPv6 packet whose next header is an extension header is passed
 * whole: BPF cannot walk the chain, the decoder does (and drops what it does not need).
 */
import { LinkType } from './frame-sink.js';

/** IPv4 part: TCP SYN or RST (fragment offset 0, checked by libpcap), ICMP type 3 (RFC 792). */
const FILTER_IPV4 = '(tcp[tcpflags] & (tcp-syn|tcp-rst) != 0) or (icmp[icmptype] == icmp-unreach)';
/**
 * IPv6 part: ip6[6] is the next header (RFC 8200 section 3); TCP flags at 40 + 13 (RFC 9293
 * section 3.1), SYN 0x02 | RST 0x04; ICMPv6 type 1 at 40 (RFC 4443 section 3.1); extension
 * headers hop-by-hop 0, routing 43, fragment 44, AH 51, destination options 60 (RFC 8200 section 4).
 */
const FILTER_IPV6 =
  '(ip6[6] == 6 and ip6[53] & 0x06 != 0) or (ip6[6] == 58 and ip6[40] == 1)' +
  ' or ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 51 or ip6[6] == 60';
/** The untagged filter F: what any link type can use. */
const FILTER_UNTAGGED = `(${FILTER_IPV4}) or (${FILTER_IPV6})`;

/**
 * The default capture filter for Ethernet: F, or F behind one VLAN tag, or behind two (QinQ).
 * Each `vlan` moves libpcap's offsets 4 bytes on, so F is repeated inside.
 */
export const DEFAULT_FILTER = `${FILTER_UNTAGGED} or (vlan and (${FILTER_UNTAGGED} or (vlan and (${FILTER_UNTAGGED}))))`;

/**
 * The default filter for a capture of `linkType`: DEFAULT_FILTER on Ethernet, F alone elsewhere.
 * libpcap's `vlan` only compiles for Ethernet-like link types (on `any`, LINUX_SLL2, it is an
 * error, and the kernel hands cooked captures their frames untagged anyway); the live tests
 * compile both forms for each link type to keep this choice honest.
 */
export function defaultFilter(linkType: number): string {
  return linkType === LinkType.ETHERNET ? DEFAULT_FILTER : FILTER_UNTAGGED;
}

/**
 * Default snapshot length, bytes: the largest headers the decoders read, with room for IPv6
 * extension headers.
 *
 *   TCP segment:  Ethernet 14 + two VLAN tags 2 * 4 = 22 (LINUX_SLL2 is 20, less)
 *                 + IPv6 40 + extension headers up to 128 + TCP with options 60   = 250
 *   ICMPv6 error: 22 + IPv6 40 + ICMPv6 header 8 + quoted IPv6 40 + 8 TCP bytes  = 118,
 *                 leaving 138 bytes for extension headers, outer and quoted
 *   ICMPv4 error: 22 + IPv4 with options 60 + 8 + quoted IPv4 with options 60 + 8 = 158
 *
 * 250 rounded up to 256. Frames are copied whole up to this, so a smaller value also means less
 * copying per packet.
 */
export const DEFAULT_SNAPLEN = 256;
