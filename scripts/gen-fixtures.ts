/**
 * Writes the generated fixture captures into pcaps/ and their section of pcaps/README.md.
 *
 *   npm run fixtures            (node node_modules/tsx/dist/cli.mjs scripts/gen-fixtures.ts [--out DIR])
 *
 * Each fixture is a scenario written out by hand from ../shared/SEMANTICS.md, with the counts it
 * must produce stated beside it (`expect`). The test suite replays every file and checks those
 * counts (test/e2e/fixtures.test.ts), and also checks them against the independent tshark-driven
 * oracle, so a mistake here cannot hide. Output is deterministic: same script, same bytes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arp, ethernet, icmp4Unreach, icmp6Unreach, loop, nullLoop, raw, sll, sll2, tcp4, tcp6, udp4, type Ipv6Ext } from '../kit/craft.js';
import { writePcap, writePcapng, type PcapRecord } from '../kit/pcap-writer.js';

/** Expected counts of one port: attempts, accepted, refused, icmp_rejected, unanswered, syn_retransmits. */
type Row = [number, number, number, number, number, number];

/** What a fixture must produce, in the form pcaps/README.md states it. */
export interface Expectation {
  /** Extra replay flags for this expectation (e.g. an attempt timeout). */
  flags?: string[];
  ports: Record<number, Row>;
  decodeErrors?: Record<string, number>;
  skipped?: Record<string, number>;
  /** Warnings the reader must give (a truncated last record). */
  warnings?: number;
}

interface Fixture {
  file: string;
  linkType: string;
  shows: string;
  bytes: Buffer;
  expect: Expectation[];
}

/** A packet with its capture time (ns since the scenario start) before it gets a link header. */
interface Timed {
  ip: Uint8Array;
  tNs: number;
  /** Captured bytes (snaplen cut); default: all. */
  capLen?: number;
  /** pcapng interface. */
  iface?: number;
}

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z
const MS = 1_000_000;

const V4 = { client: '192.0.2.10', server: '198.51.100.20' };
const V6 = { client: '2001:db8:a::10', server: '2001:db8:b::20' };

type Family = 4 | 6;

function tcp(f: Family, o: Parameters<typeof tcp4>[0] & { hopLimit?: number; ext?: Ipv6Ext[] }): Uint8Array {
  if (f === 4) return tcp4(o);
  const { ttl, ipId, ...rest } = o;
  return tcp6({ ...rest, hopLimit: rest.hopLimit ?? ttl });
}

/** Builds conversations packet by packet; times advance with `at`. */
class Script {
  readonly out: Timed[] = [];
  private nextPort = 40000;

  constructor(private readonly f: Family) {}

  addr(): { client: string; server: string } {
    return this.f === 4 ? V4 : V6;
  }

  port(): number {
    return this.nextPort++;
  }

  push(ip: Uint8Array, tNs: number, extra: Partial<Timed> = {}): void {
    this.out.push({ ip, tNs, ...extra });
  }

  syn(cport: number, sport: number, seq: number, tNs: number, extra: { flags?: string; payload?: Uint8Array } = {}): Uint8Array {
    const { client, server } = this.addr();
    const ip = tcp(this.f, { src: client, dst: server, sport: cport, dport: sport, flags: extra.flags ?? 'S', seq, ttl: 64, payload: extra.payload });
    this.push(ip, tNs);
    return ip;
  }

  fromServer(cport: number, sport: number, flags: string, seq: number, ack: number, tNs: number, payload?: Uint8Array): void {
    const { client, server } = this.addr();
    this.push(tcp(this.f, { src: server, dst: client, sport, dport: cport, flags, seq, ack, ttl: 64, payload }), tNs);
  }

  fromClient(cport: number, sport: number, flags: string, seq: number, ack: number, tNs: number, payload?: Uint8Array): void {
    const { client, server } = this.addr();
    this.push(tcp(this.f, { src: client, dst: server, sport: cport, dport: sport, flags, seq, ack, ttl: 64, payload }), tNs);
  }

