/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276, tcpdump.org/linktypes/LINKTYPE_LINUX_SLL2.html):
 * like v1 with the protocol first and the interface index added.
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { readU16 } from './bytes.js';
import { decodeCooked } from './sll.js';

/**
 * Byte offsets within the 20-byte SLL2 header: protocol (0), reserved (2), interface index (4),
 * ARPHRD type (8), packet type (10), address length (11), address (12).
 */
const SLL2_PROTOCOL = 0;
const SLL2_ARPHRD_TYPE = 8;
/** Length in bytes of the SLL2 header. */
const SLL2_HEADER_LEN = 20;

/** Decodes the SLL2 frame at `b[o]` (readable up to `end`) into `out`; returns a `DecodeStatus`. */
export function decodeSll2(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < SLL2_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
  // BOUNDS: checked by the SLL2_HEADER_LEN check above.
  return decodeCooked(b, o + SLL2_HEADER_LEN, end, readU16(b, o + SLL2_ARPHRD_TYPE), readU16(b, o + SLL2_PROTOCOL), out);
}
