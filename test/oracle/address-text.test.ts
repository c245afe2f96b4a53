/**
 * The oracle's canonical address text (kit/tshark-oracle.ts `canonicalAddress`), written apart from
 * rstwatch's src/net/address.ts: IPv4 dotted, IPv6 as RFC 5952 writes it. Checked on the RFC's own
 * examples, on the forms tshark and people write, and against Node's own formatter (node:net
 * SocketAddress, libuv's inet_ntop) on random addresses. Pure: no tshark.
 */
import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalAddress, formatIpv6, ipv6Groups, parseTsharkLine, TSHARK_FIELDS } from '../../kit/tshark-oracle.js';
import { propertyRuns } from '../support/property.js';

describe('canonicalAddress: IPv4', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['010.000.002.001', '10.0.2.1'], // leading zeros read as decimal, written without
  ])('%s is %s', (text, canonical) => {
    expect(canonicalAddress(4, text)).toBe(canonical);
  });

  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.x', '', '::1', '1..2.3', '1234.1.1.1'])('%j is not an IPv4 address', (text) => {
    expect(() => canonicalAddress(4, text)).toThrow(/not an IPv4 address/);
  });
});

describe('canonicalAddress: IPv6 (RFC 5952)', () => {
  it.each([
    // Section 4.1: no leading zeros. 4.2.1: the longest run of zero groups compressed.
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    // 4.2.2: a single zero group is not compressed.
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:db8::1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // 4.2.3: the longest run wins; of equal runs, the first.
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    // 4.3: lower case.
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    ['FE80::0001', 'fe80::1'],
    // The ends and the extremes.
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:1:0:0:0:0:0', '0:0:1::'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'], // a one-group "::" is written out
    // Section 5: IPv4-mapped addresses in mixed notation, however they were written.
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:FFFF:C000:0201', '::ffff:192.0.2.1'],
    // Other embedded IPv4 forms are plain hex (only ::ffff:0:0/96 is mixed here).
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('%s is %s', (text, canonical) => {
    expect(canonicalAddress(6, text)).toBe(canonical);
  });

  it.each([':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '1::2::3', '12345::', 'g::1', ':1::', '1:2:3:4:5:6:7:8::', '::1.2.3', '192.0.2.1', ''])(
    '%j is not an IPv6 address',
    (text) => {
      expect(() => canonicalAddress(6, text)).toThrow(/not an IPv6 address/);
    },
  );

  it('ipv6Groups reads every form into eight groups', () => {
    expect(ipv6Groups('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  /** Eight groups, mostly zero or small, so that runs of zeros of every length and place occur. */
  const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 0xf }), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  });

  it("agrees with Node's formatter (node:net SocketAddress) on random addresses, and reads back to the same groups", () => {
    fc.assert(
      fc.property(groups, (g) => {
        const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
        const ours = canonicalAddress(6, full);
        // libuv writes ::a.b.c.d (the deprecated IPv4-compatible form, RFC 4291 section 2.5.5.1)
        // in mixed notation too; RFC 5952 section 5 asks it only of the mapped prefix.
        const ipv4Compatible = g.slice(0, 6).every((x) => x === 0) && g[6] !== 0;
        if (!ipv4Compatible) expect(ours).toBe(new SocketAddress({ address: full, family: 'ipv6' }).address);
        expect(ipv6Groups(ours)).toEqual(g);
        expect(canonicalAddress(6, ours)).toBe(ours);
      }),
      propertyRuns(20_000),
    );
  });

  it('the IPv4-compatible form, where Node writes mixed notation, is plain hex here', () => {
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0xc000, 0x201])).toBe('::c000:201');
    expect(new SocketAddress({ address: '::c000:201', family: 'ipv6' }).address).toBe('::192.0.2.1');
  });
});

describe('parseTsharkLine writes addresses in canonical text', () => {
  const line = (fields: Partial<Record<(typeof TSHARK_FIELDS)[number], string>>): string => TSHARK_FIELDS.map((f) => fields[f] ?? '').join('\t');

  it('an IPv6 TCP segment and an ICMPv6 quote, written with upper case and leading zeros', () => {
    const tcp = parseTsharkLine(
      line({
        'frame.time_epoch': '1.000001000',
        'frame.protocols': 'eth:ethertype:ipv6:tcp',
        'ipv6.src': '2001:DB8:0:0:0:0:0:0001',
        'ipv6.dst': '2001:0db8::0002',
        'tcp.srcport': '1',
        'tcp.dstport': '2',
        'tcp.flags': '0x0002',
        'tcp.seq_raw': '5',
      }),
    );
    expect(tcp).toMatchObject({ src: '2001:db8::1', dst: '2001:db8::2', timeNs: 1_000_001_000n });
    const icmp = parseTsharkLine(
      line({
        'frame.time_epoch': '2',
        'frame.protocols': 'eth:ethertype:ipv6:icmpv6:ipv6:tcp',
        'ipv6.src': 'FE80::1,2001:DB8::0001',
        'ipv6.dst': '2001:db8::1,2001:DB8::0002',
        'tcp.srcport': '1',
        'tcp.dstport': '2',
        'icmpv6.type': '1',
        'icmpv6.code': '4',
      }),
    );
    expect(icmp).toMatchObject({ kind: 'icmp', quoted: { src: '2001:db8::1', dst: '2001:db8::2' } });
  });
});
