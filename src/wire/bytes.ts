/**
 * Big-endian reads and address copies on a frame buffer. Callers check the bounds first: these
 * helpers never do (a read past the end of a `Uint8Array` yields `undefined`, not a throw, so an
 * unchecked read is a wrong number, never a crash).
 */

/** The unsigned 16-bit big-endian value at `b[o]`. */
export function readU16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

/**
 * The 32-bit big-endian value at `b[o]`, as a signed 32-bit integer: the caller applies `>>> 0`
 * where it stores the unsigned value. A function that returns a number of 2^31 or more boxes it
 * (one heap allocation per call) whenever V8 does not inline the call, which was measured here.
 */
export function readI32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

/** Copies the IPv4 address at `b[o]` into `dst` as an IPv4-mapped address (`::ffff:a.b.c.d`). */
export function copyIpv4Mapped(dst: Uint32Array, b: Uint8Array, o: number): void {
  dst[0] = 0;
  dst[1] = 0;
  dst[2] = 0x0000ffff;
  dst[3] = readI32(b, o);
}

/** Copies the 16-byte IPv6 address at `b[o]` into `dst` as four big-endian words. */
export function copyIpv6(dst: Uint32Array, b: Uint8Array, o: number): void {
  dst[0] = readI32(b, o);
  dst[1] = readI32(b, o + 4);
  dst[2] = readI32(b, o + 8);
  dst[3] = readI32(b, o + 12);
}
