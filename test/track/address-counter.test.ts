import { describe, expect, it } from 'vitest';
import { AddressCounter } from '../../src/track/address-counter.js';
import { parseAddress } from '../../src/net/address.js';

const a = (text: string): Uint32Array => parseAddress(text) as Uint32Array;

describe('AddressCounter', () => {
  it('counts per address and lists the top n, ties by lower address', () => {
    const c = new AddressCounter(100);
    const plan: [string, number][] = [
      ['192.0.2.9', 3],
      ['192.0.2.10', 5],
      ['2001:db8::1', 5],
      ['192.0.2.1', 3],
      ['198.51.100.1', 1],
    ];
    for (const [addr, n] of plan) for (let i = 0; i < n; i++) c.inc(a(addr));
    expect(c.size).toBe(5);
    // IPv4 addresses are IPv4-mapped (::ffff:a.b.c.d), numerically below 2001:db8::/32.
    expect(c.top(4)).toEqual([
      { address: '192.0.2.10', count: 5 },
      { address: '2001:db8::1', count: 5 },
      { address: '192.0.2.1', count: 3 },
      { address: '192.0.2.9', count: 3 },
    ]);
    expect(c.top(0)).toEqual([]);
    expect(c.top(10)).toHaveLength(5);
  });

  it('matches a full sort on many addresses', () => {
    const c = new AddressCounter(5000);
    const counts = new Map<string, number>();
    let seed = 7;
    for (let i = 0; i < 20000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const host = seed % 3000;
      const text = `10.${host >> 8}.${host & 255}.1`;
      c.inc(a(text));
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    const key = (t: string) => t.split('.').reduce((v, o) => v * 256 + Number(o), 0);
    const expected = [...counts.entries()].sort((x, y) => y[1] - x[1] || key(x[0]) - key(y[0])).slice(0, 15);
    expect(c.top(15).map((r) => [r.address, r.count])).toEqual(expected);
  });

  it('is bounded: counts for new addresses beyond capacity go to overflow', () => {
    const c = new AddressCounter(3);
    for (let i = 1; i <= 5; i++) c.inc(a(`192.0.2.${i}`));
    c.inc(a('192.0.2.1'));
    expect(c.size).toBe(3);
    expect(c.overflow).toBe(2);
    expect(c.top(1)).toEqual([{ address: '192.0.2.1', count: 2 }]);
  });
});
