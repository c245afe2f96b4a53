import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeBytes, decodeFixture, statusOf } from './helpers.js';
import { ethernet, ipv4, raw, tcp4 } from '../../kit/craft.js';
import { TCP_ACK, TCP_PSH } from '../../src/wire/decoded-packet.js';

const RAW = 101;

describe('decodeIpv4', () => {
  it('reads every field of a datagram with options (NOP, record route)', () => {
    expect(decodeFixture(F.ETH_IPV4_OPTIONS_PSH)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 4,
        src: '::ffff:192.0.2.1',
        dst: '::ffff:198.51.100.2',
        ttl: 63,
        ipId: 77,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 40000,
        dstPort: 80,
        seq: 1001,
        ack: 3000000001,
        tcpFlags: TCP_PSH | TCP_ACK,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 502,
        tcpPayloadLen: 5,
      },
    });
  });

  it('skips a non-first fragment, keeping its addresses', () => {
    expect(decodeFixture(F.ETH_IPV4_FRAGMENT_LATER)).toEqual({
      status: 'ip_fragment',
      fields: { kind: 0, ipVersion: 4, src: '::ffff:192.0.2.1', dst: '::ffff:198.51.100.2', ttl: 64, ipId: 16962, vlanDepth: 0, vlanId: -1 },
    });
  });

  it('skips UDP', () => {
    expect(decodeFixture(F.ETH_IPV4_UDP)).toEqual({
      status: 'not_tcp',
      fields: { kind: 0, ipVersion: 4, src: '::ffff:192.0.2.1', dst: '::ffff:198.51.100.2', ttl: 64, ipId: 11, vlanDepth: 0, vlanId: -1 },
    });
  });

  it('decodes the TCP header of a first fragment, its payload length that of the fragment', () => {
    const first = tcp4({ mf: true, payload: new Uint8Array(100) });
    expect(decodeBytes(first, RAW)).toMatchObject({ status: 'ok_tcp', fields: { tcpPayloadLen: 100 } });
  });

  it('takes the payload length from the total length, not the padded frame', () => {
    const padded = ethernet(tcp4({ payload: Uint8Array.of(1, 2) }), { padTo: 60 });
    expect(decodeBytes(padded, 1)).toMatchObject({ status: 'ok_tcp', fields: { tcpPayloadLen: 2 } });
  });

  it('accepts a total length beyond the snapshot length once the TCP header is in', () => {
    const whole = tcp4({ payload: new Uint8Array(1400) });
    expect(decodeBytes(whole.subarray(0, 40), RAW)).toMatchObject({ status: 'ok_tcp', fields: { tcpPayloadLen: 1400 } });
    expect(statusOf(whole.subarray(0, 39), RAW)).toBe('truncated_tcp');
  });

  it('reads a total length of 0 (segmentation offload) as the captured length', () => {
    const tso = tcp4({ totalLen: 0, payload: new Uint8Array(3000) });
    expect(decodeBytes(tso, RAW)).toMatchObject({ status: 'ok_tcp', fields: { tcpPayloadLen: 3000 } });
  });

  it.each([
    ['IHL 4', tcp4({ ihlWords: 4 }), 'bad_ipv4_header_len'],
    ['IHL beyond the total length', tcp4({ ihlWords: 15, totalLen: 40 }), 'bad_ipv4_header_len'],
    ['IHL beyond the captured bytes', tcp4({ ihlWords: 15, totalLen: 100 }), 'truncated_ip'],
    ['total length too short for TCP', tcp4({ totalLen: 30 }), 'bad_ip_length'],
    ['version 5', Uint8Array.of(0x55, ...tcp4().subarray(1)), 'bad_ip_version'],
    ['19 bytes', tcp4().subarray(0, 19), 'truncated_ip'],
  ])('rejects %s', (_name, packet, status) => {
    expect(statusOf(raw(packet), RAW)).toBe(status);
  });

  it('skips IP protocols other than TCP and ICMP', () => {
    expect(statusOf(ipv4({ protocol: 89, payload: new Uint8Array(40) }), RAW)).toBe('not_tcp');
  });
});
