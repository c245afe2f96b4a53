/**
 * Raw IP without a link header: LINKTYPE_RAW (101, and DLT 12 / 14, which libpcap maps to it), where
 * the version nibble tells IPv4 from IPv6; LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) carry only
 * their own version and go straight to decodeIpv4 / decodeIpv6.
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** Decodes the raw IP packet at `b[o]` (readable up to `end`) by its version nibble; returns a `DecodeStatus`. */
export function decodeRaw(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < 1) return DecodeStatus.ERR_TRUNCATED_IP;
  // BOUNDS: checked by the check above.
  const version = b[o] >> 4;
  if (version === 4) return decodeIpv4(b, o, end, out);
  if (version === 6) return decodeIpv6(b, o, end, out);
  return DecodeStatus.ERR_BAD_IP_VERSION;
}
