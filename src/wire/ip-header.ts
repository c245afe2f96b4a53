/**
 * Field offsets of the IPv4 and IPv6 headers, shared by the IP decoders and the ICMP quote decoder,
 * plus the protocol numbers (IANA "Assigned Internet Protocol Numbers") and EtherTypes they look for.
 */

/** Byte offsets within the IPv4 header, RFC 791 section 3.1. */
export const IPV4_VERSION_IHL = 0;
export const IPV4_TOTAL_LEN = 2;
export const IPV4_ID = 4;
export const IPV4_FLAGS_FRAG_OFFSET = 6;
export const IPV4_TTL = 8;
export const IPV4_PROTOCOL = 9;
export const IPV4_SRC = 12;
export const IPV4_DST = 16;
/** The fragment offset: the low 13 bits of the flags/fragment-offset field (RFC 791 section 3.1). */
export const IPV4_FRAG_OFFSET_MASK = 0x1fff;
/** Length in bytes of an IPv4 header without options (IHL 5). */
export const IPV4_MIN_HEADER_LEN = 20;

/** Byte offsets within the IPv6 header, RFC 8200 section 3. */
export const IPV6_VERSION = 0;
export const IPV6_PAYLOAD_LEN = 4;
export const IPV6_NEXT_HEADER = 6;
export const IPV6_HOP_LIMIT = 7;
export const IPV6_SRC = 8;
export const IPV6_DST = 24;
/** Length in bytes of the fixed IPv6 header. */
export const IPV6_HEADER_LEN = 40;

/** ICMP for IPv4 (RFC 792). */
export const IP_PROTO_ICMP = 1;
/** TCP (RFC 9293). */
export const IP_PROTO_TCP = 6;
/** ICMPv6 (RFC 4443). */
export const IP_PROTO_ICMPV6 = 58;

/** EtherType of IPv4 (RFC 894). */
export const ETHERTYPE_IPV4 = 0x0800;
/** EtherType of IPv6 (RFC 2464 section 3). */
export const ETHERTYPE_IPV6 = 0x86dd;
