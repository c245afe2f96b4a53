/**
 * IP addresses and networks as text: parsing into four big-endian u32 words (IPv4 IPv4-mapped, as
 * the decoder stores them) and formatting back, and CIDR networks. Used off the hot path only (config,
 * logs, reports, kernel-state readers); the words themselves are what the hot path compares.
 */
import { RstwatchError } from '../base/errors.js';
import { IPV4_MAPPED_WORD2 } from '../wire/decoded-packet.js';

/** A network: address and mask as four big-endian words (IPv4 networks IPv4-mapped). */
export interface Network {
  /** The CIDR as given, normalised (`192.0.2.0/24`, `2001:db8::/32`). */
  readonly text: string;
  readonly addr: Uint32Array;
  readonly mask: Uint32Array;
}

/** Parses a dotted IPv4 address into a u32, or returns -1 when it is not one. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) return -1;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return -1;
    const n = Number(p);
    if (n > 255) return -1;
    v = v * 256 + n;
  }
  return v;
}

/** Parses an IPv4 or IPv6 address into four words (IPv4-mapped for IPv4), or null. */
export function parseAddress(text: string): Uint32Array | null {
  const out = new Uint32Array(4);
  const v4 = parseIpv4(text);
  if (v4 >= 0) {
    out[2] = IPV4_MAPPED_WORD2;
    out[3] = v4;
    return out;
  }
  if (!text.includes(':')) return null;
  let head = text;
  let tail4 = -1;
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    tail4 = parseIpv4(maybeV4);
    if (tail4 < 0) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  for (let g = 0; g < 8; g++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[g])) return null;
    const v = parseInt(all[g], 16);
    out[g >> 1] = (g & 1) === 0 ? (v << 16) >>> 0 : (out[g >> 1] | v) >>> 0;
  }
  if (tail4 >= 0) out[3] = tail4 >>> 0;
  return out;
}

/** Formats four address words as text: dotted quad for IPv4-mapped, RFC 5952 for IPv6. */
export function formatAddress(w: ArrayLike<number>, offset = 0): string {
  if (w[offset] === 0 && w[offset + 1] === 0 && w[offset + 2] === IPV4_MAPPED_WORD2) {
    const a = w[offset + 3];
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(w[offset + i] >>> 16, w[offset + i] & 0xffff);
  // RFC 5952 section 4.2: compress the longest run (of two or more) of zero groups, the first if tied.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLen))}`;
}

/** Parses a CIDR (`192.0.2.0/24`, `2001:db8::/32`, or a bare address as a host route). */
export function parseCidr(text: string): Network {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const addr = parseAddress(addrText);
  if (addr === null) {
    throw new RstwatchError('RSTWATCH_ERR_CONFIG', `'${text}' is not a network: '${addrText}' is not an IPv4 or IPv6 address`, {
      hint: 'give a CIDR such as 192.0.2.0/24 or 2001:db8::/32',
    });
  }
  const isV4 = addrText.includes('.') && !addrText.includes(':');
  const maxBits = isV4 ? 32 : 128;
  let bits = maxBits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > maxBits) {
      throw new RstwatchError('RSTWATCH_ERR_CONFIG', `'${text}' has a bad prefix length '${p}' (0 to ${maxBits})`, {
        hint: 'give a CIDR such as 192.0.2.0/24 or 2001:db8::/32',
      });
    }
    bits = Number(p);
  }
  const totalBits = isV4 ? 96 + bits : bits;
  const mask = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const b = Math.max(0, Math.min(32, totalBits - i * 32));
    mask[i] = b === 0 ? 0 : (0xffffffff << (32 - b)) >>> 0;
    addr[i] = (addr[i] & mask[i]) >>> 0;
  }
  return { text: `${formatAddress(addr)}/${bits}`, addr, mask };
}
