/**
 * The decode result: one object, created once by its owner and overwritten by every
 * `decodeFrame` call (gopacket's DecodingLayerParser pattern). Nothing here points into the frame
 * buffer: every field is copied out as a number, so the frame buffer may be reused as soon as
 * `decodeFrame` returns, and the fields stay valid until the next `decodeFrame` on this object.
 *
 * Addresses are four big-endian 32-bit words, as in an IPv6 header. An IPv4 address is stored
 * IPv4-mapped (`::ffff:a.b.c.d`: words 0, 0, 0x0000ffff, a.b.c.d), so one key layout serves both
 * families and an IPv4 address never equals an IPv6 one.
 */

/** What the decoded frame carries; see `DecodeStatus` for frames that carry neither. */
export const PacketKind = {
  /** Nothing decoded (the status was not OK). */
  None: 0,
  /** A TCP segment: the tcp fields are set. */
  Tcp: 1,
  /** An ICMPv4 type 3 / ICMPv6 type 1 quoting a TCP segment: the icmp and quoted fields are set. */
  IcmpUnreach: 2,
} as const;

/** TCP flag bits as they sit in `DecodedPacket.tcpFlags` (RFC 9293 section 3.1; NS from RFC 3540). */
export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
/** The former NS (nonce sum) bit, RFC 3540 (historic); bit 8 of the flags field. */
export const TCP_NS = 0x100;

/** Word 2 of an IPv4-mapped address (`::ffff:0:0/96`). */
export const IPV4_MAPPED_WORD2 = 0x0000ffff;

/** The reused decode result; see the module comment for ownership and lifetime. */
export class DecodedPacket {
  /** `PacketKind` of the last decoded frame. */
  kind = 0;
  /** 4 or 6: the outer IP version. */
  ipVersion = 0;
  /** Outer source address, four big-endian words (IPv4-mapped for IPv4). */
  readonly src = new Uint32Array(4);
  /** Outer destination address, four big-endian words (IPv4-mapped for IPv4). */
  readonly dst = new Uint32Array(4);
  /** IPv4 TTL or IPv6 hop limit of the outer header. */
  ttl = 0;
  /** IPv4 identification field; 0 for IPv6 (unless a fragment header gives one, then its low 16 bits). */
  ipId = 0;
  /** Number of 802.1Q / 802.1ad tags stripped from the frame. */
  vlanDepth = 0;
  /** Outer 802.1Q VLAN id (the first tag), or -1 when untagged. */
  vlanId = -1;

  /** TCP source port. */
  srcPort = 0;
  /** TCP destination port. */
  dstPort = 0;
  /** TCP sequence number, unsigned 32-bit. */
  seq = 0;
  /** TCP acknowledgment number, unsigned 32-bit (meaningful only with ACK set). */
  ack = 0;
  /** TCP flags, 9 bits: FIN..CWR in bits 0-7, NS in bit 8 (see the TCP_* constants). */
  tcpFlags = 0;
  /** The three reserved bits of the TCP header (byte 12, bits 3..1), normally 0. */
  tcpReserved = 0;
  /** TCP data offset, in 32-bit words (5..15). */
  tcpDataOffsetWords = 0;
  /** TCP window field, unscaled. */
  tcpWindow = 0;
  /** TCP payload length in bytes, from the IP lengths (not from the captured length). */
  tcpPayloadLen = 0;

  /** ICMP type (3 for ICMPv4 unreachable, 1 for ICMPv6 unreachable). */
  icmpType = 0;
  /** ICMP code. */
  icmpCode = 0;
  /** IP version of the datagram quoted by the ICMP error. */
  quotedIpVersion = 0;
  /** Source address of the quoted datagram (the attempt's client). */
  readonly quotedSrc = new Uint32Array(4);
  /** Destination address of the quoted datagram (the attempt's server). */
  readonly quotedDst = new Uint32Array(4);
  /** Quoted TCP source port. */
  quotedSrcPort = 0;
  /** Quoted TCP destination port. */
  quotedDstPort = 0;
  /** Quoted TCP sequence number (the attempt's ISN when it quotes a SYN). */
  quotedSeq = 0;
}
