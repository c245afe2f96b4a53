/**
 * How a PacketSource hands frames on: positionally, one call per frame, no object per frame.
 *
 * Buffer ownership: `buf` belongs to the source. The frame is the view
 * `buf[offset, offset + capLen)`; it is valid only until `onFrame` returns, after which the source
 * overwrites the buffer. A sink that needs bytes later must copy them.
 */
export interface FrameSink {
  /**
   * One captured frame.
   * @param buf the source's reused read buffer
   * @param offset byte offset of the frame's first byte in `buf`
   * @param capLen captured length in bytes (what is in `buf`)
   * @param origLen length of the frame on the wire, in bytes (>= capLen unless the file lies)
   * @param tsSec capture time, whole seconds since the Unix epoch (negative before it); never beyond
   *   MAX_DATE_SECONDS, except UNKNOWN_TIME_SECONDS for a frame whose time is unknown
   * @param tsNsec capture time, nanoseconds within the second (0..999_999_999)
   * @param linkType LINKTYPE_* value of the interface the frame came from
   */
  onFrame(buf: Uint8Array, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void;
}

/**
 * The largest capture time, in seconds either side of 1970, that a date can hold (ECMA-262: a time
 * value is at most 8.64e15 ms from the epoch, +275760-09-13). A file may hold later times
 * (pcapng's 64-bit counts and if_tsoffset reach about 2.8e19 s); frames so dated are read and
 * counted like any other, but their time is unknown: the reader gives them a known one (the frame
 * before's, src/capture/pcapng-drain.ts).
 */
export const MAX_DATE_SECONDS = 8.64e12;

/**
 * The capture time, in seconds, given to a frame whose own time is beyond the range of a date
 * when no frame near it has a known one: just outside the range, so that it prints as unknown
 * (null), and the same for every such frame, so that no time passes between them.
 */
export const UNKNOWN_TIME_SECONDS = -MAX_DATE_SECONDS - 1;

/** `ms` milliseconds since 1970 as ISO 8601, or null when no date holds it (out of range, or not finite). */
export function isoTime(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_SECONDS * 1000 ? new Date(ms).toISOString() : null;
}

/** LINKTYPE_* values (tcpdump.org/linktypes.html) that the decoders understand. */
export const LinkType = {
  /** BSD loopback: 4-byte address family in the capturing host's byte order. */
  NULL: 0,
  /** Ethernet II / 802.3. */
  ETHERNET: 1,
  /** DLT 12 as some systems write it: raw IP (libpcap maps it to RAW). */
  RAW_DLT12: 12,
  /** DLT 14 as OpenBSD writes it: raw IP (libpcap maps it to RAW). */
  RAW_DLT14: 14,
  /** Raw IPv4 or IPv6, no link header. */
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family, big-endian. */
  LOOP: 108,
  /** Linux cooked capture v1 (16-byte header). */
  LINUX_SLL: 113,
  /** Raw IPv4 only. */
  IPV4: 228,
  /** Raw IPv6 only. */
  IPV6: 229,
  /** Linux cooked capture v2 (20-byte header). */
  LINUX_SLL2: 276,
} as const;