  icmp(quote: Uint8Array, code: number, tNs: number, from?: string): void {
    const { client, server } = this.addr();
    const src = from ?? server;
    const ip =
      this.f === 4 ? icmp4Unreach({ src, dst: client, code, quote, quoteL4Bytes: 8 }) : icmp6Unreach({ src, dst: client, code, quote, quoteL4Bytes: 8 });
    this.push(ip, tNs);
  }

  /** SYN, SYN-ACK, ACK, a request and a reply, FIN both ways. */
  accepted(sport: number, tNs: number): void {
    const c = this.port();
    const isn = 1000 + c;
    this.syn(c, sport, isn, tNs);
    this.fromServer(c, sport, 'S.', 5000, isn + 1, tNs + 1 * MS);
    this.fromClient(c, sport, '.', isn + 1, 5001, tNs + 2 * MS);
    this.fromClient(c, sport, 'P.', isn + 1, 5001, tNs + 3 * MS, new TextEncoder().encode('hello\n'));
    this.fromServer(c, sport, 'P.', 5001, isn + 7, tNs + 4 * MS, new TextEncoder().encode('world\n'));
    this.fromClient(c, sport, 'F.', isn + 7, 5007, tNs + 5 * MS);
    this.fromServer(c, sport, 'F.', 5007, isn + 8, tNs + 6 * MS);
    this.fromClient(c, sport, '.', isn + 8, 5008, tNs + 7 * MS);
  }

  /** SYN answered by RST-ACK (what a Linux kernel sends for a closed port). */
  refused(sport: number, tNs: number): void {
    const c = this.port();
    const isn = 2000 + c;
    this.syn(c, sport, isn, tNs);
    this.fromServer(c, sport, 'R.', 0, isn + 1, tNs + 1 * MS);
  }

  /** SYN answered by an ICMP unreachable with `code` (quoting the SYN's IP header + 8 bytes). */
  rejected(sport: number, code: number, tNs: number): void {
    const c = this.port();
    const synIp = this.syn(c, sport, 3000 + c, tNs);
    this.icmp(synIp, code, tNs + 1 * MS);
  }

  /** SYN never answered, retransmitted `retx` times (1 s, 3 s, 7 s after). */
  unanswered(sport: number, retx: number, tNs: number): void {
    const c = this.port();
    const isn = 4000 + c;
    this.syn(c, sport, isn, tNs);
    for (let r = 1; r <= retx; r++) this.syn(c, sport, isn, tNs + (2 ** r - 1) * 1000 * MS);
  }
}

function byTime(a: Timed[]): Timed[] {
  return [...a].sort((x, y) => x.tNs - y.tNs);
}

/** The standard scenario: ports 80 accepted, 81 refused, 82 port unreachable, 83 admin prohibited, 84 unanswered (2 retx), both families. */
function standard(): Timed[] {
  const all: Timed[] = [];
  for (const f of [4, 6] as Family[]) {
    const s = new Script(f);
    const base = f === 4 ? 0 : 50 * MS;
    s.accepted(80, base);
    s.refused(81, base + 10 * MS);
    s.rejected(82, f === 4 ? 3 : 4, base + 20 * MS);
    s.rejected(83, f === 4 ? 13 : 1, base + 30 * MS);
    s.unanswered(84, 2, base + 40 * MS);
    all.push(...s.out);
  }
  return byTime(all);
}

const STANDARD_EXPECT: Record<number, Row> = {
  80: [2, 2, 0, 0, 0, 0],
  81: [2, 0, 2, 0, 0, 0],
  82: [2, 0, 0, 2, 0, 0],
  83: [2, 0, 0, 2, 0, 0],
  84: [2, 0, 0, 0, 2, 4],
};

