/**
 * Numeric decode statuses: what `decodeFrame` returns for every frame. Nothing on the hot path
 * throws; the caller counts each status by reason (`DECODE_STATUS_NAMES[status]`).
 *
 * Three groups:
 * - `OK_*`: a frame the tracker consumes.
 * - `SKIP_*`: a well-formed frame that carries nothing for the tracker (ARP, UDP, an ICMP echo, a
 *   non-first fragment). Counted, never an error.
 * - everything from `FIRST_ERROR_STATUS` on: a malformed or truncated frame, reported in
 *   `decode_errors` by reason.
 */
export const DecodeStatus = {
  /** A TCP segment over IPv4 or IPv6; `DecodedPacket.kind` is `PacketKind.Tcp`. */
  OK_TCP: 0,
  /** An ICMPv4 type 3 or ICMPv6 type 1 quoting a TCP segment; kind is `PacketKind.IcmpUnreach`. */
  OK_ICMP_UNREACH: 1,

  /** Not IPv4 or IPv6 (ARP, LLDP, STP, ...). */
  SKIP_NOT_IP: 2,
  /** IP, but neither TCP nor an ICMP unreachable (UDP, OSPF, ICMP echo, ...). */
  SKIP_NOT_TCP: 3,
  /** A non-first IP fragment: it carries no TCP header. */
  SKIP_FRAGMENT: 4,
  /** An ICMP unreachable whose quoted datagram is not TCP (a UDP port unreachable). */
  SKIP_ICMP_NOT_TCP: 5,
  /** ICMPv4 type 3 code 4, "fragmentation needed": path MTU discovery, not a rejection. */
  SKIP_ICMP_FRAG_NEEDED: 6,

  /** The capture's link type is not one rstwatch decodes. */
  ERR_UNSUPPORTED_LINK_TYPE: 7,
  /** The frame ends inside the link-layer header (Ethernet, VLAN tag, SLL, SLL2, NULL). */
  ERR_TRUNCATED_LINK: 8,
  /** The frame ends inside the IPv4 or IPv6 header (or an IPv6 extension header). */
  ERR_TRUNCATED_IP: 9,
  /** The IP version nibble does not match the link layer's protocol (or is neither 4 nor 6). */
  ERR_BAD_IP_VERSION: 10,
  /** IPv4 IHL below 5 words, or beyond the total length. */
  ERR_BAD_IPV4_HEADER_LEN: 11,
  /** IPv4 total length or IPv6 payload length shorter than the headers it must hold. */
  ERR_BAD_IP_LENGTH: 12,
  /** More IPv6 extension headers than the decoder walks (a loop or an attack). */
  ERR_IPV6_TOO_MANY_EXT: 13,
  /** The frame ends inside the TCP header's fixed 20 bytes (options cut by the snapshot length are tolerated). */
  ERR_TRUNCATED_TCP: 14,
  /** TCP data offset below 5 words, or beyond the TCP segment's length given by the IP header. */
  ERR_BAD_TCP_DATA_OFFSET: 15,
  /** The frame ends inside the ICMP header, the quoted IP header or the quoted 8 TCP bytes. */
  ERR_TRUNCATED_ICMP: 16,
  /** The quoted IP header inside an ICMP error is malformed (version, header length). */
  ERR_BAD_ICMP_QUOTE: 17,
  /** More stacked VLAN tags than the decoder strips (see `MAX_VLAN_TAGS` in ethernet.ts). */
  ERR_TOO_MANY_VLAN_TAGS: 18,
} as const;

/** One of the values of `DecodeStatus`. */
export type DecodeStatusValue = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/** The first status that is an error (every status at or above it is one). */
export const FIRST_ERROR_STATUS = DecodeStatus.ERR_UNSUPPORTED_LINK_TYPE;

/**
 * snake_case reason per status: the keys of `decode_errors` in the JSON report and the `reason`
 * label of `rstwatch_decode_errors_total`. Typed by `DecodeStatus`'s keys, so a status without a
 * reason (or a reason without a status) does not compile.
 */
const DECODE_STATUS_REASONS: { readonly [K in keyof typeof DecodeStatus]: string } = {
  OK_TCP: 'ok_tcp',
  OK_ICMP_UNREACH: 'ok_icmp_unreach',
  SKIP_NOT_IP: 'not_ip',
  SKIP_NOT_TCP: 'not_tcp',
  SKIP_FRAGMENT: 'ip_fragment',
  SKIP_ICMP_NOT_TCP: 'icmp_not_tcp',
  SKIP_ICMP_FRAG_NEEDED: 'icmp_frag_needed',
  ERR_UNSUPPORTED_LINK_TYPE: 'unsupported_link_type',
  ERR_TRUNCATED_LINK: 'truncated_link',
  ERR_TRUNCATED_IP: 'truncated_ip',
  ERR_BAD_IP_VERSION: 'bad_ip_version',
  ERR_BAD_IPV4_HEADER_LEN: 'bad_ipv4_header_len',
  ERR_BAD_IP_LENGTH: 'bad_ip_length',
  ERR_IPV6_TOO_MANY_EXT: 'ipv6_too_many_ext',
  ERR_TRUNCATED_TCP: 'truncated_tcp',
  ERR_BAD_TCP_DATA_OFFSET: 'bad_tcp_data_offset',
  ERR_TRUNCATED_ICMP: 'truncated_icmp',
  ERR_BAD_ICMP_QUOTE: 'bad_icmp_quote',
  ERR_TOO_MANY_VLAN_TAGS: 'too_many_vlan_tags',
};

/** Number of distinct statuses (values run 0 to count - 1): size a `Float64Array` of counters with it. */
export const DECODE_STATUS_COUNT = Object.keys(DecodeStatus).length;

/** The reason of each status (see DECODE_STATUS_REASONS), indexed by status value. */
export const DECODE_STATUS_NAMES: readonly string[] = (() => {
  const names = new Array<string>(DECODE_STATUS_COUNT);
  for (const [key, value] of Object.entries(DecodeStatus)) names[value] = DECODE_STATUS_REASONS[key as keyof typeof DecodeStatus];
  return Object.freeze(names);
})();
