import { describe, expect, it } from 'vitest';
import * as F from './fixtures.js';
import { decodeBytes, decodeFixture, statusOf } from './helpers.js';
import { tcp4, tcp6 } from '../../kit/craft.js';
import { TCP_CWR, TCP_ECE, TCP_NS, TCP_SYN } from '../../src/wire/decoded-packet.js';

const RAW = 101;

describe('decodeTcp', () => {
  it('reads every field, NS and the reserved bits included', () => {
    expect(decodeFixture(F.ETH_IPV4_SYN_ECN_NS_RESERVED)).toEqual({
      status: 'ok_tcp',
      fields: {
        kind: 1,
        ipVersion: 4,
        src: '::ffff:192.0.2.7',
        dst: '::ffff:198.51.100.9',
        ttl: 1,
        ipId: 65535,
        vlanDepth: 0,
        vlanId: -1,
        srcPort: 1,
        dstPort: 65535,
        seq: 4294967295,
        ack: 2147483648,
        tcpFlags: TCP_SYN | TCP_ECE | TCP_CWR | TCP_NS,
        tcpReserved: 0b101,
        tcpDataOffsetWords: 5,
        tcpWindow: 1024,
        tcpPayloadLen: 0,
      },
    });
  });

  it.each(['F', 'S', 'R', 'P', '.', 'U', 'E', 'W', 'N'])('reads flag %s alone', (flag) => {
    const letters = 'FSRP.UEWN';
    expect(decodeBytes(tcp4({ flags: flag }), RAW).fields.tcpFlags).toBe(1 << letters.indexOf(flag));
  });

  it('tolerates options cut by the snapshot length', () => {
    const syn = tcp6({ tcpOptions: new Uint8Array(40).fill(1) });
    expect(decodeBytes(syn.subarray(0, 60), RAW)).toMatchObject({
      status: 'ok_tcp',
      fields: { tcpDataOffsetWords: 15, tcpPayloadLen: 0 },
    });
  });

  it.each([0, 1, 4])('rejects data offset %i', (words) => {
    expect(statusOf(tcp4({ dataOffsetWords: words }), RAW)).toBe('bad_tcp_data_offset');
  });

  it('rejects a data offset beyond the segment', () => {
    expect(statusOf(tcp4({ dataOffsetWords: 6 }), RAW)).toBe('bad_tcp_data_offset');
  });

  it('gives the payload length from the IP lengths, minus options', () => {
    const seg = tcp4({ tcpOptions: new Uint8Array(12), payload: new Uint8Array(33) });
    expect(decodeBytes(seg, RAW).fields).toMatchObject({ tcpDataOffsetWords: 8, tcpPayloadLen: 33 });
  });
});