function records(packets: Timed[], link: (ip: Uint8Array) => Uint8Array): PcapRecord[] {
  return packets.map((p) => {
    const frame = link(p.ip);
    const data = p.capLen === undefined ? frame : frame.subarray(0, p.capLen);
    return { data, tsSec: T0 + Math.floor(p.tNs / 1e9), tsNsec: p.tNs % 1e9, origLen: frame.length, interfaceId: p.iface ?? 0 };
  });
}

function linkTypeFixtures(): Fixture[] {
  const pkts = standard();
  const shows =
    'the standard scenario (ports 80 accepted, 81 refused, 82 ICMP port unreachable, 83 ICMP admin prohibited, 84 unanswered with 2 SYN retransmissions; IPv4 and IPv6)';
  const variants: [string, number, string, (ip: Uint8Array) => Uint8Array][] = [
    ['gen-ethernet.pcap', 1, 'Ethernet (1)', (ip) => ethernet(ip, { padTo: 60 })],
    ['gen-vlan.pcap', 1, 'Ethernet (1), 802.1Q tag 100 on every frame', (ip) => ethernet(ip, { vlans: [100] })],
    ['gen-qinq.pcap', 1, 'Ethernet (1), 802.1ad outer tag 200 + 802.1Q inner tag 100', (ip) => ethernet(ip, { vlans: [200, 100], qinq: true })],
    ['gen-sll.pcap', 113, 'Linux cooked v1 (113)', (ip) => sll(ip)],
    ['gen-sll2.pcap', 276, 'Linux cooked v2 (276)', (ip) => sll2(ip)],
    ['gen-null-le.pcap', 0, 'BSD loopback NULL (0), family little-endian (written on x86)', (ip) => nullLoop(ip, { littleEndian: true })],
    ['gen-null-be.pcap', 0, 'BSD loopback NULL (0), family big-endian', (ip) => nullLoop(ip, { littleEndian: false })],
    ['gen-loop.pcap', 108, 'OpenBSD LOOP (108)', (ip) => loop(ip)],
    ['gen-raw.pcap', 101, 'raw IP (101)', (ip) => raw(ip)],
    ['gen-raw-dlt12.pcap', 12, 'raw IP as DLT 12 (libpcap maps it to 101)', (ip) => raw(ip)],
  ];
  const out = variants.map(([file, linkType, desc, link]) => ({
    file,
    linkType: desc,
    shows,
    bytes: writePcap(records(pkts, link), { linkType }),
    expect: [{ ports: STANDARD_EXPECT }],
  }));
  out.push({
    file: 'gen-bigendian-nsec.pcap',
    linkType: 'Ethernet (1), big-endian file with the nanosecond magic',
    shows,
    bytes: writePcap(
      records(pkts, (ip) => ethernet(ip)),
      { linkType: 1, bigEndian: true, nanosecond: true },
    ),
    expect: [{ ports: STANDARD_EXPECT }],
  });
  return out;
}

