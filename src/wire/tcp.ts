/**
 * TCP header decoder (RFC 9293 section 3.1). Checksums are not verified: checksum offload makes
 * them wrong on the capturing host, and a refused connection is a refused connection either way.
 */
import { DecodedPacket, PacketKind } from './decoded-packet.js';
import { DecodeStatus } from './status.js';
import { readI32, readU16 } from './bytes.js';

/** Byte offsets within the TCP header, RFC 9293 section 3.1. */
const TCP_SRC_PORT = 0;
const TCP_DST_PORT = 2;
const TCP_SEQ = 4;
const TCP_ACK_NUM = 8;
/** Data offset (4 bits), reserved (3 bits), NS (1 bit; RFC 3540, historic). */
const TCP_OFFSET_RESERVED_NS = 12;
/** CWR ECE URG ACK PSH RST SYN FIN (RFC 9293 section 3.1, RFC 3168 section 6.1). */
const TCP_FLAGS = 13;
const TCP_WINDOW = 14;

/** Length in bytes of the TCP header without options: all the tracker needs. */
export const TCP_FIXED_HEADER_LEN = 20;
/** Smallest legal data offset, in 32-bit words (RFC 9293 section 3.1). */
const TCP_MIN_DATA_OFFSET_WORDS = 5;

/**
 * Decodes the TCP header at `b[o]` into `out` and returns a `DecodeStatus`.
 *
 * `end` is where readable bytes stop (the end of the IP datagram or of the capture, whichever comes
 * first); `ipPayloadLen` is the TCP segment's length in bytes according to the IP header. Only the
 * fixed 20 bytes must be captured: options cut off by the snapshot length are tolerated, as the
 * tracker reads none of them.
 */
export function decodeTcp(b: Uint8Array, o: number, end: number, ipPayloadLen: number, out: DecodedPacket): number {
  if (ipPayloadLen < TCP_FIXED_HEADER_LEN) return DecodeStatus.ERR_BAD_IP_LENGTH;
  if (end - o < TCP_FIXED_HEADER_LEN) return DecodeStatus.ERR_TRUNCATED_TCP;
  // BOUNDS: checked by the TCP_FIXED_HEADER_LEN check above, for every read below.
  const offsetByte = b[o + TCP_OFFSET_RESERVED_NS];
  const dataOffsetWords = offsetByte >> 4;
  const headerLen = dataOffsetWords << 2;
  if (dataOffsetWords < TCP_MIN_DATA_OFFSET_WORDS || headerLen > ipPayloadLen) {
    return DecodeStatus.ERR_BAD_TCP_DATA_OFFSET;
  }
  out.kind = PacketKind.Tcp;
  out.srcPort = readU16(b, o + TCP_SRC_PORT);
  out.dstPort = readU16(b, o + TCP_DST_PORT);
  out.seq = readI32(b, o + TCP_SEQ) >>> 0;
  out.ack = readI32(b, o + TCP_ACK_NUM) >>> 0;
  out.tcpFlags = ((offsetByte & 0x01) << 8) | b[o + TCP_FLAGS];
  out.tcpReserved = (offsetByte >> 1) & 0x07;
  out.tcpDataOffsetWords = dataOffsetWords;
  out.tcpWindow = readU16(b, o + TCP_WINDOW);
  out.tcpPayloadLen = ipPayloadLen - headerLen;
  return DecodeStatus.OK_TCP;
}
