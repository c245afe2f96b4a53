import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeFixture, statusOf } from './helpers.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';

// Expected values are read off the tcpdump lines above each fixture in fixtures.ts.
const V4_CLIENT = '::ffff:192.0.2.1';
const V4_SERVER = '::ffff:198.51.100.2';

describe('decodeEthernet', () => {
  it.each([
    [
      'SYN',
      F.ETH_IPV4_SYN,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_CLIENT,
        dst: V4_SERVER,
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
    ],
    [
      'SYN-ACK',
      F.ETH_IPV4_SYN_ACK,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_SERVER,
        dst: V4_CLIENT,
        ttl: 57,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 80,
        dstPort: 40000,
        seq: 3000000000,
        ack: 1001,
        tcpFlags: TCP_SYN | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 10,
        tcpWindow: 65160,
        tcpPayloadLen: 0,
      },
    ],
    [
      'RST, Ethernet padding ignored',
      F.ETH_IPV4_RST,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_SERVER,
        dst: V4_CLIENT,
        ttl: 255,
        ipId: 48879,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 80,
        dstPort: 40000,
        seq: 1001,
        ack: 0,
        tcpFlags: TCP_RST,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 0,
        tcpPayloadLen: 0,
      },
    ],
    [
      'RST-ACK, Ethernet padding ignored',
      F.ETH_IPV4_RST_ACK,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_SERVER,
        dst: V4_CLIENT,
        ttl: 64,
        ipId: 0,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 80,
        dstPort: 40000,
        seq: 0,
        ack: 1001,
        tcpFlags: TCP_RST | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 0,
        tcpPayloadLen: 0,
      },
    ],
    [
      '802.1Q VLAN 100 with priority 5',
      F.ETH_VLAN_IPV4_SYN,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_CLIENT,
        dst: V4_SERVER,
        ttl: 64,
        ipId: 4660,
        vlanDepth: 1,
        vlanId: 100,
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
    ],
    [
      '802.1ad QinQ around IPv6',
      F.ETH_QINQ_IPV6_SYN,
      {
        kind: 1,
        ipVersion: 6,
        src: '2001:db8::1',
        dst: '2001:db8::2',
        ttl: 64,
        ipId: 0,
        vlanDepth: 2,
        vlanId: 200,
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
    ],
    [
      'legacy QinQ TPID 0x9100',
      F.ETH_QINQ_LEGACY_IPV4_SYN,
      {
        kind: 1,
        ipVersion: 4,
        src: V4_CLIENT,
        dst: V4_SERVER,
        ttl: 64,
        ipId: 4660,
        vlanDepth: 2,
        vlanId: 300,
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
    ],
  ])('reads every field of %s', (_name, fixture, fields) => {
    expect(decodeFixture(fixture)).toEqual({ status: 'ok_tcp', fields });
  });

  it.each([
    ['ARP', F.ETH_ARP, 'not_ip'],
    ['an 802.3 length field', F.ETH_8023_LLC, 'not_ip'],
    ['EtherType IPv4 carrying IPv6', F.ETH_IPV4_TYPE_V6_NIBBLE, 'bad_ip_version'],
  ])('returns the status of %s, with nothing decoded', (_name, fixture, status) => {
    expect(decodeFixture(fixture)).toEqual({
      status,
      fields: { kind: 0, ipVersion: 0, src: '::', dst: '::', ttl: 0, ipId: 0, vlanDepth: 0, vlanId: -1 },
    });
  });

  it('strips up to 4 stacked tags and refuses a fifth', () => {
    const ip = tcp4();
    expect(statusOf(ethernet(ip, { vlans: [1, 2, 3, 4] }), 1)).toBe('ok_tcp');
    expect(statusOf(ethernet(ip, { vlans: [1, 2, 3, 4, 5] }), 1)).toBe('too_many_vlan_tags');
  });

  it('skips a tagged frame that carries no IP', () => {
    expect(statusOf(ethernet(new Uint8Array(46), { vlans: [7], etherType: 0x0806 }), 1)).toBe('not_ip');
  });
});
