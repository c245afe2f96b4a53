/**
 * The benchmark's captures, written packet by packet from templates (198.18.0.0/15 and
 * 2001:db8::/32 addresses, benchmark and documentation ranges: only bytes in a file, no traffic is
 * sent). Two kinds, because users bring both:
 *
 * - `ordinary`: per 1000 concurrent flows, interleaved: 55 % accepted connections (handshake, 20
 *   data segments, FIN exchange), 20 % refused (RST-ACK, a tenth of them after a SYN
 *   retransmission), 10 % ICMP port unreachable, 15 % unanswered (two SYN retransmissions). About
 *   70 % of the packets are data, ACKs and FINs.
 * - `flood`: every packet is a SYN or its answer, and almost every SYN a new tuple: half the flows
 *   are a random-source SYN flood on one server port (each source address and port used once, a
 *   bijective mix of the flow's number), half a port scan (one client sweeping the ports of a
 *   server). A quarter each accepted (SYN, SYN-ACK), refused (SYN, RST), ICMP-rejected (SYN, port
 *   unreachable) and unanswered (SYN and two retransmissions): 2.25 packets per tuple, so 2 M
 *   packets hold about 890 000 distinct tuples, more than the attempt table holds.
 *
 * One flow in five is IPv6 in both. Each writer returns what it wrote, which the benchmark holds
 * rstwatch's counts to.
 */
import { ethernet, icmp4Unreach, icmp6Unreach, tcp4, tcp6 } from '../kit/craft.js';
import { PcapFileWriter } from '../kit/pcap-writer.js';
import type { OracleResult } from '../kit/tshark-oracle.js';

/** The kinds of capture. */
export const CAPTURE_KINDS = ['ordinary', 'flood'] as const;
export type CaptureKind = (typeof CAPTURE_KINDS)[number];

/** What a written capture holds: its packets and tuples, and the attempt counts the oracle gives for it. */
export type Expected = { packets: number; tuples: number } & OracleResult['totals'];

/** A frame template and where to patch it (offsets within the frame). */
interface Template {
  frame: Uint8Array;
  v6: boolean;
  /** Offset of the TCP header (or of the quoted TCP header for ICMP). */
  tcp: number;
  /** Offsets of the source and destination addresses (outer; for ICMP also the quote's). */
  src: number;
  dst: number;
  quoteSrc: number;
  quoteDst: number;
}

const PAYLOAD = new Uint8Array(200).fill(0x61);

function template(ip: Uint8Array, v6: boolean, icmp: boolean): Template {
  const frame = ethernet(ip);
  const ipOff = 14;
  const ipHdr = v6 ? 40 : 20;
  const src = ipOff + (v6 ? 8 : 12);
  const dst = ipOff + (v6 ? 24 : 16);
  if (!icmp) return { frame, v6, tcp: ipOff + ipHdr, src, dst, quoteSrc: -1, quoteDst: -1 };
  const q = ipOff + ipHdr + 8; // ICMP header, then the quoted IP header
  return { frame, v6, tcp: q + ipHdr, src, dst, quoteSrc: q + (v6 ? 8 : 12), quoteDst: q + (v6 ? 24 : 16) };
}

function templates(v6: boolean) {
  const a = v6 ? { src: '2001:db8::1', dst: '2001:db8::2' } : { src: '198.18.0.1', dst: '198.19.0.1' };
  const tcp = (flags: string, payload?: Uint8Array) => (v6 ? tcp6({ ...a, flags, payload }) : tcp4({ ...a, flags, payload }));
  const syn = tcp('S');
  const icmp = v6
    ? icmp6Unreach({ src: a.dst, dst: a.src, code: 4, quote: syn, quoteL4Bytes: 8 })
    : icmp4Unreach({ src: a.dst, dst: a.src, code: 3, quote: syn, quoteL4Bytes: 8 });
  return {
    syn: template(syn, v6, false),
    synAck: template(tcp('S.'), v6, false),
    ack: template(tcp('.'), v6, false),
    data: template(tcp('P.', PAYLOAD), v6, false),
    fin: template(tcp('F.'), v6, false),
    rst: template(tcp('R.'), v6, false),
    icmp: template(icmp, v6, true),
  };
}

