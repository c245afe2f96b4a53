import { describe, expect, it } from 'vitest';
import * as fixtures from './fixtures.js';
import type { Fixture } from './fixtures.js';
import { fieldsOf } from './helpers.js';
import { DecodedPacket } from '../../src/wire/decoded-packet.js';
import { DECODE_STATUS_NAMES } from '../../src/wire/status.js';
import { decodeFrame } from '../../src/wire/decode-frame.js';

const ALL = Object.entries(fixtures).filter((e): e is [string, Fixture] => typeof e[1] === 'object');
const TRUNCATED = new Set(['truncated_link', 'truncated_ip', 'truncated_tcp', 'truncated_icmp']);

/** A deterministic byte pattern that is not all zeros: garbage for after the frame. */
function garbage(len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 151 + 77) & 0xff;
  return b;
}

describe('every truncation of every fixture', () => {
  it('has fixtures to walk', () => {
    expect(ALL.length).toBeGreaterThan(30);
  });

  it.each(ALL)("%s: each cut returns a truncated status or the whole frame's, garbage after it or not", (_name, f) => {
    const out = new DecodedPacket();
    const whole = DECODE_STATUS_NAMES[decodeFrame(f.bytes, 0, f.bytes.length, f.linkType, out)];
    // The frame at offset 5 of a larger buffer, followed by garbage the decoder must not read.
    const big = garbage(f.bytes.length + 64);
    big.set(f.bytes, 5);
    for (let len = 0; len < f.bytes.length; len++) {
      const cut = f.bytes.slice(0, len);
      const status = DECODE_STATUS_NAMES[decodeFrame(cut, 0, len, f.linkType, out)];
      if (!TRUNCATED.has(status)) expect(status, `cut at ${len}`).toBe(whole);
      const fields = fieldsOf(out);
      const statusInBig = DECODE_STATUS_NAMES[decodeFrame(big, 5, len, f.linkType, out)];
      expect(statusInBig, `cut at ${len} with garbage after`).toBe(status);
      expect(fieldsOf(out), `cut at ${len} with garbage after`).toEqual(fields);
    }
  });
});
