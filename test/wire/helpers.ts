/** Helpers of the wire decoder tests: decode a fixture and show the result as a plain object. */
import { DecodedPacket, PacketKind } from '../../src/wire/decoded-packet.js';
import { DECODE_STATUS_NAMES } from '../../src/wire/status.js';
import { decodeFrame } from '../../src/wire/decode-frame.js';
import type { Fixture } from './fixtures.js';

/** RFC 5952 text of four big-endian words; IPv4-mapped addresses as `::ffff:a.b.c.d`. */
export function formatAddress(w: Uint32Array): string {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0x0000ffff) {
    return `::ffff:${w[3] >>> 24}.${(w[3] >>> 16) & 0xff}.${(w[3] >>> 8) & 0xff}.${w[3] & 0xff}`;
  }
  const groups: number[] = [];
  for (const word of w) groups.push(word >>> 16, word & 0xffff);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const text = groups.map((g) => g.toString(16));
  if (bestAt < 0) return text.join(':');
  return `${text.slice(0, bestAt).join(':')}::${text.slice(bestAt + bestLen).join(':')}`;
}

/** Every field of `out` that its `kind` makes meaningful, addresses as text. */
export function fieldsOf(out: DecodedPacket): Record<string, unknown> {
  const common = {
    kind: out.kind,
    ipVersion: out.ipVersion,
    src: formatAddress(out.src),
    dst: formatAddress(out.dst),
    ttl: out.ttl,
    ipId: out.ipId,
    vlanDepth: out.vlanDepth,
    vlanId: out.vlanId,
  };
  if (out.kind === PacketKind.Tcp) {
    return {
      ...common,
      srcPort: out.srcPort,
      dstPort: out.dstPort,
      seq: out.seq,
      ack: out.ack,
      tcpFlags: out.tcpFlags,
      tcpReserved: out.tcpReserved,
      tcpDataOffsetWords: out.tcpDataOffsetWords,
      tcpWindow: out.tcpWindow,
      tcpPayloadLen: out.tcpPayloadLen,
    };
  }
  if (out.kind === PacketKind.IcmpUnreach) {
    return {
      ...common,
      icmpType: out.icmpType,
      icmpCode: out.icmpCode,
      quotedIpVersion: out.quotedIpVersion,
      quotedSrc: formatAddress(out.quotedSrc),
      quotedDst: formatAddress(out.quotedDst),
      quotedSrcPort: out.quotedSrcPort,
      quotedDstPort: out.quotedDstPort,
      quotedSeq: out.quotedSeq,
    };
  }
  return common;
}

/** Decodes `bytes` as one frame and returns the status name and `fieldsOf` the result. */
export function decodeBytes(bytes: Uint8Array, linkType: number): { status: string; fields: Record<string, unknown> } {
  const out = new DecodedPacket();
  const status = decodeFrame(bytes, 0, bytes.length, linkType, out);
  return { status: DECODE_STATUS_NAMES[status], fields: fieldsOf(out) };
}

/** `decodeBytes` of a fixture. */
export function decodeFixture(f: Fixture): { status: string; fields: Record<string, unknown> } {
  return decodeBytes(f.bytes, f.linkType);
}

/** The status name alone of decoding `bytes`. */
export function statusOf(bytes: Uint8Array, linkType: number): string {
  return decodeBytes(bytes, linkType).status;
}
