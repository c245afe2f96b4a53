import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeFixture, statusOf } from './helpers.js';
import { sll2, tcp4 } from '../../kit/craft.js';
import { TCP_ACK, TCP_RST } from '../../src/wire/decoded-packet.js';

describe('decodeSll2', () => {
  it('reads every field of an IPv6 RST-ACK', () => {
    expect(decodeFixture(F.SLL2_IPV6_RST_ACK)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 6,
        src: '2001:db8::2',
        dst: '2001:db8::1',
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 443,
        dstPort: 40001,
        seq: 0,
        ack: 3735928560,
        tcpFlags: TCP_RST | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 0,
        tcpPayloadLen: 0,
      },
    });
  });

  it.each([
    ['802.2 LLC', { protocol: 0x0004 }],
    ['ARP', { protocol: 0x0806 }],
    ['netlink', { protocol: 0x0800, arphrd: 824 }],
  ])('skips %s', (_name, options) => {
    expect(statusOf(sll2(tcp4(), options), 276)).toBe('not_ip');
  });
});
