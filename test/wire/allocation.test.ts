import { describe, expect, it } from 'vitest';
import { PerformanceObserver } from 'node:perf_hooks';
import * as F from './fixtures.js';
import type { Fixture } from './fixtures.js';
import { DecodedPacket } from '../../src/wire/decoded-packet.js';
import { decodeFrame } from '../../src/wire/decode-frame.js';

const MIX: Fixture[] = [
  F.ETH_IPV4_SYN_ACK,
  F.ETH_ICMP6_ADMIN_PROHIB,
  F.ETH_IPV4_SYN,
  F.ETH_QINQ_IPV6_SYN,
  F.ETH_IPV6_EXT_CHAIN_SYN,
  F.ETH_ICMP6_ADDR_UNREACH,
  F.SLL_IPV4_SYN,
];

describe('decodeFrame allocates nothing', () => {
  it('reuses `out` and its address arrays, and keeps no reference to the frame buffer', () => {
    const out = new DecodedPacket();
    const { src, dst, quotedSrc, quotedDst } = out;
    const keys = Object.keys(out).sort();
    for (const f of MIX) {
      const buf = Uint8Array.from(f.bytes);
      decodeFrame(buf, 0, buf.length, f.linkType, out);
      expect(Object.keys(out).sort()).toEqual(keys);
      for (const value of Object.values(out)) {
        expect(value === buf || (value instanceof Uint8Array && value.buffer === buf.buffer)).toBe(false);
        expect(typeof value === 'number' || value instanceof Uint32Array).toBe(true);
      }
    }
    expect([out.src, out.dst, out.quotedSrc, out.quotedDst]).toEqual([src, dst, quotedSrc, quotedDst]);
    expect(out.src).toBe(src);
    expect(out.quotedDst).toBe(quotedDst);
  });

  it('triggers no garbage collection over three million decodes (a count, not a timing)', async () => {
    const out = new DecodedPacket();
    const decodeMany = (mix: Fixture[], n: number): void => {
      for (let i = 0; i < n; i++) {
        const f = mix[i % mix.length];
        decodeFrame(f.bytes, 0, f.bytes.length, f.linkType, out);
      }
    };
    // Warm up on small sequence numbers only, then switch to numbers above 2^31: the switch is what
    // once made V8 box every sequence number (see readI32 in src/wire/bytes.ts).
    decodeMany([F.ETH_IPV4_SYN], 200_000);
    decodeMany(MIX, 300_000); // let V8 settle after the switch: what stays is what every packet costs
    let collections = 0;
    const observer = new PerformanceObserver((list) => {
      collections += list.getEntries().length;
    });
    observer.observe({ entryTypes: ['gc'] });
    decodeMany(MIX, 3_000_000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // gc entries are delivered asynchronously
    observer.disconnect();
    // One allocation of 16 bytes per decode would be some 50 MB, about ten young-generation
    // collections; the allowance of 2 is for what the test runner itself left behind.
    expect(collections).toBeLessThanOrEqual(2);
  });
});
