/**
 * The one entry point of the wire decoders: a captured frame in, a `DecodeStatus` out, the decoded
 * fields in a reused `DecodedPacket`.
 */
import { DecodedPacket, PacketKind } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { decodeEthernet } from './ethernet.js';
import { decodeSll } from './sll.js';
import { decodeSll2 } from './sll2.js';
import { decodeLoop, decodeNull } from './null-loop.js';
import { decodeRaw } from './raw.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

// LINKTYPE_* values (tcpdump.org/linktypes.html). They equal capture/frame-sink.ts `LinkType`
// (a test checks it); they are repeated here because wire/ imports nothing outside itself.
const LINKTYPE_NULL = 0;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW_DLT12 = 12;
const LINKTYPE_RAW_DLT14 = 14;
const LINKTYPE_RAW = 101;
const LINKTYPE_LOOP = 108;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_IPV4 = 228;
const LINKTYPE_IPV6 = 229;
const LINKTYPE_LINUX_SLL2 = 276;

/** The link types `decodeFrame` understands (LINKTYPE_* values); any other is `ERR_UNSUPPORTED_LINK_TYPE`. */
export const SUPPORTED_LINK_TYPES: readonly number[] = [
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW_DLT12,
  LINKTYPE_RAW_DLT14,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
];

/**
 * Decodes the frame `buf[offset, offset + capLen)` of link type `linkType` into `out` and returns
 * its `DecodeStatus`. Never throws and allocates nothing.
 *
 * `out` is overwritten: `kind`, `ipVersion`, `vlanDepth` and `vlanId` always; the outer IP fields
 * once an IP header was decoded; the tcp fields only when `kind` is `PacketKind.Tcp`, the icmp and
 * quoted fields only when it is `PacketKind.IcmpUnreach` (the others keep values of an earlier
 * frame). Nothing in `out` refers to `buf`, which the caller may reuse as soon as this returns.
 */
export function decodeFrame(buf: Uint8Array, offset: number, capLen: number, linkType: number, out: DecodedPacket): number {
  out.kind = PacketKind.None;
  out.ipVersion = 0;
  out.vlanDepth = 0;
  out.vlanId = -1;
  let end = offset + capLen;
  // A caller's capLen past the buffer must not read past it: no decoder checks against buf.length.
  if (end > buf.length) end = buf.length;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(buf, offset, end, out);
    case LINKTYPE_LINUX_SLL:
      return decodeSll(buf, offset, end, out);
    case LINKTYPE_LINUX_SLL2:
      return decodeSll2(buf, offset, end, out);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
      return decodeRaw(buf, offset, end, out);
    case LINKTYPE_NULL:
      return decodeNull(buf, offset, end, out);
    case LINKTYPE_LOOP:
      return decodeLoop(buf, offset, end, out);
    case LINKTYPE_IPV4:
      return decodeIpv4(buf, offset, end, out);
    case LINKTYPE_IPV6:
      return decodeIpv6(buf, offset, end, out);
    default:
      return DecodeStatus.ERR_UNSUPPORTED_LINK_TYPE;
  }
}