/** SEMANTICS.md edge cases, one port each. */
function semantics(): Fixture {
  const s = new Script(4);
  let t = 0;
  const step = (): number => (t += 100 * MS);
  // 110: a Windows client re-sends its SYN after each RST: three refused attempts.
  {
    const c = s.port();
    for (let i = 0; i < 3; i++) {
      s.syn(c, 110, 7000 + i, step());
      s.fromServer(c, 110, 'R.', 0, 7001 + i, step());
    }
  }
  // 443: retransmissions while pending, with other ISNs (bug 7657 style), then accepted.
  {
    const c = s.port();
    s.syn(c, 443, 100, step());
    s.syn(c, 443, 200, step());
    s.syn(c, 443, 300, step());
    s.fromServer(c, 443, 'S.', 9000, 301, step());
  }
  // 8443: TCP Fast Open, SYN with data; the SYN-ACK acks the data too.
  {
    const c = s.port();
    s.syn(c, 8443, 500, step(), { payload: new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n') });
    s.fromServer(c, 8443, 'S.', 9100, 500 + 1 + 18, step());
  }
  // 21: nmap's SYN|FIN probe is a SYN; refused.
  {
    const c = s.port();
    s.syn(c, 21, 600, step(), { flags: 'SF' });
    s.fromServer(c, 21, 'R.', 0, 601, step());
  }
  // 22: accepted, then the same SYN again (same ISN): a retransmission.
  {
    const c = s.port();
    s.syn(c, 22, 700, step());
    s.fromServer(c, 22, 'S.', 9200, 701, step());
    s.syn(c, 22, 700, step());
  }
  // 5432: accepted and closed, then the tuple reused with a new ISN, refused.
  {
    const c = s.port();
    s.syn(c, 5432, 800, step());
    s.fromServer(c, 5432, 'S.', 9300, 801, step());
    s.fromClient(c, 5432, 'F.', 801, 9301, step());
    s.fromServer(c, 5432, 'F.', 9301, 802, step());
    s.syn(c, 5432, 90_000, step());
    s.fromServer(c, 5432, 'R.', 0, 90_001, step());
  }
  // 9999: answers to SYNs sent before the capture: no attempt.
  {
    const c = s.port();
    s.fromServer(c, 9999, 'S.', 9400, 1001, step());
    s.fromServer(c, 9999, 'R.', 0, 1001, step());
    const q = tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 9999, flags: 'S', seq: 1000 });
    s.icmp(q, 3, step());
  }
  // 25: ICMP "fragmentation needed" is not a rejection; the SYN stays unanswered.
  {
    const c = s.port();
    const synIp = s.syn(c, 25, 1100, step());
    s.icmp(synIp, 4, step());
  }
  // 26: an ICMP error quoting another port matches nothing.
  {
    const c = s.port();
    s.syn(c, 26, 1200, step());
    const other = tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 27, flags: 'S', seq: 1200 });
    s.icmp(other, 3, step());
  }
  // 7000: a RST, then the real SYN-ACK: the first answer decides (refused).
  {
    const c = s.port();
    s.syn(c, 7000, 1300, step());
    s.fromServer(c, 7000, 'R.', 0, 1301, step());
    s.fromServer(c, 7000, 'S.', 9500, 1301, step());
  }
  // 6000: the client resets its own attempt: no answer from the server side.
  {
    const c = s.port();
    s.syn(c, 6000, 1400, step());
    s.fromClient(c, 6000, 'R', 1401, 0, step());
  }
  // 3306: refused 30 s after the SYN (a slow NAT): refused, or unanswered with a 20 s timeout.
  {
    const c = s.port();
    s.syn(c, 3306, 1500, step());
    s.fromServer(c, 3306, 'R.', 0, 1501, (t += 30_000 * MS));
  }
  const base: Record<number, Row> = {
    110: [3, 0, 3, 0, 0, 0],
    443: [1, 1, 0, 0, 0, 2],
    8443: [1, 1, 0, 0, 0, 0],
    21: [1, 0, 1, 0, 0, 0],
    22: [1, 1, 0, 0, 0, 1],
    5432: [2, 1, 1, 0, 0, 0],
    25: [1, 0, 0, 0, 1, 0],
    26: [1, 0, 0, 0, 1, 0],
    7000: [1, 0, 1, 0, 0, 0],
    6000: [1, 0, 0, 0, 1, 0],
  };
  return {
    file: 'gen-semantics.pcap',
    linkType: 'Ethernet (1)',
    shows:
      'SEMANTICS.md edge cases, one per port: 110 SYN re-sent after each RST (3 refused); 443 retransmissions with other ISNs while pending; 8443 TCP Fast Open; 21 SYN|FIN; 22 same-ISN SYN after accept; 5432 port reuse with a new ISN; 9999 answers without a SYN; 25 ICMP frag-needed (ignored); 26 ICMP quoting another port; 7000 RST before SYN-ACK; 6000 client-side RST; 3306 RST 30 s late',
    bytes: writePcap(
      records(s.out, (ip) => ethernet(ip)),
      { linkType: 1 },
    ),
    expect: [
      { ports: { ...base, 3306: [1, 0, 1, 0, 0, 0] }, skipped: { icmp_frag_needed: 1 } },
      { flags: ['--attempt-timeout', '20'], ports: { ...base, 3306: [1, 0, 0, 0, 1, 0] }, skipped: { icmp_frag_needed: 1 } },
    ],
  };
}

