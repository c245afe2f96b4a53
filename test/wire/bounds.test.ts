/**
 * The decoders read nothing outside the frame they are given. A frame is a view
 * `buf[offset, offset + capLen)` into the reader's buffer, next to other frames' bytes, and a read
 * past a Uint8Array's end yields `undefined` rather than a throw: an unchecked read would be a
 * wrong number, never a crash, so only watching every index finds it. Here the buffer is a Proxy
 * that records each index read outside the frame, for random bytes and for real frames with bytes
 * changed, cut anywhere and placed anywhere in a larger buffer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, SUPPORTED_LINK_TYPES } from '../../src/wire/decode-frame.js';
import { DecodedPacket } from '../../src/wire/decoded-packet.js';
import { DECODE_STATUS_COUNT } from '../../src/wire/status.js';
import { isUntrackedTcpSegment } from '../../src/wire/untracked-segment.js';
import { ethernet, icmp4Unreach, icmp6Unreach, loop, nullLoop, raw, sll, sll2, tcp4, tcp6 } from '../../kit/craft.js';
import { propertyRuns } from '../support/property.js';

/** `bytes` inside a buffer with `before` and `after` bytes around it, as a Proxy that notes reads outside [lo, hi). */
function watched(bytes: Uint8Array, before: number, after: number, capLen: number): { buf: Uint8Array; outside: number[] } {
  const target = new Uint8Array(before + bytes.length + after).fill(0xa5);
  target.set(bytes, before);
  const lo = before;
  const hi = before + capLen;
  const outside: number[] = [];
  const buf = new Proxy(target, {
    get(t, key) {
      if (typeof key === 'string' && /^-?\d+$/.test(key)) {
        const i = Number(key);
        if (i < lo || i >= hi) outside.push(i);
        return t[i];
      }
      return Reflect.get(t, key);
    },
  });
  return { buf, outside };
}

const out = new DecodedPacket();

/** Decodes `frame` cut to `capLen` at `before` in a larger buffer; expects a status and no read outside. */
function decodesWithin(frame: Uint8Array, linkType: number, capLen: number, before: number, after: number): void {
  const len = Math.min(capLen, frame.length);
  const { buf, outside } = watched(frame, before, after, len);
  const status = decodeFrame(buf, before, len, linkType, out);
  expect(Number.isInteger(status) && status >= 0 && status < DECODE_STATUS_COUNT).toBe(true);
  isUntrackedTcpSegment(buf, before, len, linkType);
  expect(outside, `link type ${linkType}, capLen ${len}`).toEqual([]);
}

// Frames that reach every decoder: tagged Ethernet, cooked, loopback, raw; IPv4 options, IPv6
// extension headers and fragments; ICMP errors quoting TCP.
const quoted = tcp4({ flags: 'S', sport: 40000, dport: 81 });
const seeds: [Uint8Array, number][] = [
  [ethernet(tcp4({ ipOptions: new Uint8Array(8), flags: 'S' }), { vlans: [5, 6], qinq: true }), 1],
  [ethernet(tcp4({ flags: 'P.', payload: new Uint8Array(30) })), 1],
  [ethernet(tcp6({ flags: '.', payload: new Uint8Array(30) })), 1],
  [ethernet(icmp4Unreach({ quote: quoted, quoteL4Bytes: 8 })), 1],
  [ethernet(icmp6Unreach({ quote: tcp6({ flags: 'S' }), quoteL4Bytes: 20 }), { vlans: [9] }), 1],
  [sll(tcp6({ ext: [{ type: 'hop' }, { type: 'frag' }] })), 113],
  [sll2(icmp4Unreach({ quote: quoted })), 276],
  [nullLoop(tcp6({ ext: [{ type: 'routing' }, { type: 'dst' }] })), 0],
  [loop(tcp4({ flags: 'R.' })), 108],
  [raw(tcp6({ ext: [{ type: 'dst' }, { type: 'ah' }] })), 101],
  [raw(tcp4({ mf: true, flags: 'S' })), 228],
  [raw(icmp6Unreach({ quote: tcp6({ ext: [{ type: 'frag', offset: 0, more: true }] }) })), 229],
];

describe('the decoders read only the frame', () => {
  it('random bytes of every supported link type, anywhere in a buffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.constantFrom(...SUPPORTED_LINK_TYPES),
        fc.nat({ max: 200 }),
        fc.nat({ max: 8 }),
        fc.nat({ max: 8 }),
        (bytes, linkType, capLen, before, after) => decodesWithin(bytes, linkType, capLen, before, after),
      ),
      propertyRuns(20000),
    );
  });

  it('real frames with bytes changed, cut at any length, anywhere in a buffer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat({ max: 160 }),
        fc.nat({ max: 8 }),
        fc.nat({ max: 8 }),
        ([frame, linkType], edits, capLen, before, after) => {
          const f = Uint8Array.from(frame);
          for (const [at, value] of edits) f[at % f.length] = value;
          decodesWithin(f, linkType, capLen, before, after);
        },
      ),
      propertyRuns(30000),
    );
  });

  it('every cut of every real frame, flush against the end of the buffer', () => {
    for (const [frame, linkType] of seeds) {
      for (let capLen = 0; capLen <= frame.length; capLen++) decodesWithin(frame.subarray(0, capLen), linkType, capLen, 3, 0);
    }
  });

  it('the watch itself sees a read outside the frame', () => {
    const { buf, outside } = watched(Uint8Array.of(1, 2, 3), 2, 2, 3);
    expect([buf[1], buf[2], buf[5], buf[7]]).toEqual([0xa5, 1, 0xa5, undefined]);
    expect(outside).toEqual([1, 5, 7]);
  });
});
