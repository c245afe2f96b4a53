/**
 * Packet builder for tests, the fixture generator and the benchmark. Test code: it allocates
 * freely and throws on nonsense input. Every function returns a new `Uint8Array`; checksums (IPv4
 * header, TCP, UDP, ICMP, ICMPv6) are computed, so tcpdump shows them as correct, unless stated.
 *
 * IP packets (no link header):
 * - `tcp4(o: Tcp4Options)`: IPv4 + TCP. `src`/`dst` dotted quads (defaults 192.0.2.1 ->
 *   198.51.100.2), `sport`/`dport`, `flags`, `seq`, `ack`, `win`, `reserved` (3 bits), `tcpOptions`
 *   (bytes, padded to 4), `dataOffsetWords` (override), `payload`, plus the IPv4 options below.
 * - `tcp6(o: Tcp6Options)`: IPv6 + TCP, same TCP options; `hopLimit`, `ext` (extension headers).
 * - `udp4(o)`, `udp6(o)`: IPv4/IPv6 + UDP (`sport`, `dport`, `payload`).
 * - `ipv4(o: Ipv4Options)`: an IPv4 header around `payload` with `protocol`; `ttl` (64), `ipId` (0),
 *   `tos`, `df`, `mf` (more fragments), `fragOffset` (in 8-byte units), `ipOptions` (bytes, padded
 *   to 4), `totalLen` (override, e.g. 0 or a lie), `ihlWords` (override).
 * - `ipv6(o: Ipv6Options)`: an IPv6 header around `payload` with `nextHeader`; `hopLimit` (64),
 *   `ext`: a chain of `Ipv6Ext` ({type:'hop'|'dst'|'routing'|'ah', len?} or {type:'frag', offset?
 *   (8-byte units), more?, id?}), `payloadLen` (override).
 * - `icmp4Unreach(o)`: IPv4 + ICMP type 3 with `code` (default 3), quoting `quote` (an IP packet):
 *   all of it, its first `quoteLen` bytes, or its IP header(s) plus `quoteL4Bytes` bytes (8 is
 *   what most routers send). `src`/`dst` are the outer addresses (the ICMP sender and the quoted
 *   packet's source). `icmp4(o)` builds any type/code with a raw `body`.
 * - `icmp6Unreach(o)`: IPv6 + ICMPv6 type 1 with `code` (default 4), the same quote options.
 *   `icmp6(o)` builds any type/code with a raw `body`.
 *
 * Link layers (each takes an IP packet, or any payload with an explicit type):
 * - `ethernet(p, {src?, dst? (MAC strings), etherType?, vlans?: number[], qinq?: boolean,
 *   tpids?: number[], padTo?: number})`: `vlans[0]` is the outer tag; with `qinq` the outer tag
 *   uses TPID 0x88a8 (802.1ad), otherwise every tag is 0x8100; `tpids` overrides per tag. The
 *   EtherType defaults from the version nibble. `padTo` pads the frame with zeros (60 = minimum).
 * - `sll(p, {packetType?, arphrd?, protocol?, addr?})`, `sll2(p, {..., ifIndex?})`.
 * - `nullLoop(p, {littleEndian?, family?})`: LINKTYPE_NULL; family defaults to 2 / 30 (macOS).
 * - `loop(p, {family?})`: LINKTYPE_LOOP (big-endian family; 24 for IPv6).
 * - `raw(p)`: LINKTYPE_RAW, a copy.
 * - `arp()`: an ARP request payload, for `ethernet(arp(), {etherType: 0x0806})`.
 *
 * TCP flags are tcpdump's letters in any order: S SYN, F FIN, R RST, P PSH, `.` ACK, U URG,
 * E ECE, W CWR, N NS (e.g. 'S', 'S.', 'R.', 'P.', 'SEW'), or the 9-bit number of decoded-packet.ts.
 *
 * Helpers: `hex(bytes)` formats bytes as a hex string, `fromHex(s)` parses one (whitespace ignored),
 * `l4Offset(ipPacket)` is the offset of the upper-layer header after IPv4 options / IPv6 extension
 * headers, `parseIpv4(s)`, `parseIpv6(s)` return address bytes.
 */

/** Options of the IPv4 header shared by every IPv4 builder. */
export interface Ipv4HeaderOptions {
  src?: string;
  dst?: string;
  ttl?: number;
  ipId?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in 8-byte units. */
  fragOffset?: number;
  ipOptions?: Uint8Array;
  /** Overrides the total length field. */
  totalLen?: number;
  /** Overrides the IHL field, in 32-bit words. */
  ihlWords?: number;
}