/** IPv6 extension headers and IPv4 options and fragments. */
function ipOptionsAndExtensions(): Fixture {
  const v6 = new Script(6);
  const v4 = new Script(4);
  const ext: Ipv6Ext[] = [{ type: 'hop' }, { type: 'routing', len: 24 }, { type: 'dst', len: 16 }];
  // 80: SYN behind hop-by-hop + routing + destination options, refused by a RST with dst options.
  {
    const c = v6.port();
    v6.push(tcp6({ src: V6.client, dst: V6.server, sport: c, dport: 80, flags: 'S', seq: 10, ext }), 0);
    v6.push(tcp6({ src: V6.server, dst: V6.client, sport: 80, dport: c, flags: 'R.', seq: 0, ack: 11, ext: [{ type: 'dst' }] }), 1 * MS);
  }
  // 81: SYN in a first fragment (fragment header, offset 0, more fragments), accepted.
  {
    const c = v6.port();
    v6.push(tcp6({ src: V6.client, dst: V6.server, sport: c, dport: 81, flags: 'S', seq: 20, ext: [{ type: 'frag', offset: 0, more: true, id: 7 }] }), 2 * MS);
    v6.push(tcp6({ src: V6.server, dst: V6.client, sport: 81, dport: c, flags: 'S.', seq: 900, ack: 21 }), 3 * MS);
  }
  // A non-first IPv6 fragment: skipped and counted.
  v6.push(tcp6({ src: V6.client, dst: V6.server, sport: 1, dport: 2, flags: 'S', ext: [{ type: 'frag', offset: 8, more: false, id: 7 }] }), 4 * MS);
  // 82: ICMPv6 admin prohibited quoting a SYN that carries a hop-by-hop header.
  {
    const c = v6.port();
    const q = tcp6({ src: V6.client, dst: V6.server, sport: c, dport: 82, flags: 'S', seq: 30, ext: [{ type: 'hop' }] });
    v6.push(q, 5 * MS);
    v6.push(icmp6Unreach({ src: '2001:db8:ff::1', dst: V6.client, code: 1, quote: q, quoteL4Bytes: 8 }), 6 * MS);
  }
  const opts = Uint8Array.of(1, 1, 1, 0); // NOP NOP NOP EOL (RFC 791 section 3.1)
  const rr = Uint8Array.of(7, 7, 4, 0, 0, 0, 0, 0); // record route with one empty slot
  // 90: SYN with IPv4 options, refused by a RST with options.
  {
    const c = v4.port();
    v4.push(tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 90, flags: 'S', seq: 40, ipOptions: rr }), 10 * MS);
    v4.push(tcp4({ src: V4.server, dst: V4.client, sport: 90, dport: c, flags: 'R.', ack: 41, ipOptions: opts }), 11 * MS);
  }
  // 91: SYN in a first fragment (MF set, offset 0), accepted.
  {
    const c = v4.port();
    v4.push(tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 91, flags: 'S', seq: 50, mf: true, ipId: 99 }), 12 * MS);
    v4.push(tcp4({ src: V4.server, dst: V4.client, sport: 91, dport: c, flags: 'S.', seq: 700, ack: 51 }), 13 * MS);
  }
  // A non-first IPv4 fragment: skipped and counted.
  v4.push(tcp4({ src: V4.client, dst: V4.server, sport: 1, dport: 2, flags: 'S', fragOffset: 3, ipId: 99 }), 14 * MS);
  // 92: ICMP port unreachable quoting a SYN whose IP header has options.
  {
    const c = v4.port();
    const q = tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 92, flags: 'S', seq: 60, ipOptions: rr });
    v4.push(q, 15 * MS);
    v4.push(icmp4Unreach({ src: V4.server, dst: V4.client, code: 3, quote: q, quoteL4Bytes: 8 }), 16 * MS);
  }
  return {
    file: 'gen-ip-options-ext.pcap',
    linkType: 'Ethernet (1)',
    shows:
      'IPv6 hop-by-hop, routing, destination-options and fragment headers (80 refused, 81 accepted in a first fragment, 82 ICMPv6 admin prohibited quoting a SYN with a hop-by-hop header); IPv4 options (90 refused, 92 ICMP quoting options) and a first fragment (91 accepted); one non-first fragment per family (skipped)',
    bytes: writePcap(
      records(byTime([...v6.out, ...v4.out]), (ip) => ethernet(ip)),
      { linkType: 1 },
    ),
    expect: [
      {
        ports: {
          80: [1, 0, 1, 0, 0, 0],
          81: [1, 1, 0, 0, 0, 0],
          82: [1, 0, 0, 1, 0, 0],
          90: [1, 0, 1, 0, 0, 0],
          91: [1, 1, 0, 0, 0, 0],
          92: [1, 0, 0, 1, 0, 0],
        },
        skipped: { ip_fragment: 2 },
      },
    ],
  };
}

