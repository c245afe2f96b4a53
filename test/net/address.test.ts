import { describe, expect, it } from 'vitest';
import { isRstwatchError } from '../../src/base/errors.js';
import { formatAddress, parseAddress, parseCidr, parseIpv4 } from '../../src/net/address.js';
import { IPV4_MAPPED_WORD2 } from '../../src/wire/decoded-packet.js';

describe('parseIpv4', () => {
  it.each<[string, number]>([
    ['0.0.0.0', 0],
    ['192.0.2.1', 0xc0000201],
    ['255.255.255.255', 0xffffffff],
  ])('%s -> %d', (text, v) => {
    expect(parseIpv4(text)).toBe(v);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.x', '1.2.3.1234', ' 1.2.3.4', '::1'])('%j is not one', (text) => {
    expect(parseIpv4(text)).toBe(-1);
  });
});

describe('parseAddress and formatAddress', () => {
  it('stores IPv4 IPv4-mapped', () => {
    expect([...(parseAddress('192.0.2.1') as Uint32Array)]).toEqual([0, 0, IPV4_MAPPED_WORD2, 0xc0000201]);
  });

  it.each<[string, string]>([
    ['192.0.2.1', '192.0.2.1'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::1:2:3:4', 'fe80::1:2:3:4'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('%s formats as %s (RFC 5952)', (text, formatted) => {
    const w = parseAddress(text);
    expect(w).not.toBeNull();
    expect(formatAddress(w as Uint32Array)).toBe(formatted);
  });

  it('formats words at an offset', () => {
    const w = new Uint32Array(8);
    w.set(parseAddress('2001:db8::7') as Uint32Array, 4);
    expect(formatAddress(w, 4)).toBe('2001:db8::7');
  });

  it.each(['', 'host', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '12345::1', '::1.2.3.256', '1:2:3:4:5:6:7::8'])(
    '%j is not an address',
    (text) => {
      expect(parseAddress(text)).toBeNull();
    },
  );
});

describe('parseCidr', () => {
  it.each<[string, string]>([
    ['192.0.2.7/24', '192.0.2.0/24'],
    ['192.0.2.7', '192.0.2.7/32'],
    ['10.1.2.3/0', '0.0.0.0/0'],
    ['2001:DB8::1/32', '2001:db8::/32'],
    ['2001:db8::1', '2001:db8::1/128'],
  ])('%s is %s', (text, normalised) => {
    expect(parseCidr(text).text).toBe(normalised);
  });

  it('masks an IPv4 network in its IPv4-mapped words', () => {
    const n = parseCidr('192.0.2.0/24');
    expect([...n.mask]).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffff00]);
    expect([...n.addr]).toEqual([0, 0, IPV4_MAPPED_WORD2, 0xc0000200]);
  });

  it.each<[string, RegExp]>([
    ['lan', /'lan' is not a network: 'lan' is not an IPv4 or IPv6 address/],
    ['300.1.1.1/8', /is not an IPv4 or IPv6 address/],
    ['192.0.2.0/33', /'192.0.2.0\/33' has a bad prefix length '33' \(0 to 32\)/],
    ['2001:db8::/129', /bad prefix length '129' \(0 to 128\)/],
    ['192.0.2.0/', /bad prefix length ''/],
  ])('rejects %j with RSTWATCH_ERR_CONFIG', (text, message) => {
    let caught: unknown;
    try {
      parseCidr(text);
    } catch (err) {
      caught = err;
    }
    expect(isRstwatchError(caught)).toBe(true);
    expect(caught).toMatchObject({ code: 'RSTWATCH_ERR_CONFIG', message: expect.stringMatching(message), hint: expect.stringContaining('192.0.2.0/24') });
  });
});