/** An IPv4 header around a payload. */
export interface Ipv4Options extends Ipv4HeaderOptions {
  protocol: number;
  payload: Uint8Array;
}

/** One IPv6 extension header; its next-header byte is set by the chain. */
export type Ipv6Ext =
  | { type: 'hop' | 'dst' | 'routing'; /** Length in bytes, a multiple of 8 (default 8). */ len?: number }
  | { type: 'ah'; /** Length in bytes, a multiple of 4, at least 12 (default 12). */ len?: number }
  | { type: 'frag'; /** In 8-byte units. */ offset?: number; more?: boolean; id?: number };

/** Options of the IPv6 header shared by every IPv6 builder. */
export interface Ipv6HeaderOptions {
  src?: string;
  dst?: string;
  hopLimit?: number;
  flowLabel?: number;
  ext?: Ipv6Ext[];
  /** Overrides the payload length field. */
  payloadLen?: number;
}

/** An IPv6 header (and extension headers) around a payload. */
export interface Ipv6Options extends Ipv6HeaderOptions {
  nextHeader: number;
  payload: Uint8Array;
}

/** Fields of a TCP header. */
export interface TcpOptions {
  sport?: number;
  dport?: number;
  /** tcpdump letters (see the module comment) or the 9-bit flags number. */
  flags?: string | number;
  seq?: number;
  ack?: number;
  win?: number;
  urg?: number;
  /** The 3 reserved bits. */
  reserved?: number;
  tcpOptions?: Uint8Array;
  /** Overrides the data offset field, in 32-bit words. */
  dataOffsetWords?: number;
  payload?: Uint8Array;
}

export type Tcp4Options = TcpOptions & Ipv4HeaderOptions;
export type Tcp6Options = TcpOptions & Ipv6HeaderOptions;

/** How much of a quoted packet an ICMP error carries. */
export interface QuoteOptions {
  /** The quoted IP packet. */
  quote: Uint8Array;
  /** Keep only this many bytes of it. */
  quoteLen?: number;
  /** Keep its IP header(s) plus this many bytes of the upper layer (8: RFC 792's minimum). */
  quoteL4Bytes?: number;
}

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;

/** Address bytes of a dotted-quad IPv4 address. */
export function parseIpv4(s: string): Uint8Array {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new Error(`not an IPv4 address: ${s}`);
  }
  return Uint8Array.from(parts);
}

