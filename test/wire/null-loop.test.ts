import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeFixture, statusOf } from './helpers.js';
import { loop, nullLoop, tcp4, tcp6 } from '../../kit/craft.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';

describe('decodeNull and decodeLoop', () => {
  it('reads every field of a NULL frame with a little-endian family (macOS AF_INET6 30)', () => {
    expect(decodeFixture(F.NULL_LE_IPV6_SYN)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 6,
        src: '::1',
        dst: '::1',
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 50000,
        dstPort: 6379,
        seq: 42,
        ack: 0,
        tcpFlags: TCP_SYN,
        tcpReserved: 0,
        tcpDataOffsetWords: 6,
        tcpWindow: 64240,
        tcpPayloadLen: 0,
      },
    });
  });

  it('reads every field of a NULL frame with a big-endian family (AF_INET 2)', () => {
    expect(decodeFixture(F.NULL_BE_IPV4_RST_ACK)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 4,
        src: '::ffff:127.0.0.1',
        dst: '::ffff:127.0.0.1',
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 6379,
        dstPort: 50001,
        seq: 0,
        ack: 43,
        tcpFlags: TCP_RST | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 0,
        tcpPayloadLen: 0,
      },
    });
  });

  it('reads every field of a LOOP frame (big-endian AF_INET6 24)', () => {
    expect(decodeFixture(F.LOOP_IPV6_SYN_ACK)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 6,
        src: '::1',
        dst: '::1',
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 6379,
        dstPort: 50000,
        seq: 7,
        ack: 43,
        tcpFlags: TCP_SYN | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 6,
        tcpWindow: 64240,
        tcpPayloadLen: 0,
      },
    });
  });

  it.each([2, 24, 28, 30])('accepts family %i in both byte orders on NULL', (family) => {
    const ip = family === 2 ? tcp4() : tcp6();
    expect(statusOf(nullLoop(ip, { family, littleEndian: true }), 0)).toBe('ok_tcp');
    expect(statusOf(nullLoop(ip, { family, littleEndian: false }), 0)).toBe('ok_tcp');
  });

  it('reads LOOP families big-endian only', () => {
    expect(statusOf(loop(tcp6(), { family: 28 }), 108)).toBe('ok_tcp');
    expect(statusOf(nullLoop(tcp4(), { littleEndian: true }), 108)).toBe('not_ip');
  });

  it.each([0, 10, 7, 0x1234])('skips unknown family %i', (family) => {
    expect(statusOf(nullLoop(tcp4(), { family }), 0)).toBe('not_ip');
  });

  it('rejects an IPv4 family in front of an IPv6 packet', () => {
    expect(statusOf(nullLoop(tcp6(), { family: 2 }), 0)).toBe('bad_ip_version');
  });
});
