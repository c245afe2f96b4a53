import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeFixture, statusOf } from './helpers.js';
import { icmp4, icmp4Unreach, icmp6, icmp6Unreach, ipv4, ipv6, tcp4, tcp6, udp6 } from '../../kit/craft.js';

const RAW = 101;
const CLIENT = '::ffff:192.0.2.1';
const SERVER = '::ffff:198.51.100.2';
const ROUTER = '::ffff:203.0.113.254';

describe('decodeIcmp4', () => {
  it.each([
    [
      'port unreachable (3), whole SYN quoted',
      F.ETH_ICMP4_PORT_UNREACH,
      { src: SERVER, ttl: 64, ipId: 9, icmpCode: 3, quotedSrcPort: 40000, quotedDstPort: 80, quotedSeq: 1000 },
    ],
    [
      'communication administratively prohibited (13), 8 TCP bytes',
      F.ETH_ICMP4_ADMIN_PROHIB_13,
      { src: ROUTER, ttl: 250, ipId: 1, icmpCode: 13, quotedSrcPort: 40000, quotedDstPort: 80, quotedSeq: 1000 },
    ],
    [
      'net administratively prohibited (9)',
      F.ETH_ICMP4_NET_PROHIB_9,
      { src: ROUTER, ttl: 250, ipId: 2, icmpCode: 9, quotedSrcPort: 40000, quotedDstPort: 80, quotedSeq: 1000 },
    ],
    [
      'host administratively prohibited (10), quoted IP options',
      F.ETH_ICMP4_HOST_PROHIB_10_QUOTE_OPTIONS,
      { src: ROUTER, ttl: 250, ipId: 3, icmpCode: 10, quotedSrcPort: 40010, quotedDstPort: 8080, quotedSeq: 555 },
    ],
    [
      'host unreachable (1)',
      F.ETH_ICMP4_HOST_UNREACH,
      { src: '::ffff:192.0.2.254', ttl: 64, ipId: 5, icmpCode: 1, quotedSrcPort: 40000, quotedDstPort: 80, quotedSeq: 1000 },
    ],
  ])('reads every field of %s', (_name, fixture, f) => {
    expect(decodeFixture(fixture)).toEqual({
      status: 'ok_icmp_unreach',
      fields: {
        kind: 2,
        ipVersion: 4,
        src: f.src,
        dst: CLIENT,
        ttl: f.ttl,
        ipId: f.ipId,
        vlanDepth: 0,
        vlanId: -1,
        icmpType: 3,
        icmpCode: f.icmpCode,
        quotedIpVersion: 4,
        quotedSrc: CLIENT,
        quotedDst: SERVER,
        quotedSrcPort: f.quotedSrcPort,
        quotedDstPort: f.quotedDstPort,
        quotedSeq: f.quotedSeq,
      },
    });
  });

  it.each([
    ['fragmentation needed', F.ETH_ICMP4_FRAG_NEEDED, 'icmp_frag_needed', ROUTER, CLIENT, 250, 6],
    ['a quoted UDP datagram', F.ETH_ICMP4_UNREACH_UDP, 'icmp_not_tcp', SERVER, CLIENT, 64, 7],
    ['an echo request', F.ETH_ICMP4_ECHO, 'not_tcp', CLIENT, SERVER, 64, 10],
  ])('skips %s', (_name, fixture, status, src, dst, ttl, ipId) => {
    expect(decodeFixture(fixture)).toEqual({
      status,
      fields: { kind: 0, ipVersion: 4, src, dst, ttl, ipId, vlanDepth: 0, vlanId: -1 },
    });
  });

  it.each([
    ['a quote shorter than IP header + 8 bytes', icmp4Unreach({ quote: tcp4(), quoteL4Bytes: 7 }), 'truncated_icmp'],
    ['a quote of 19 bytes', icmp4Unreach({ quote: tcp4(), quoteLen: 19 }), 'truncated_icmp'],
    ['an ICMP header of 7 bytes', icmp4({ type: 3, code: 3, body: Uint8Array.of(0, 0, 0) }), 'truncated_icmp'],
    ['a quoted IPv6 header', icmp4Unreach({ quote: tcp6() }), 'bad_icmp_quote'],
    ['a quoted IHL of 4', icmp4Unreach({ quote: tcp4({ ihlWords: 4 }) }), 'bad_icmp_quote'],
    ['a quoted non-first fragment', icmp4Unreach({ quote: ipv4({ protocol: 6, fragOffset: 10, payload: new Uint8Array(8) }) }), 'icmp_not_tcp'],
  ])('returns a status for %s', (_name, packet, status) => {
    expect(statusOf(packet, RAW)).toBe(status);
  });
});

describe('decodeIcmp6', () => {
  it.each([
    [
      'administratively prohibited (1), whole SYN quoted',
      F.ETH_ICMP6_ADMIN_PROHIB,
      { src: '2001:db8::fe', ttl: 64, icmpCode: 1, quotedDst: '2001:db8::2', quotedSrcPort: 40001, quotedDstPort: 443, quotedSeq: 3735928559 },
    ],
    [
      'address unreachable (3), quoted destination options',
      F.ETH_ICMP6_ADDR_UNREACH,
      { src: '2001:db8::fe', ttl: 255, icmpCode: 3, quotedDst: '2001:db8::3', quotedSrcPort: 40003, quotedDstPort: 25, quotedSeq: 99 },
    ],
    [
      'port unreachable (4), 8 TCP bytes',
      F.ETH_ICMP6_PORT_UNREACH,
      { src: '2001:db8::2', ttl: 64, icmpCode: 4, quotedDst: '2001:db8::2', quotedSrcPort: 40001, quotedDstPort: 443, quotedSeq: 3735928559 },
    ],
  ])('reads every field of %s', (_name, fixture, f) => {
    expect(decodeFixture(fixture)).toEqual({
      status: 'ok_icmp_unreach',
      fields: {
        kind: 2,
        ipVersion: 6,
        src: f.src,
        dst: '2001:db8::1',
        ttl: f.ttl,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        icmpType: 1,
        icmpCode: f.icmpCode,
        quotedIpVersion: 6,
        quotedSrc: '2001:db8::1',
        quotedDst: f.quotedDst,
        quotedSrcPort: f.quotedSrcPort,
        quotedDstPort: f.quotedDstPort,
        quotedSeq: f.quotedSeq,
      },
    });
  });

  it.each([
    ['packet too big (type 2)', icmp6({ type: 2, code: 0, body: new Uint8Array(60) }), 'not_tcp'],
    ['a quoted UDP datagram', icmp6Unreach({ quote: udp6() }), 'icmp_not_tcp'],
    [
      'a quoted non-first fragment',
      icmp6Unreach({ quote: ipv6({ nextHeader: 6, ext: [{ type: 'frag', offset: 3 }], payload: new Uint8Array(8) }) }),
      'icmp_not_tcp',
    ],
    ['a quote shorter than IPv6 + 8 bytes', icmp6Unreach({ quote: tcp6(), quoteL4Bytes: 7 }), 'truncated_icmp'],
    ['a quote cut inside an extension header', icmp6Unreach({ quote: tcp6({ ext: [{ type: 'hop', len: 16 }] }), quoteLen: 50 }), 'truncated_icmp'],
    ['a quoted IPv4 header', icmp6Unreach({ quote: tcp4({ payload: new Uint8Array(20) }) }), 'bad_icmp_quote'],
  ])('returns a status for %s', (_name, packet, status) => {
    expect(statusOf(packet, RAW)).toBe(status);
  });
});