/** Address bytes of an IPv6 address in RFC 5952 text (with `::`, no embedded IPv4). */
export function parseIpv6(s: string): Uint8Array {
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${s}`);
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) throw new Error(`not an IPv6 address: ${s}`);
  const groups = [...head, ...new Array<string>(fill).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Lower-case hex of `b`, no separators. */
export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Bytes of a hex string; whitespace is ignored. */
export function fromHex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error('bad hex');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, (v >>> 16) & 0xffff);
  put16(b, o + 2, v & 0xffff);
}

function padTo4(b: Uint8Array | undefined): Uint8Array {
  if (b === undefined) return new Uint8Array(0);
  const out = new Uint8Array(Math.ceil(b.length / 4) * 4);
  out.set(b);
  return out;
}

/** The Internet checksum (RFC 1071) of the concatenated parts. */
function checksum(...parts: Uint8Array[]): number {
  const all = concat(...parts);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += (all[i] << 8) | (i + 1 < all.length ? all[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoHeader4(src: Uint8Array, dst: Uint8Array, protocol: number, len: number): Uint8Array {
  const p = new Uint8Array(12);
  p.set(src, 0);
  p.set(dst, 4);
  p[9] = protocol;
  put16(p, 10, len);
  return p;
}

function pseudoHeader6(src: Uint8Array, dst: Uint8Array, nextHeader: number, len: number): Uint8Array {
  const p = new Uint8Array(40);
  p.set(src, 0);
  p.set(dst, 16);
  put32(p, 32, len);
  p[39] = nextHeader;
  return p;
}

const FLAG_LETTERS: Record<string, number> = { F: 0x001, S: 0x002, R: 0x004, P: 0x008, '.': 0x010, U: 0x020, E: 0x040, W: 0x080, N: 0x100 };

/** The 9-bit flags number of tcpdump letters (or the number itself). */
export function tcpFlags(flags: string | number): number {
  if (typeof flags === 'number') return flags;
  let bits = 0;
  for (const c of flags) {
    const bit = FLAG_LETTERS[c];
    if (bit === undefined) throw new Error(`unknown TCP flag letter '${c}'`);
    bits |= bit;
  }
  return bits;
}

/** A TCP header plus payload with a zero checksum (the IP builders fill it in). */
function tcpSegment(o: TcpOptions): Uint8Array {
  const options = padTo4(o.tcpOptions);
  const headerLen = 20 + options.length;
  const payload = o.payload ?? new Uint8Array(0);
  const seg = new Uint8Array(headerLen + payload.length);
  const flags = tcpFlags(o.flags ?? 'S');
  put16(seg, 0, o.sport ?? 40000);
  put16(seg, 2, o.dport ?? 80);
  put32(seg, 4, o.seq ?? 0);
  put32(seg, 8, o.ack ?? 0);
  seg[12] = ((o.dataOffsetWords ?? headerLen / 4) << 4) | ((o.reserved ?? 0) << 1) | (flags >> 8);
  seg[13] = flags & 0xff;
  put16(seg, 14, o.win ?? 64240);
  put16(seg, 18, o.urg ?? 0);
  seg.set(options, 20);
  seg.set(payload, headerLen);
  return seg;
}

function udpDatagram(o: { sport?: number; dport?: number; payload?: Uint8Array }): Uint8Array {
  const payload = o.payload ?? new Uint8Array(0);
  const d = new Uint8Array(8 + payload.length);
  put16(d, 0, o.sport ?? 40000);
  put16(d, 2, o.dport ?? 53);
  put16(d, 4, d.length);
  d.set(payload, 8);
  return d;
}

/** The offset of the checksum field in an upper-layer header, or -1. */
function checksumOffset(protocol: number): number {
  if (protocol === PROTO_TCP) return 16;
  if (protocol === PROTO_UDP) return 6;
  if (protocol === PROTO_ICMP || protocol === PROTO_ICMPV6) return 2;
  return -1;
}

/** An IPv4 packet; the TCP/UDP/ICMP checksum of `payload` is filled in unless it is a later fragment. */
export function ipv4(o: Ipv4Options): Uint8Array {
  const src = parseIpv4(o.src ?? '192.0.2.1');
  const dst = parseIpv4(o.dst ?? '198.51.100.2');
  const options = padTo4(o.ipOptions);
  const headerLen = 20 + options.length;
  const payload = Uint8Array.from(o.payload);
  const at = checksumOffset(o.protocol);
  if (at >= 0 && (o.fragOffset ?? 0) === 0 && payload.length >= at + 2) {
    const pseudo = o.protocol === PROTO_ICMP ? new Uint8Array(0) : pseudoHeader4(src, dst, o.protocol, payload.length);
    put16(payload, at, checksum(pseudo, payload));
  }
  const h = new Uint8Array(headerLen);
  h[0] = 0x40 | (o.ihlWords ?? headerLen / 4);
  h[1] = o.tos ?? 0;
  put16(h, 2, o.totalLen ?? headerLen + payload.length);
  put16(h, 4, o.ipId ?? 0);
  put16(h, 6, (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | (o.fragOffset ?? 0));
  h[8] = o.ttl ?? 64;
  h[9] = o.protocol;
  h.set(src, 12);
  h.set(dst, 16);
  h.set(options, 20);
  put16(h, 10, checksum(h));
  return concat(h, payload);
}

const EXT_NUMBERS = { hop: 0, routing: 43, frag: 44, ah: 51, dst: 60 } as const;

function extHeader(e: Ipv6Ext, nextHeader: number): Uint8Array {
  if (e.type === 'frag') {
    const f = new Uint8Array(8);
    f[0] = nextHeader;
    put16(f, 2, ((e.offset ?? 0) << 3) | (e.more ? 1 : 0));
    put32(f, 4, e.id ?? 0x12345678);
    return f;
  }
  const len = e.len ?? (e.type === 'ah' ? 12 : 8);
  const h = new Uint8Array(len);
  h[0] = nextHeader;
  h[1] = e.type === 'ah' ? len / 4 - 2 : len / 8 - 1;
  if (e.type === 'hop' || e.type === 'dst') {
    // One PadN option filling the rest (RFC 8200 section 4.2).
    h[2] = 1;
    h[3] = len - 4;
  } else if (e.type === 'routing') {
    h[2] = 0; // type 0 is deprecated, but tcpdump prints it; segments left 0 makes it harmless
  }
  return h;
}

/** An IPv6 packet with an optional extension-header chain; the upper-layer checksum is filled in. */
export function ipv6(o: Ipv6Options): Uint8Array {
  const src = parseIpv6(o.src ?? '2001:db8::1');
  const dst = parseIpv6(o.dst ?? '2001:db8::2');
  const payload = Uint8Array.from(o.payload);
  const ext = o.ext ?? [];
  const firstFragment = ext.every((e) => e.type !== 'frag' || (e.offset ?? 0) === 0);
  const at = checksumOffset(o.nextHeader);
  if (at >= 0 && firstFragment && payload.length >= at + 2) {
    put16(payload, at, checksum(pseudoHeader6(src, dst, o.nextHeader, payload.length), payload));
  }
  const headers: Uint8Array[] = [];
  let next = o.nextHeader;
  for (let i = ext.length - 1; i >= 0; i--) {
    headers.unshift(extHeader(ext[i], next));
    next = EXT_NUMBERS[ext[i].type];
  }
  const body = concat(...headers, payload);
  const h = new Uint8Array(40);
  put32(h, 0, (6 << 28) | ((o.flowLabel ?? 0) & 0xfffff));
  put16(h, 4, o.payloadLen ?? body.length);
  h[6] = next;
  h[7] = o.hopLimit ?? 64;
  h.set(src, 8);
  h.set(dst, 24);
  return concat(h, body);
}

/** IPv4 + TCP. */
export function tcp4(o: Tcp4Options = {}): Uint8Array {
  return ipv4({ ...o, protocol: PROTO_TCP, payload: tcpSegment(o) });
}

/** IPv6 + TCP. */
export function tcp6(o: Tcp6Options = {}): Uint8Array {
  return ipv6({ ...o, nextHeader: PROTO_TCP, payload: tcpSegment(o) });
}

/** IPv4 + UDP. */
export function udp4(o: Ipv4HeaderOptions & { sport?: number; dport?: number; payload?: Uint8Array } = {}): Uint8Array {
  return ipv4({ ...o, protocol: PROTO_UDP, payload: udpDatagram(o) });
}

/** IPv6 + UDP. */
export function udp6(o: Ipv6HeaderOptions & { sport?: number; dport?: number; payload?: Uint8Array } = {}): Uint8Array {
  return ipv6({ ...o, nextHeader: PROTO_UDP, payload: udpDatagram(o) });
}

/** Offset of the upper-layer header in an IP packet (after IPv4 options / IPv6 extension headers). */
export function l4Offset(ip: Uint8Array): number {
  if (ip[0] >> 4 === 4) return (ip[0] & 0x0f) * 4;
  let next = ip[6];
  let o = 40;
  for (;;) {
    if (next === 0 || next === 43 || next === 60) {
      const len = (ip[o + 1] + 1) * 8;
      next = ip[o];
      o += len;
    } else if (next === 44) {
      next = ip[o];
      o += 8;
    } else if (next === 51) {
      const len = (ip[o + 1] + 2) * 4;
      next = ip[o];
      o += len;
    } else {
      return o;
    }
  }
}

function quoted(q: QuoteOptions): Uint8Array {
  if (q.quoteLen !== undefined) return q.quote.slice(0, q.quoteLen);
  if (q.quoteL4Bytes !== undefined) return q.quote.slice(0, l4Offset(q.quote) + q.quoteL4Bytes);
  return q.quote.slice();
}

/** IPv4 + an ICMP message of any type with `body` after the 4-byte type/code/checksum header. */
export function icmp4(o: Ipv4HeaderOptions & { type: number; code: number; body: Uint8Array }): Uint8Array {
  return ipv4({ ...o, protocol: PROTO_ICMP, payload: concat(Uint8Array.of(o.type, o.code, 0, 0), o.body) });
}

/** IPv6 + an ICMPv6 message of any type with `body` after the 4-byte type/code/checksum header. */
export function icmp6(o: Ipv6HeaderOptions & { type: number; code: number; body: Uint8Array }): Uint8Array {
  return ipv6({ ...o, nextHeader: PROTO_ICMPV6, payload: concat(Uint8Array.of(o.type, o.code, 0, 0), o.body) });
}

/** IPv4 + ICMP destination unreachable (type 3, default code 3) quoting `quote`; `mtu` for code 4. */
export function icmp4Unreach(o: Ipv4HeaderOptions & QuoteOptions & { code?: number; mtu?: number }): Uint8Array {
  const rest = new Uint8Array(4);
  put16(rest, 2, o.mtu ?? 0);
  return icmp4({ ...o, type: 3, code: o.code ?? 3, body: concat(rest, quoted(o)) });
}

/** IPv6 + ICMPv6 destination unreachable (type 1, default code 4) quoting `quote`. */
export function icmp6Unreach(o: Ipv6HeaderOptions & QuoteOptions & { code?: number }): Uint8Array {
  return icmp6({ ...o, type: 1, code: o.code ?? 4, body: concat(new Uint8Array(4), quoted(o)) });
}

function parseMac(s: string): Uint8Array {
  return Uint8Array.from(s.split(':').map((x) => parseInt(x, 16)));
}

function defaultEtherType(p: Uint8Array): number {
  return p[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

/** An Ethernet II frame around `p`, with optional VLAN tags (see the module comment). */
export function ethernet(
  p: Uint8Array,
  o: { src?: string; dst?: string; etherType?: number; vlans?: number[]; qinq?: boolean; tpids?: number[]; padTo?: number } = {},
): Uint8Array {
  const h = new Uint8Array(12);
  h.set(parseMac(o.dst ?? '00:00:5e:00:53:02'), 0);
  h.set(parseMac(o.src ?? '00:00:5e:00:53:01'), 6);
  const vlans = o.vlans ?? [];
  const tags: Uint8Array[] = vlans.map((vid, i) => {
    const t = new Uint8Array(4);
    const tpid = o.tpids?.[i] ?? (o.qinq && i === 0 && vlans.length > 1 ? 0x88a8 : 0x8100);
    put16(t, 0, tpid);
    put16(t, 2, vid);
    return t;
  });
  const type = new Uint8Array(2);
  put16(type, 0, o.etherType ?? defaultEtherType(p));
  // Each tag is TPID + TCI; the EtherType after the last tag is the payload's.
  const frame = concat(h, ...tags, type, p);
  if (o.padTo === undefined || frame.length >= o.padTo) return frame;
  return concat(frame, new Uint8Array(o.padTo - frame.length));
}

/** A Linux cooked v1 frame around `p` (packet type 0 "to us", ARPHRD 1 Ethernet by default). */
export function sll(p: Uint8Array, o: { packetType?: number; arphrd?: number; protocol?: number; addr?: string } = {}): Uint8Array {
  const h = new Uint8Array(16);
  const addr = parseMac(o.addr ?? '00:00:5e:00:53:01');
  put16(h, 0, o.packetType ?? 0);
  put16(h, 2, o.arphrd ?? 1);
  put16(h, 4, addr.length);
  h.set(addr, 6);
  put16(h, 14, o.protocol ?? defaultEtherType(p));
  return concat(h, p);
}

/** A Linux cooked v2 frame around `p`. */
export function sll2(p: Uint8Array, o: { packetType?: number; arphrd?: number; protocol?: number; addr?: string; ifIndex?: number } = {}): Uint8Array {
  const h = new Uint8Array(20);
  const addr = parseMac(o.addr ?? '00:00:5e:00:53:01');
  put16(h, 0, o.protocol ?? defaultEtherType(p));
  put32(h, 4, o.ifIndex ?? 2);
  put16(h, 8, o.arphrd ?? 1);
  h[10] = o.packetType ?? 0;
  h[11] = addr.length;
  h.set(addr, 12);
  return concat(h, p);
}

/** A LINKTYPE_NULL frame: the family in little- (default) or big-endian order. */
export function nullLoop(p: Uint8Array, o: { littleEndian?: boolean; family?: number } = {}): Uint8Array {
  const family = o.family ?? (p[0] >> 4 === 6 ? 30 : 2);
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, o.littleEndian ?? true);
  return concat(h, p);
}

/** A LINKTYPE_LOOP frame: the family big-endian. */
export function loop(p: Uint8Array, o: { family?: number } = {}): Uint8Array {
  const family = o.family ?? (p[0] >> 4 === 6 ? 24 : 2);
  const h = new Uint8Array(4);
  put32(h, 0, family);
  return concat(h, p);
}

/** A LINKTYPE_RAW frame: the packet itself. */
export function raw(p: Uint8Array): Uint8Array {
  return p.slice();
}

/** An ARP request (RFC 826) for Ethernet + IPv4: 192.0.2.1 asks for 192.0.2.2. */
export function arp(): Uint8Array {
  const a = new Uint8Array(28);
  put16(a, 0, 1);
  put16(a, 2, 0x0800);
  a[4] = 6;
  a[5] = 4;
  put16(a, 6, 1);
  a.set(parseMac('00:00:5e:00:53:01'), 8);
  a.set(parseIpv4('192.0.2.1'), 14);
  a.set(parseIpv4('192.0.2.2'), 24);
  return a;
}