/** Malformed and snaplen-cut frames beside one good refused attempt. */
function truncatedFrames(): Fixture {
  const s = new Script(4);
  const c = s.port();
  const syn = tcp4({ src: V4.client, dst: V4.server, sport: c, dport: 81, flags: 'S', seq: 1 });
  const rst = tcp4({ src: V4.server, dst: V4.client, sport: 81, dport: c, flags: 'R.', ack: 2 });
  const frames: { frame: Uint8Array; capLen?: number }[] = [
    // Cut by a 54-byte snaplen: Ethernet + IPv4 + TCP fixed header survive, so it still counts.
    { frame: ethernet(syn), capLen: 54 },
    { frame: ethernet(rst), capLen: 54 },
    { frame: ethernet(syn), capLen: 10 }, // inside the Ethernet header: truncated_link
    { frame: ethernet(syn), capLen: 14 + 12 }, // inside the IPv4 header: truncated_ip
    { frame: ethernet(syn), capLen: 14 + 20 + 10 }, // inside the TCP header: truncated_tcp
    { frame: ethernet(tcp4({ src: V4.client, dst: V4.server, flags: 'S', ihlWords: 4 })) }, // bad_ipv4_header_len
    { frame: ethernet(tcp4({ src: V4.client, dst: V4.server, flags: 'S', dataOffsetWords: 3 })) }, // bad_tcp_data_offset
    { frame: ethernet(tcp6({ src: V6.client, dst: V6.server, flags: 'S' }), { etherType: 0x0800 }) }, // bad_ip_version
    { frame: ethernet(icmp4Unreach({ src: V4.server, dst: V4.client, quote: syn, quoteLen: 20 + 4 })) }, // truncated_icmp
    { frame: ethernet(arp(), { etherType: 0x0806 }) }, // not_ip
    { frame: ethernet(udp4({ src: V4.client, dst: V4.server, sport: 5353, dport: 53 })) }, // not_tcp
  ];
  const recs: PcapRecord[] = frames.map((f, i) => ({
    data: f.capLen === undefined ? f.frame : f.frame.subarray(0, f.capLen),
    origLen: f.frame.length,
    tsSec: T0,
    tsNsec: i * 1000,
  }));
  return {
    file: 'gen-malformed-frames.pcap',
    linkType: 'Ethernet (1)',
    shows:
      'a SYN and its RST cut by a 54-byte snaplen (still counted: port 81 refused), then one malformed or truncated frame per decode error reason, an ARP and a UDP frame',
    bytes: writePcap(recs, { linkType: 1, snaplen: 65535 }),
    expect: [
      {
        ports: { 81: [1, 0, 1, 0, 0, 0] },
        decodeErrors: {
          truncated_link: 1,
          truncated_ip: 1,
          truncated_tcp: 1,
          bad_ipv4_header_len: 1,
          bad_tcp_data_offset: 1,
          bad_ip_version: 1,
          truncated_icmp: 1,
        },
        skipped: { not_ip: 1, not_tcp: 1 },
      },
    ],
  };
}