function putAddr(f: Uint8Array, off: number, v6: boolean, host: number, server: boolean): void {
  if (v6) {
    f[off + 12] = server ? 0xff : 0;
    f[off + 13] = (host >>> 16) & 0xff;
    f[off + 14] = (host >>> 8) & 0xff;
    f[off + 15] = host & 0xff;
  } else {
    // clients in 198.18.0.0/16, servers in 198.19.0.0/16
    f[off + 1] = server ? 19 : 18;
    f[off + 2] = (host >>> 8) & 0xff;
    f[off + 3] = host & 0xff;
  }
}

function put16(f: Uint8Array, off: number, v: number): void {
  f[off] = v >>> 8;
  f[off + 1] = v & 0xff;
}

function put32(f: Uint8Array, off: number, v: number): void {
  f[off] = v >>> 24;
  f[off + 1] = (v >>> 16) & 0xff;
  f[off + 2] = (v >>> 8) & 0xff;
  f[off + 3] = v & 0xff;
}

type Outcome = 'accepted' | 'refused' | 'icmp' | 'unanswered';

interface Flow {
  v6: boolean;
  client: number;
  server: number;
  cport: number;
  sport: number;
  isn: number;
  kind: Outcome;
  step: number;
  /** Packets of an accepted connection after the handshake (ordinary: data and FINs; flood: none). */
  conversation: boolean;
  retxBeforeRst: boolean;
}

type Step = [keyof ReturnType<typeof templates>, boolean, number, number];

/** The flow's packets in order: [template name, from client?, seq, ack]. */
function flowPackets(f: Flow): Step[] {
  const s = f.isn;
  const r = 777_000;
  switch (f.kind) {
    case 'accepted': {
      const p: Step[] = [
        ['syn', true, s, 0],
        ['synAck', false, r, s + 1],
      ];
      if (!f.conversation) return p;
      p.push(['ack', true, s + 1, r + 1]);
      for (let i = 0; i < 20; i++) p.push(['data', i % 2 === 0, i % 2 === 0 ? s + 1 + 100 * i : r + 1 + 100 * i, 0]);
      p.push(['fin', true, s + 5000, r + 5000], ['fin', false, r + 5000, s + 5001], ['ack', true, s + 5001, r + 5001]);
      return p;
    }
    case 'refused':
      return f.retxBeforeRst
        ? [
            ['syn', true, s, 0],
            ['syn', true, s, 0],
            ['rst', false, 0, s + 1],
          ]
        : [
            ['syn', true, s, 0],
            ['rst', false, 0, s + 1],
          ];
    case 'icmp':
      return [
        ['syn', true, s, 0],
        ['icmp', false, s, 0],
      ];
    case 'unanswered':
      return [
        ['syn', true, s, 0],
        ['syn', true, s, 0],
        ['syn', true, s, 0],
      ];
  }
}

/** A deterministic generator of numbers in [0, 1). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
}

/** The ordinary capture's flow number `id` (see the module comment). */
function ordinaryFlow(id: number, rand: () => number): Flow {
  const x = rand();
  const kind: Outcome = x < 0.55 ? 'accepted' : x < 0.75 ? 'refused' : x < 0.85 ? 'icmp' : 'unanswered';
  return {
    v6: id % 5 === 4,
    client: 1 + (id % 60_000),
    server: 1 + (id % 997),
    cport: 1024 + ((id * 7) % 60_000),
    sport: 1 + ((id * 13) % 1000),
    isn: (id * 2654435761) >>> 0,
    kind,
    step: 0,
    conversation: true,
    retxBeforeRst: kind === 'refused' && rand() < 0.1,
  };
}

const OUTCOMES: readonly Outcome[] = ['accepted', 'refused', 'icmp', 'unanswered'];

