import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeBytes, decodeFixture, statusOf } from './helpers.js';
import { sll, tcp4, tcp6 } from '../../kit/craft.js';
import { TCP_SYN } from '../../src/wire/decoded-packet.js';

describe('decodeSll', () => {
  it('reads every field of an outgoing IPv4 SYN', () => {
    expect(decodeFixture(F.SLL_IPV4_SYN)).toEqual({
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

  it('skips protocol 0x0004 (802.2 LLC), which is no EtherType', () => {
    expect(decodeFixture(F.SLL_8022).status).toBe('not_ip');
  });

  it('skips netlink captures, whose protocol field is a netlink family', () => {
    expect(statusOf(sll(tcp6(), { arphrd: 824, protocol: 0x86dd }), 113)).toBe('not_ip');
  });

  it('strips a VLAN tag left in the frame', () => {
    const tagged = sll(Uint8Array.of(0x00, 0x2a, 0x08, 0x00, ...tcp4()), { protocol: 0x8100 });
    expect(decodeBytes(tagged, 113)).toMatchObject({ status: 'ok_tcp', fields: { vlanDepth: 1, vlanId: 42 } });
  });
});
