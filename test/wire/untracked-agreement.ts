/**
 * The agreement the untracked-segment tests check: isUntrackedTcpSegment may say true only where
 * the decoder says OK_TCP without SYN or RST.
 */
import { expect } from 'vitest';
import { decodeFrame } from '../../src/wire/decode-frame.js';
import { DecodedPacket, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';
import { DecodeStatus } from '../../src/wire/status.js';
import { isUntrackedTcpSegment } from '../../src/wire/untracked-segment.js';

const out = new DecodedPacket();

/** The decoder's verdict: OK_TCP with neither SYN nor RST. */
export function untrackedByDecoder(b: Uint8Array, offset: number, capLen: number, linkType: number): boolean {
  return decodeFrame(b, offset, capLen, linkType, out) === DecodeStatus.OK_TCP && (out.tcpFlags & (TCP_SYN | TCP_RST)) === 0;
}

/** Asserts the shortcut never says true where the decoder disagrees; returns whether it said true. */
export function agrees(b: Uint8Array, offset: number, capLen: number, linkType: number): boolean {
  const fast = isUntrackedTcpSegment(b, offset, capLen, linkType);
  if (fast) expect(untrackedByDecoder(b, offset, capLen, linkType)).toBe(true);
  return fast;
}
