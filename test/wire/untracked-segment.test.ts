/**
 * isUntrackedTcpSegment is a shortcut past the decoder: whenever it says true, decodeFrame must say
 * OK_TCP without SYN or RST. Checked on random bytes and on mutated real frames (and, in
 * untracked-segment-captures.test.ts, on every frame of the project's and the shared captures); and
 * it must say true for plain data segments (or it saves nothing).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUntrackedTcpSegment } from '../../src/wire/untracked-segment.js';
import { ethernet, tcp4, tcp6 } from '../../kit/craft.js';
import { agrees, untrackedByDecoder } from './untracked-agreement.js';
import { propertyRuns } from '../support/property.js';

describe('isUntrackedTcpSegment', () => {
  it('says true for data, ACK and FIN segments over IPv4 and IPv6, and false for SYN, SYN-ACK, RST', () => {
    for (const ip of [tcp4, tcp6]) {
      for (const flags of ['.', 'P.', 'F.', 'FP.']) {
        const f = ethernet(ip({ flags, payload: new Uint8Array(100) }));
        expect(isUntrackedTcpSegment(f, 0, f.length, 1), `${flags}`).toBe(true);
        expect(untrackedByDecoder(f, 0, f.length, 1)).toBe(true);
      }
      for (const flags of ['S', 'S.', 'R', 'R.', 'SR']) {
        const f = ethernet(ip({ flags }));
        expect(isUntrackedTcpSegment(f, 0, f.length, 1), `${flags}`).toBe(false);
      }
    }
  });

  it('leaves every other layout to the decoder (false)', () => {
    const data = { flags: 'P.', payload: new Uint8Array(10) };
    expect(isUntrackedTcpSegment(ethernet(tcp4(data), { vlans: [7] }), 0, 200, 1)).toBe(false);
    expect(isUntrackedTcpSegment(ethernet(tcp4({ ...data, ipOptions: new Uint8Array(4) })), 0, 200, 1)).toBe(false);
    expect(isUntrackedTcpSegment(ethernet(tcp6({ ...data, ext: [{ type: 'hop' }] })), 0, 200, 1)).toBe(false);
    const f = ethernet(tcp4(data));
    expect(isUntrackedTcpSegment(f, 0, f.length, 113)).toBe(false); // not Ethernet
    expect(isUntrackedTcpSegment(f, 0, 14 + 20 + 19, 1)).toBe(false); // the TCP header cut
  });

  it('never says true where the decoder does not: random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 120 }), (bytes) => {
        agrees(bytes, 0, bytes.length, 1);
      }),
      propertyRuns(20000),
    );
  });

  it('never says true where the decoder does not: real frames with bytes changed, lengths cut, offsets moved', () => {
    const seeds = [
      ethernet(tcp4({ flags: 'P.', payload: new Uint8Array(40) })),
      ethernet(tcp6({ flags: '.', payload: new Uint8Array(40) })),
      ethernet(tcp4({ flags: 'F.' })),
    ];
    let saidTrue = 0;
    const runs = propertyRuns(30000);
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }),
        fc.nat({ max: 120 }),
        fc.nat({ max: 3 }),
        (seed, changes, cut, shift) => {
          const b = new Uint8Array(shift + seed.length);
          b.set(seed, shift);
          for (const [at, v] of changes) b[shift + (at % seed.length)] = v;
          if (agrees(b, shift, Math.min(cut, seed.length), 1)) saidTrue++;
          if (agrees(b, shift, seed.length + 64, 1)) saidTrue++; // a capLen past the buffer
        },
      ),
      runs,
    );
    // Two checks a case: it must say true for a fair share of them (1000 of 60,000 in a long run),
    // or it saves nothing.
    expect(saidTrue).toBeGreaterThan(runs.numRuns / 30);
  });
});
