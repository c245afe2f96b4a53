/**
 * Cross-check of the decoders against tshark on the real captures in ../shared/pcaps: for every
 * TCP frame the addresses, ports, flags, raw sequence and ack numbers and TTL / hop limit; for
 * every ICMP unreachable the quoted tuple and sequence number; and the counts of both, per file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFrames } from './capture-frames.js';
import { fieldsOf } from './helpers.js';
import { DecodedPacket } from '../../src/wire/decoded-packet.js';
import { DecodeStatus } from '../../src/wire/status.js';
import { decodeFrame } from '../../src/wire/decode-frame.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const PCAPS = sharedPcaps();

const FIELDS = [
  'frame.number',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'ip.ttl',
  'ipv6.hlim',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
] as const;

/** tshark's view of one frame: each field's occurrences (outer first, then the ICMP-quoted one). */
type Row = Record<(typeof FIELDS)[number], string[]>;

function tsharkRows(file: string): Map<number, Row> {
  const args = [
    '-r',
    file,
    '-n',
    '-T',
    'fields',
    '-E',
    'separator=\t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    '-o',
    'tcp.relative_sequence_numbers:FALSE',
    '-o',
    'ip.defragment:FALSE',
    '-o',
    'ipv6.defragment:FALSE',
    ...FIELDS.flatMap((f) => ['-e', f]),
  ];
  const text = execFileSync('tshark', args, { maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const rows = new Map<number, Row>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    const row = Object.fromEntries(FIELDS.map((f, i) => [f, cols[i] ? cols[i].split(',') : []])) as Row;
    rows.set(Number(row['frame.number'][0]), row);
  }
  return rows;
}

/** An ICMPv4 type 3 (not code 4) or ICMPv6 type 1 in which tshark found a quoted TCP header. */
function isTsharkIcmpUnreach(r: Row): boolean {
  if (r['tcp.srcport'].length === 0) return false;
  if (r['icmp.type'][0] === '3') return r['icmp.code'][0] !== '4';
  return r['icmpv6.type'][0] === '1';
}

function isTsharkTcp(r: Row): boolean {
  return r['tcp.srcport'].length > 0 && r['icmp.type'].length === 0 && r['icmpv6.type'].length === 0;
}

/** The outer (i = 0) or quoted (i = 1) address pair of a row, as formatAddress writes them. */
function addresses(r: Row, i: number): [string, string] {
  if (r['ip.src'].length > i) return [`::ffff:${r['ip.src'][i]}`, `::ffff:${r['ip.dst'][i]}`];
  return [r['ipv6.src'][i], r['ipv6.dst'][i]];
}

describe('decoders agree with tshark on real captures', () => {
  it('finds the captures', () => {
    expect(existsSync(PCAPS), `${PCAPS} is missing: the shared captures must sit beside the repository`).toBe(true);
    expect(readdirSync(PCAPS).filter((f) => /\.(pcap|pcapng|cap)$/.test(f)).length).toBeGreaterThan(0);
  });

  const files = readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .sort();
  it.each(files)('%s', (name) => {
    const file = path.join(PCAPS, name);
    const rows = tsharkRows(file);
    const frames = readFrames(file);
    expect(frames.length).toBe(rows.size);
    const out = new DecodedPacket();
    let oursTcp = 0;
    let oursIcmp = 0;
    let theirsTcp = 0;
    let theirsIcmp = 0;
    frames.forEach((frame, i) => {
      const r = rows.get(i + 1)!;
      const status = decodeFrame(frame.bytes, 0, frame.bytes.length, frame.linkType, out);
      const f = fieldsOf(out);
      const where = `${name} frame ${i + 1}`;
      if (isTsharkTcp(r)) {
        theirsTcp++;
        expect(status, where).toBe(DecodeStatus.OK_TCP);
        const ttl = r['ip.ttl'][0] ?? r['ipv6.hlim'][0];
        expect(f, where).toMatchObject({
          src: addresses(r, 0)[0],
          dst: addresses(r, 0)[1],
          ttl: Number(ttl),
          srcPort: Number(r['tcp.srcport'][0]),
          dstPort: Number(r['tcp.dstport'][0]),
          seq: Number(r['tcp.seq_raw'][0]),
          ack: Number(r['tcp.ack_raw'][0]),
        });
        // tshark's tcp.flags is 12 bits: the 3 reserved bits above NS and the 8 classic flags.
        expect((out.tcpReserved << 9) | out.tcpFlags, where).toBe(parseInt(r['tcp.flags'][0], 16));
      } else if (isTsharkIcmpUnreach(r)) {
        theirsIcmp++;
        expect(status, where).toBe(DecodeStatus.OK_ICMP_UNREACH);
        expect(f, where).toMatchObject({
          src: addresses(r, 0)[0],
          dst: addresses(r, 0)[1],
          quotedSrc: addresses(r, 1)[0],
          quotedDst: addresses(r, 1)[1],
          quotedSrcPort: Number(r['tcp.srcport'][0]),
          quotedDstPort: Number(r['tcp.dstport'][0]),
          // tshark leaves tcp.seq_raw out of an 8-byte quote; with relative numbers off tcp.seq is raw.
          quotedSeq: Number(r['tcp.seq'][0]),
        });
      }
      if (status === DecodeStatus.OK_TCP) oursTcp++;
      if (status === DecodeStatus.OK_ICMP_UNREACH) oursIcmp++;
    });
    expect({ tcp: oursTcp, icmpUnreach: oursIcmp }).toEqual({ tcp: theirsTcp, icmpUnreach: theirsIcmp });
  });
});
