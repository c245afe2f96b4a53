/**
 * Test helpers for the metrics: real traffic into a real Tracker + PipelineSink (crafted frames
 * through decodeFrame, or DecodedPacket values for port scans) and an exposition parser. Nothing
 * here starts a process (promtool is run by promtool.test.ts alone). Test code: it allocates freely.
 */
import { createMetrics, type MetricsOptions, type MetricsSources, type RstwatchMetrics } from '../../src/metrics/metrics.js';
import { buildPipeline, type Pipeline, type PipelineOptions } from '../../src/pipeline/build.js';
import type { PipelineSink } from '../../src/pipeline/pipeline-sink.js';
import { LocalNets } from '../../src/track/direction.js';
import { parseAddress, parseCidr } from '../../src/net/address.js';
import type { Tracker } from '../../src/track/tracker.js';
import { DecodedPacket, PacketKind, TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';
import { ethernet, icmp4Unreach, tcp4, tcp6 } from '../../kit/craft.js';

/** Servers in this network are local: attempts to them are inbound, from them outbound. */
export const LOCAL_NET = '198.51.100.0/24';
const LINKTYPE_ETHERNET = 1;

function endpoint(text: string): { addr: string; port: number; v6: boolean } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad endpoint ${text}`);
  return { addr: m[1], port: Number(m[2]), v6: text.startsWith('[') };
}

/**
 * A pipeline built as the commands build it (pipeline/build.ts: the consumers `options` asks for)
 * fed with crafted Ethernet frames; endpoints are "a.b.c.d:port" or "[v6]:port".
 */
export class Traffic {
  readonly pipeline: Pipeline;
  readonly tracker: Tracker;
  readonly sink: PipelineSink;
  private readonly packet = new DecodedPacket();

  constructor(options: PipelineOptions = {}) {
    this.pipeline = buildPipeline({ attemptTimeoutSeconds: 0, localNets: new LocalNets([parseCidr(LOCAL_NET), parseCidr('2001:db8:1::/48')]), ...options });
    this.tracker = this.pipeline.tracker;
    this.sink = this.pipeline.sink;
  }

  /** Hands one frame to the sink at `ts` seconds. */
  frame(bytes: Uint8Array, ts: number, linkType = LINKTYPE_ETHERNET): void {
    const sec = Math.floor(ts);
    this.sink.onFrame(bytes, 0, bytes.length, bytes.length, sec, Math.round((ts - sec) * 1e9), linkType);
  }

  private tcp(from: string, to: string, flags: string, ts: number, seq: number): void {
    const a = endpoint(from);
    const b = endpoint(to);
    const o = { src: a.addr, dst: b.addr, sport: a.port, dport: b.port, flags, seq };
    this.frame(ethernet(a.v6 ? tcp6(o) : tcp4(o)), ts);
  }

  /** A SYN from client to server. */
  syn(client: string, server: string, ts: number, isn = 1000): void {
    this.tcp(client, server, 'S', ts, isn);
  }

  /** A SYN+ACK from server to client. */
  synAck(server: string, client: string, ts: number): void {
    this.tcp(server, client, 'S.', ts, 5000);
  }

  /** A RST+ACK from server to client. */
  rst(server: string, client: string, ts: number): void {
    this.tcp(server, client, 'R.', ts, 0);
  }

  /** An ICMPv4 unreachable with `code` from `router` to the client, quoting the client's SYN. */
  icmp(client: string, server: string, code: number, ts: number, router = '192.0.2.254'): void {
    const a = endpoint(client);
    const b = endpoint(server);
    const quote = tcp4({ src: a.addr, dst: b.addr, sport: a.port, dport: b.port, flags: 'S', seq: 1000 });
    this.frame(ethernet(icmp4Unreach({ src: router, dst: a.addr, code, quote, quoteL4Bytes: 8 })), ts);
  }

  /**
   * SYNs (no frames: DecodedPacket values, fast) from `client` (an address) to `server`:port for
   * every port, one client port per SYN so each starts an attempt.
   */
  scan(client: string, server: string, ports: Iterable<number>, ts: number): void {
    const p = this.packet;
    p.kind = PacketKind.Tcp;
    p.ipVersion = 4;
    p.src.set(parseAddress(client) as Uint32Array);
    p.dst.set(parseAddress(server) as Uint32Array);
    p.tcpFlags = TCP_SYN;
    let sport = 1024;
    for (const port of ports) {
      p.srcPort = sport;
      sport = sport === 65535 ? 1024 : sport + 1;
      p.dstPort = port;
      p.seq = port;
      this.tracker.onPacket(p, ts);
    }
  }

  /**
   * A SYN scan of a host with nothing listening: for every port a SYN from `client` (one client
   * port per SYN) and the server's RST+ACK `answerSeconds` later (DecodedPacket values, fast).
   */
  refusedScan(client: string, server: string, ports: Iterable<number>, ts: number, answerSeconds = 0.0004): void {
    const p = this.packet;
    const c = parseAddress(client) as Uint32Array;
    const s = parseAddress(server) as Uint32Array;
    p.kind = PacketKind.Tcp;
    p.ipVersion = 4;
    p.ttl = 64;
    let sport = 1024;
    for (const port of ports) {
      p.src.set(c);
      p.dst.set(s);
      p.srcPort = sport;
      p.dstPort = port;
      p.tcpFlags = TCP_SYN;
      p.seq = port;
      p.ack = 0;
      this.tracker.onPacket(p, ts);
      p.src.set(s);
      p.dst.set(c);
      p.srcPort = port;
      p.dstPort = sport;
      p.tcpFlags = TCP_RST | TCP_ACK;
      p.seq = 0;
      p.ack = port + 1;
      this.tracker.onPacket(p, ts + answerSeconds);
      sport = sport === 65535 ? 1024 : sport + 1;
    }
  }
}

/** A capture stub for MetricsSources. */
export function fakeCapture(overrides: Partial<MetricsSources['capture']> = {}): MetricsSources['capture'] {
  return {
    up: () => true,
    downSeconds: () => 0,
    faults: () => 0,
    stats: () => ({ received: 0, droppedKernel: 0, droppedInterface: 0, droppedQueue: 0 }),
    statsSupported: true,
    sinkErrors: () => 0,
    ...overrides,
  };
}

/** Metrics over `traffic` with no sampler timer and a settable fake clock (milliseconds). */
export function metricsFor(
  traffic: Traffic,
  options: Partial<MetricsOptions> = {},
  sources: Partial<MetricsSources> = {},
): { metrics: RstwatchMetrics; clock: { ms: number } } {
  const clock = { ms: 0 };
  const metrics = createMetrics(
    { tracker: traffic.tracker, sink: traffic.sink, capture: fakeCapture(), version: '9.8.7-test', ...sources },
    { maxPorts: 100, keepPorts: new Set(), ratioWindowSeconds: 60, nowMs: () => clock.ms, sampleIntervalMs: 0, ...options },
  );
  return { metrics, clock };
}

/** One parsed sample line. */
export interface ParsedSample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the sample lines of a text or OpenMetrics exposition (comments skipped). */
export function parseSamples(text: string): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]) });
  }
  return out;
}

/** The samples of one metric name. */
export function samplesOf(text: string, name: string): ParsedSample[] {
  return parseSamples(text).filter((s) => s.name === name);
}

/** The value of the sample `name` with exactly `labels`, or undefined when absent. */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  return parseSamples(text).find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want)?.value;
}

/** `{port: value}` of `name` for one direction (other labels must match `extra`). */
export function byPort(text: string, name: string, direction: string, extra: Record<string, string> = {}): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samplesOf(text, name)) {
    if (s.labels.direction !== direction) continue;
    if (Object.entries(extra).some(([k, v]) => s.labels[k] !== v)) continue;
    out[s.labels.port] = s.value;
  }
  return out;
}
