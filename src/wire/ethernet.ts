/**
 * Ethernet II (IEEE 802.3 clause 3.2) and its VLAN tags: 802.1Q (TPID 0x8100), 802.1ad QinQ
 * service tags (0x88a8) and the legacy pre-standard QinQ TPID 0x9100. The frame check sequence is
 * neither expected nor verified (captures rarely keep it; the IP lengths make it harmless).
 */
import { DecodedPacket } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { readU16 } from './bytes.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './ip-header.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';

/** Destination MAC (6), source MAC (6), EtherType (2): IEEE 802.3 clause 3.2. */
const ETH_TYPE = 12;
/** Length in bytes of the Ethernet II header. */
const ETH_HEADER_LEN = 14;
/** EtherType values up to 1500 are an 802.3 length field, not a type (IEEE 802.3 clause 3.2.6). */
const ETH_MAX_LENGTH_FIELD = 1500;

/** TPID of an 802.1Q customer VLAN tag (IEEE 802.1Q section 9.5). */
const TPID_8021Q = 0x8100;
/** TPID of an 802.1ad service tag, the outer tag of QinQ (IEEE 802.1Q section 9.5). */
const TPID_8021AD = 0x88a8;
/** Pre-standard QinQ TPID still sent by some switches. */
const TPID_QINQ_LEGACY = 0x9100;
/** Tag control information (PCP, DEI, VID) then the inner EtherType (IEEE 802.1Q section 9.6). */
const VLAN_TCI = 0;
const VLAN_INNER_TYPE = 2;
const VLAN_TAG_LEN = 4;
/** The VLAN identifier: the low 12 bits of the TCI. */
const VLAN_VID_MASK = 0x0fff;

/** Most VLAN tags stripped before giving up with `ERR_TOO_MANY_VLAN_TAGS` (QinQ needs 2). */
export const MAX_VLAN_TAGS = 4;

/** Decodes the Ethernet frame at `b[o]` (readable up to `end`) into `out`; returns a `DecodeStatus`. */
export function decodeEthernet(b: Uint8Array, o: number, end: number, out: DecodedPacket): number {
  if (end - o < ETH_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
  // BOUNDS: checked by the ETH_HEADER_LEN check above.
  return decodeEtherType(b, o + ETH_HEADER_LEN, end, readU16(b, o + ETH_TYPE), out);
}

/**
 * Decodes what follows a link header that names an EtherType (Ethernet, SLL, SLL2): IPv4, IPv6,
 * or VLAN tags in front of them; anything else (ARP, LLDP, an 802.3 length field) is `SKIP_NOT_IP`.
 */
export function decodeEtherType(b: Uint8Array, o: number, end: number, etherType: number, out: DecodedPacket): number {
  if (etherType === ETHERTYPE_IPV4) return decodeIpv4(b, o, end, out);
  if (etherType === ETHERTYPE_IPV6) return decodeIpv6(b, o, end, out);
  if (isVlanTpid(etherType)) return decodeVlanTags(b, o, end, etherType, out);
  return DecodeStatus.SKIP_NOT_IP;
}

/** True for the TPIDs that announce a VLAN tag. */
function isVlanTpid(etherType: number): boolean {
  return etherType === TPID_8021Q || etherType === TPID_8021AD || etherType === TPID_QINQ_LEGACY;
}

/** Strips the VLAN tags at `b[o]` (the first announced by `tpid`), records them in `out`, decodes the rest. */
function decodeVlanTags(b: Uint8Array, o: number, end: number, tpid: number, out: DecodedPacket): number {
  let etherType = tpid;
  let depth = 0;
  while (isVlanTpid(etherType)) {
    if (depth === MAX_VLAN_TAGS) return DecodeStatus.ERR_TOO_MANY_VLAN_TAGS;
    if (end - o < VLAN_TAG_LEN) return DecodeStatus.ERR_TRUNCATED_LINK;
    // BOUNDS: checked by the VLAN_TAG_LEN check above.
    if (depth === 0) out.vlanId = readU16(b, o + VLAN_TCI) & VLAN_VID_MASK;
    etherType = readU16(b, o + VLAN_INNER_TYPE);
    o += VLAN_TAG_LEN;
    depth++;
    out.vlanDepth = depth;
  }
  if (etherType === ETHERTYPE_IPV4) return decodeIpv4(b, o, end, out);
  if (etherType === ETHERTYPE_IPV6) return decodeIpv6(b, o, end, out);
  return DecodeStatus.SKIP_NOT_IP;
}

/** True when an EtherType field is an 802.3 length (or 802.2 / other pseudo-types of SLL). */
export function isLengthField(etherType: number): boolean {
  return etherType <= ETH_MAX_LENGTH_FIELD;
}
