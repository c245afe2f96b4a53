import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeFixture, statusOf } from './helpers.js';
import { LinkType } from '../../src/capture/frame-sink.js';
import { SUPPORTED_LINK_TYPES } from '../../src/wire/decode-frame.js';
import { TCP_SYN } from '../../src/wire/decoded-packet.js';

describe('decodeRaw', () => {
  it('reads every field of raw IPv4', () => {
    expect(decodeFixture(F.RAW_IPV4_SYN)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 4,
        src: '::ffff:192.0.2.1',
        dst: '::ffff:198.51.100.2',
        ttl: 64,
        ipId: 4660,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 40000,
        dstPort: 80,
        seq: 1000,
        ack: 0,
        tcpFlags: TCP_SYN,
        tcpReserved: 0,
        tcpDataOffsetWords: 6,
        tcpWindow: 64240,
        tcpPayloadLen: 0,
      },
    });
  });

  it('reads every field of raw IPv6', () => {
    expect(decodeFixture(F.RAW_IPV6_SYN)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 6,
        src: '2001:db8::1',
        dst: '2001:db8::2',
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 40001,
        dstPort: 443,
        seq: 3735928559,
        ack: 0,
        tcpFlags: TCP_SYN,
        tcpReserved: 0,
        tcpDataOffsetWords: 6,
        tcpWindow: 64240,
        tcpPayloadLen: 0,
      },
    });
  });

  it.each([LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14])('tells v4 from v6 by the nibble on link type %i', (lt) => {
    expect(statusOf(F.RAW_IPV4_SYN.bytes, lt)).toBe('ok_tcp');
    expect(statusOf(F.RAW_IPV6_SYN.bytes, lt)).toBe('ok_tcp');
    expect(statusOf(Uint8Array.of(0x50, ...new Array<number>(39).fill(0)), lt)).toBe('bad_ip_version');
    expect(statusOf(new Uint8Array(0), lt)).toBe('truncated_ip');
  });

  it('holds link types 228 and 229 to their own version', () => {
    expect(statusOf(F.RAW_IPV4_SYN.bytes, LinkType.IPV4)).toBe('ok_tcp');
    expect(statusOf(F.RAW_IPV6_SYN.bytes, LinkType.IPV4)).toBe('bad_ip_version');
    expect(statusOf(F.RAW_IPV6_SYN.bytes, LinkType.IPV6)).toBe('ok_tcp');
    expect(statusOf(F.RAW_IPV4_SYN.bytes, LinkType.IPV6)).toBe('bad_ip_version');
  });
});

describe('decodeFrame link types', () => {
  it('supports exactly the LinkType values of capture/frame-sink.ts', () => {
    expect([...SUPPORTED_LINK_TYPES].sort((a, b) => a - b)).toEqual(Object.values(LinkType).sort((a, b) => a - b));
  });

  it.each([LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP])(
    'decodes link type %i through decodeFrame',
    (lt) => {
      expect(statusOf(new Uint8Array(0), lt)).toMatch(/^truncated_/);
    },
  );

  it('reports an unknown link type (ETHERNET_MPACKET 274, IEEE 802.11 105)', () => {
    expect(statusOf(F.ETH_IPV4_SYN.bytes, 274)).toBe('unsupported_link_type');
    expect(statusOf(F.ETH_IPV4_SYN.bytes, 105)).toBe('unsupported_link_type');
  });
});