/**
 * The flood capture's flow number `id`: even flows flood server 1 port 80 from a source (16-bit host
 * and port) that is an odd multiple of `id`, so never repeated; odd flows scan server 2 from one
 * client, a new source port every 65535 destination ports.
 */
function floodFlow(id: number, rand: () => number): Flow {
  const kind = OUTCOMES[Math.floor(rand() * 4)];
  const base = { v6: id % 5 === 4, isn: (id * 2654435761) >>> 0, kind, step: 0, conversation: false, retxBeforeRst: false };
  const n = id >>> 1;
  if (id % 2 === 0) {
    const x = Math.imul(n, 0x9e3779b1) >>> 0; // odd multiplier: a bijection of n mod 2^32
    return { ...base, client: x >>> 16, cport: (x & 0xffff) | 0, server: 1, sport: 80 };
  }
  return { ...base, client: 0xfffe, cport: 1024 + Math.floor(n / 65535), server: 2, sport: 1 + (n % 65535) };
}

/** Counts one flow into what the capture holds. */
function countFlow(e: Expected, f: Flow, pkts: Step[]): void {
  e.tuples++;
  e.attempts++;
  if (f.kind === 'accepted') e.accepted++;
  else if (f.kind === 'refused') e.refused++;
  else if (f.kind === 'icmp') e.icmp_rejected++;
  else e.unanswered++;
  e.syn_retransmits += pkts.filter(([name]) => name === 'syn').length - 1;
}

/** Writes a capture of `kind` with at least `target` packets to `path`; see the module comment. */
export async function writeCapture(path: string, kind: CaptureKind, target: number): Promise<Expected> {
  const t4 = templates(false);
  const t6 = templates(true);
  const w = new PcapFileWriter(path, { linkType: 1 });
  const e: Expected = { packets: 0, tuples: 0, attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0, syn_retransmits: 0 };
  const rand = lcg(12345);
  const makeFlow = kind === 'flood' ? floodFlow : ordinaryFlow;
  let flowId = 0;
  let tsUs = 0;
  while (e.packets < target) {
    // A batch of 1000 concurrent flows, interleaved round robin.
    const batch: { f: Flow; pkts: Step[] }[] = [];
    for (let i = 0; i < 1000; i++, flowId++) {
      const f = makeFlow(flowId, rand);
      if (kind === 'flood' && f.cport === 0) continue; // a bijective source whose port came out 0
      const pkts = flowPackets(f);
      batch.push({ f, pkts });
      countFlow(e, f, pkts);
    }
    let live = batch.length;
    while (live > 0) {
      live = 0;
      for (const { f, pkts } of batch) {
        if (f.step >= pkts.length) continue;
        live++;
        const [name, fromClient, seq, ack] = pkts[f.step++];
        const t = (f.v6 ? t6 : t4)[name];
        writeStep(t, f, name === 'icmp', fromClient, seq, ack);
        tsUs += 3;
        w.write(t.frame, Math.floor(tsUs / 1e6), (tsUs % 1e6) * 1000);
        e.packets++;
      }
    }
  }
  await w.close();
  return e;
}

/** Patches template `t` in place for one packet of flow `f` (the writer copies it). */
function writeStep(t: Template, f: Flow, icmp: boolean, fromClient: boolean, seq: number, ack: number): void {
  const frame = t.frame;
  putAddr(frame, t.src, f.v6, fromClient ? f.client : f.server, !fromClient);
  putAddr(frame, t.dst, f.v6, fromClient ? f.server : f.client, fromClient);
  if (icmp) {
    putAddr(frame, t.quoteSrc, f.v6, f.client, false);
    putAddr(frame, t.quoteDst, f.v6, f.server, true);
    put16(frame, t.tcp, f.cport);
    put16(frame, t.tcp + 2, f.sport);
    put32(frame, t.tcp + 4, seq);
  } else {
    put16(frame, t.tcp, fromClient ? f.cport : f.sport);
    put16(frame, t.tcp + 2, fromClient ? f.sport : f.cport);
    put32(frame, t.tcp + 4, seq);
    put32(frame, t.tcp + 8, ack);
  }
}
