import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeBytes, decodeFixture, statusOf } from './helpers.js';
import { ipv6, tcp6, type Ipv6Ext } from '../../kit/craft.js';
import { TCP_SYN } from '../../src/wire/decoded-packet.js';

const RAW = 101;

describe('decodeIpv6', () => {
  it('reads every field through hop-by-hop, routing, destination options and a first fragment header', () => {
    expect(decodeFixture(F.ETH_IPV6_EXT_CHAIN_SYN)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 6,
        src: '2001:db8::1',
        dst: '2001:db8::2',
        ttl: 60,
        ipId: 0x1234,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 40002,
        dstPort: 22,
        seq: 123456789,
        ack: 0,
        tcpFlags: TCP_SYN,
        tcpReserved: 0,
        tcpDataOffsetWords: 5,
        tcpWindow: 64240,
        tcpPayloadLen: 0,
      },
    });
  });

  it('skips a non-first fragment; ipId is the low half of its identification', () => {
    expect(decodeFixture(F.ETH_IPV6_FRAGMENT_LATER)).toEqual({
      status: 'ip_fragment',
      fields: { kind: 0, ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', ttl: 64, ipId: 0xcafe, vlanDepth: 0, vlanId: -1 },
    });
  });

  it('skips no next header (59)', () => {
    expect(decodeFixture(F.ETH_IPV6_NO_NEXT_HEADER)).toEqual({
      status: 'not_tcp',
      fields: { kind: 0, ipVersion: 6, src: '2001:db8::1', dst: '2001:db8::2', ttl: 64, ipId: 0, vlanDepth: 0, vlanId: -1 },
    });
  });

  it('walks an authentication header', () => {
    const ah = tcp6({ ext: [{ type: 'ah', len: 24 }], payload: Uint8Array.of(1, 2, 3) });
    expect(decodeBytes(ah, RAW)).toMatchObject({ status: 'ok_tcp', fields: { tcpPayloadLen: 3 } });
  });

  it('walks 8 extension headers and refuses a ninth', () => {
    const dst: Ipv6Ext = { type: 'dst' };
    expect(statusOf(tcp6({ ext: new Array<Ipv6Ext>(8).fill(dst) }), RAW)).toBe('ok_tcp');
    expect(statusOf(tcp6({ ext: new Array<Ipv6Ext>(9).fill(dst) }), RAW)).toBe('ipv6_too_many_ext');
  });

  it('tells a payload length too short for the headers from a capture cut', () => {
    expect(statusOf(tcp6({ ext: [{ type: 'hop', len: 16 }], payloadLen: 8 }), RAW)).toBe('bad_ip_length');
    expect(statusOf(tcp6({ payloadLen: 12 }), RAW)).toBe('bad_ip_length');
    expect(statusOf(tcp6({ ext: [{ type: 'hop', len: 16 }] }).subarray(0, 50), RAW)).toBe('truncated_ip');
  });

  it('reads a payload length of 0 (jumbogram or offload) as the captured length', () => {
    expect(decodeBytes(tcp6({ payloadLen: 0, payload: new Uint8Array(70000) }), RAW)).toMatchObject({
      status: 'ok_tcp',
      fields: { tcpPayloadLen: 70000 },
    });
  });

  it('skips UDP and rejects a version 4 nibble', () => {
    expect(statusOf(ipv6({ nextHeader: 17, payload: new Uint8Array(8) }), 229)).toBe('not_tcp');
    expect(statusOf(Uint8Array.of(0x45, ...tcp6().subarray(1)), 229)).toBe('bad_ip_version');
  });
});