/** A capture cut in the middle of its last record (a tcpdump killed mid-write). */
function truncatedFile(): Fixture {
  const s = new Script(4);
  s.refused(81, 0);
  const c = s.port();
  s.syn(c, 85, 1, 10 * MS);
  s.fromServer(c, 85, 'R.', 0, 2, 11 * MS); // the record that gets cut
  const whole = writePcap(
    records(s.out, (ip) => ethernet(ip)),
    { linkType: 1 },
  );
  return {
    file: 'gen-truncated-file.pcap',
    linkType: 'Ethernet (1)',
    shows: 'a file cut 5 bytes into its last record (the RST answering port 85): a warning, and everything before it counted (85 left unanswered)',
    bytes: whole.subarray(0, whole.length - 50),
    expect: [{ ports: { 81: [1, 0, 1, 0, 0, 0], 85: [1, 0, 0, 0, 1, 0] }, warnings: 1 }],
  };
}

/** pcapng with three interfaces of different link types and resolutions, and two sections. */
function multiInterface(): Fixture {
  const ip = (o: Parameters<typeof tcp4>[0]): Uint8Array => tcp4({ src: V4.client, dst: V4.server, ...o });
  const back = (o: Parameters<typeof tcp4>[0]): Uint8Array => tcp4({ src: V4.server, dst: V4.client, ...o });
  const epb = (data: Uint8Array, iface: number, tNs: number) => ({
    kind: 'epb' as const,
    record: { data, tsSec: T0 + Math.floor(tNs / 1e9), tsNsec: tNs % 1e9, interfaceId: iface },
  });
  const syn82 = tcp6({ src: V6.client, dst: V6.server, sport: 40003, dport: 82, flags: 'S', seq: 30 });
  const bytes = writePcapng([
    {
      comment: 'rstwatch generated fixture: three interfaces',
      interfaces: [
        { linkType: 1, name: 'eth0' },
        { linkType: 276, snaplen: 128, tsresol: 9, name: 'any' },
        { linkType: 101, tsresol: 0x80 | 20, name: 'tun0' },
      ],
      blocks: [
        // 81: SYN seen on eth0, its RST on the cooked "any" interface (nanoseconds): refused.
        epb(ethernet(ip({ sport: 40001, dport: 81, flags: 'S', seq: 10 })), 0, 0),
        epb(sll2(back({ sport: 81, dport: 40001, flags: 'R.', ack: 11 })), 1, 1_234),
        { kind: 'nrb', ipv4: [['198.51.100.20', 'server.example']] },
        { kind: 'raw', blockType: 0x00000bad, body: new Uint8Array(12) },
        // 80: SYN on tun0 (2^-20 s resolution), SYN-ACK on eth0: accepted.
        epb(raw(ip({ sport: 40002, dport: 80, flags: 'S', seq: 20 })), 2, 2 * MS),
        epb(ethernet(back({ sport: 80, dport: 40002, flags: 'S.', seq: 5, ack: 21 })), 0, 3 * MS),
        // 84: a SYN in a Simple Packet Block (interface 0, no timestamp): unanswered.
        { kind: 'spb', data: ethernet(ip({ sport: 40004, dport: 84, flags: 'S', seq: 40 })) },
      ],
    },
    {
      bigEndian: true,
      comment: 'second section, big-endian: the interface list starts again',
      interfaces: [{ linkType: 113, tsresol: 9 }],
      blocks: [
        // 82: ICMPv6 port unreachable for an IPv6 SYN, both on interface 0 of this section.
        epb(sll(syn82), 0, 5 * MS),
        epb(sll(icmp6Unreach({ src: V6.server, dst: V6.client, code: 4, quote: syn82, quoteL4Bytes: 8 })), 0, 6 * MS),
      ],
    },
  ]);
  return {
    file: 'gen-multi-interface.pcapng',
    linkType:
      'pcapng: section 1 (little-endian) with Ethernet (us), Linux cooked v2 (ns, snaplen 128) and raw IP (2^-20 s); section 2 (big-endian) with Linux cooked v1 (ns)',
    shows:
      'a SYN and its answer on different interfaces (81 refused 1.234 us later, 80 accepted), a Simple Packet Block (84 unanswered), a Name Resolution Block and an unknown block (skipped), an IPv6 ICMP rejection in a big-endian second section (82)',
    bytes,
    expect: [{ ports: { 80: [1, 1, 0, 0, 0, 0], 81: [1, 0, 1, 0, 0, 0], 82: [1, 0, 0, 1, 0, 0], 84: [1, 0, 0, 0, 1, 0] } }],
  };
}

