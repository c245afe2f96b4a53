/**
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113, tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html):
 * what libpcap writes for the "any" device and for interfaces without a usable link header.
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { readU16 } from './bytes.js';
import { decodeEtherType, isLengthField } from './ethernet.js';

/** Byte offsets within the 16-byte SLL header: packet type (0), ARPHRD type (2), address length (4), address (6), protocol (14). */
const SLL_ARPHRD_TYPE = 2;
const SLL_PROTOCOL = 14;
/** Length in bytes of the SLL header. */
const SLL_HEADER_LEN = 16;

/**
 * ARPHRD_NETLINK (Linux if_arp.h): the protocol field is a netlink family, never an EtherType.
 * Other ARPHRD types put an EtherType there, or a value up to 1500 (0x0004 802.2 LLC, 0x0001 Novell
 * 802.3, 0x000c CAN, ...) that is not IP either way.
 */
const ARPHRD_NETLINK = 824;

/** Decodes the SLL frame at `b[o]` (readable up to `end`) into `out`; returns a `DecodeStatus`. */
export function decodeSll(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < SLL_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
  // BOUNDS: checked by the SLL_HEADER_LEN check above.
  return decodeCooked(b, o + SLL_HEADER_LEN, end, readU16(b, o + SLL_ARPHRD_TYPE), readU16(b, o + SLL_PROTOCOL), out);
}

/** Decodes what follows a cooked (SLL or SLL2) header, given its ARPHRD type and protocol fields. */
export function decodeCooked(b: Uint8Array, o: number, end: number, arphrd: number, protocol: number, out: DecodedPacket): number {
  if (arphrd === ARPHRD_NETLINK || isLengthField(protocol)) return DecodeStatus.SKIP_NOT_IP;
  return decodeEtherType(b, o, end, protocol, out);
}
