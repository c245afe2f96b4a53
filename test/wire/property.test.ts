import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecodedPacket } from '../../src/wire/decoded-packet.js';
import { DECODE_STATUS_COUNT, DecodeStatus } from '../../src/wire/status.js';
import { decodeFrame, SUPPORTED_LINK_TYPES } from '../../src/wire/decode-frame.js';
import { ethernet, loop, nullLoop, raw, sll, sll2, tcp4, tcp6 } from '../../kit/craft.js';
import { propertyRuns } from '../support/property.js';

const out = new DecodedPacket();

function isStatus(s: number): boolean {
  return Number.isInteger(s) && s >= 0 && s < DECODE_STATUS_COUNT;
}

describe('decodeFrame on random bytes', () => {
  it('never throws and returns a status, for every supported link type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...SUPPORTED_LINK_TYPES), (bytes, linkType) => {
        expect(isStatus(decodeFrame(bytes, 0, bytes.length, linkType, out))).toBe(true);
      }),
      propertyRuns(20000),
    );
  });

  it('returns ERR_UNSUPPORTED_LINK_TYPE for any other link type', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 0, max: 0xffff }).filter((lt) => !SUPPORTED_LINK_TYPES.includes(lt)),
        (bytes, linkType) => {
          expect(decodeFrame(bytes, 0, bytes.length, linkType, out)).toBe(DecodeStatus.ERR_UNSUPPORTED_LINK_TYPE);
        },
      ),
    );
  });

  // Random bytes rarely get past the IP version check; mutating real frames reaches TCP and ICMP.
  const seeds: [Uint8Array, number][] = [
    [ethernet(tcp4({ ipOptions: new Uint8Array(8) }), { vlans: [5, 6], qinq: true }), 1],
    [sll(tcp6({ ext: [{ type: 'hop' }, { type: 'frag' }] })), 113],
    [sll2(tcp4()), 276],
    [nullLoop(tcp6()), 0],
    [loop(tcp4()), 108],
    [raw(tcp6({ ext: [{ type: 'dst' }, { type: 'ah' }] })), 101],
  ];

  it('never throws on mutated real frames, with any capLen and offset', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat({ max: 120 }),
        fc.nat({ max: 8 }),
        ([frame, linkType], edits, capLen, offset) => {
          const buf = new Uint8Array(frame.length + offset);
          buf.set(frame, offset);
          for (const [at, value] of edits) buf[offset + (at % frame.length)] = value;
          expect(isStatus(decodeFrame(buf, offset, capLen, linkType, out))).toBe(true);
        },
      ),
      propertyRuns(20000),
    );
  });
});