/** Every generated fixture. */
export function fixtures(): Fixture[] {
  return [...linkTypeFixtures(), semantics(), ipOptionsAndExtensions(), truncatedFrames(), truncatedFile(), multiInterface()];
}

const BEGIN = '<!-- generated fixtures: begin (scripts/gen-fixtures.ts writes this section) -->';
const END = '<!-- generated fixtures: end -->';

/** The README section for the generated fixtures (tables the tests parse). */
export function readmeSection(list: Fixture[]): string {
  const lines: string[] = [
    BEGIN,
    '',
    '## Generated fixtures',
    '',
    'Written by `npm run fixtures` (scripts/gen-fixtures.ts), deterministic. Expected counts per server port:',
    '',
  ];
  for (const f of list) {
    for (const e of f.expect) {
      const flags = e.flags ? ` (${e.flags.join(' ')})` : '';
      lines.push(`### ${f.file}${flags}`, '');
      if (!e.flags) lines.push(`- link type: ${f.linkType}`, `- shows: ${f.shows}`);
      if (e.decodeErrors) lines.push(`- decode_errors: \`${JSON.stringify(e.decodeErrors)}\``);
      if (e.skipped) lines.push(`- skipped: \`${JSON.stringify(e.skipped)}\``);
      if (e.warnings) lines.push(`- warnings: ${e.warnings}`);
      lines.push('', '| port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits |', '|---:|---:|---:|---:|---:|---:|---:|');
      const total: Row = [0, 0, 0, 0, 0, 0];
      for (const [port, row] of Object.entries(e.ports).sort((a, b) => Number(a[0]) - Number(b[0]))) {
        lines.push(`| ${port} | ${row.join(' | ')} |`);
        row.forEach((v, i) => (total[i] += v));
      }
      lines.push(`| total | ${total.join(' | ')} |`, '');
    }
  }
  lines.push(END);
  return lines.join('\n');
}

function main(): void {
  const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > 0 ? resolve(process.argv[outIdx + 1]) : join(root, 'pcaps');
  mkdirSync(out, { recursive: true });
  const list = fixtures();
  for (const f of list) writeFileSync(join(out, f.file), f.bytes);
  const readmePath = join(out, 'README.md');
  let readme = '';
  try {
    readme = readFileSync(readmePath, 'utf8');
  } catch {
    readme = '# Fixture captures\n';
  }
  const section = readmeSection(list);
  const b = readme.indexOf(BEGIN);
  const e = readme.indexOf(END);
  readme = b >= 0 && e > b ? readme.slice(0, b) + section + readme.slice(e + END.length) : `${readme.trimEnd()}\n\n${section}\n`;
  writeFileSync(readmePath, readme);
  process.stdout.write(`wrote ${list.length} fixtures to ${out}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
