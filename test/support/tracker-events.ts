/**
 * Tracker events for tests, without bytes: each event fills a reused DecodedPacket directly.
 * Events are [time, what, from, to, extra]: endpoints like "192.0.2.1:1234" or "[2001:db8::1]:80".
 */
import { buildPipeline, type Pipeline, type PipelineOptions } from '../../src/pipeline/build.js';
import type { Tracker } from '../../src/track/tracker.js';
import { parseAddress } from '../../src/net/address.js';
import { DecodedPacket, PacketKind, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';

/** Packet fields an event may set beyond its kind (defaults: seq 1000, ack 0, ttl 64, no reserved bits). */
export interface EventFields {
  seq?: number;
  ack?: number;
  ttl?: number;
  reserved?: number;
  payloadLen?: number;
}

/** One event; for 'icmp' the 5th item is the code and from/to are the quoted client and server. */
export type Ev =
  | [number, 'syn' | 'synack' | 'rst' | 'rstack' | 'synfin' | 'data' | 'fin', string, string, (number | EventFields)?]
  | [number, 'icmp', string, string, number, number?];

/** Address words and port of an endpoint text. */
export function endpoint(text: string): [Uint32Array, number] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad endpoint ${text}`);
  const a = parseAddress(m[1]);
  if (!a) throw new Error(`bad address ${m[1]}`);
  return [a, Number(m[2])];
}

const FLAGS = {
  syn: TCP_SYN,
  synack: TCP_SYN | TCP_ACK,
  rst: TCP_RST,
  rstack: TCP_RST | TCP_ACK,
  synfin: TCP_SYN | TCP_FIN,
  data: TCP_ACK,
  fin: TCP_FIN | TCP_ACK,
};

/** Fills `p` for one event. */
export function fill(p: DecodedPacket, ev: Ev): void {
  const [, what, from, to] = ev;
  const [fa, fp] = endpoint(from);
  const [ta, tp] = endpoint(to);
  if (what === 'icmp') {
    p.kind = PacketKind.IcmpUnreach;
    p.ipVersion = from.includes('[') ? 6 : 4;
    p.icmpType = p.ipVersion === 6 ? 1 : 3;
    p.icmpCode = ev[4];
    p.src.set(ta); // sent by the server (or a router) ...
    p.dst.set(fa); // ... to the client
    p.quotedSrc.set(fa);
    p.quotedDst.set(ta);
    p.quotedSrcPort = fp;
    p.quotedDstPort = tp;
    p.quotedSeq = ev[5] ?? 1000;
    return;
  }
  const extra = ev[4];
  const f: EventFields = typeof extra === 'number' ? { seq: extra } : (extra ?? {});
  p.kind = PacketKind.Tcp;
  p.ipVersion = from.includes('[') ? 6 : 4;
  p.src.set(fa);
  p.dst.set(ta);
  p.srcPort = fp;
  p.dstPort = tp;
  p.tcpFlags = FLAGS[what];
  p.seq = f.seq ?? 1000;
  p.ack = f.ack ?? 0;
  p.ttl = f.ttl ?? 64;
  p.tcpReserved = f.reserved ?? 0;
  p.tcpPayloadLen = f.payloadLen ?? 0;
}

/**
 * Feeds `events` to a new pipeline built as the commands build it (no timeout unless given; the
 * consumers `options` asks for), and finishes its tracker.
 */
export function runPipeline(events: Ev[], options: PipelineOptions = {}): Pipeline {
  const pipeline = buildPipeline({ attemptTimeoutSeconds: 0, ...options });
  const t = pipeline.tracker;
  const p = new DecodedPacket();
  for (const ev of events) {
    fill(p, ev);
    t.onPacket(p, ev[0]);
  }
  t.finish();
  return pipeline;
}

/** `runPipeline`'s tracker. */
export function run(events: Ev[], options: PipelineOptions = {}): Tracker {
  return runPipeline(events, options).tracker;
}
