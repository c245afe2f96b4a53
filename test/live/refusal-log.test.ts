import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import type { RefusalLog } from '../../src/log/refusal-log.js';
import { parseAddress } from '../../src/net/address.js';
import { buildPipeline } from '../../src/pipeline/build.js';
import type { Tracker } from '../../src/track/tracker.js';
import { DecodedPacket, PacketKind, TCP_ACK, TCP_RST, TCP_SYN } from '../../src/wire/decoded-packet.js';

function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger('info', stream), lines };
}

/** Feeds `n` refused attempts on `port` from distinct client ports. */
function refuse(t: Tracker, port: number, n: number, from = 0): void {
  const p = new DecodedPacket();
  const client = parseAddress('192.0.2.1') as Uint32Array;
  const server = parseAddress('198.51.100.2') as Uint32Array;
  for (let i = 0; i < n; i++) {
    p.kind = PacketKind.Tcp;
    p.src.set(client);
    p.dst.set(server);
    p.srcPort = 1024 + ((from + i) % 60000);
    p.dstPort = port;
    p.tcpFlags = TCP_SYN;
    p.seq = i;
    t.onPacket(p, i * 1e-4);
    p.src.set(server);
    p.dst.set(client);
    p.srcPort = port;
    p.dstPort = 1024 + ((from + i) % 60000);
    p.tcpFlags = TCP_RST | TCP_ACK;
    t.onPacket(p, i * 1e-4 + 1e-5);
  }
}

const flush = () => new Promise((r) => setImmediate(r));

/** A tracker and its refusal log, as the daemon builds them (pipeline/build.ts), logging to `lines`. */
function logged(): { t: Tracker; rl: RefusalLog; lines: Record<string, unknown>[] } {
  const { log, lines } = memoryLog();
  const { tracker, refusalLog } = buildPipeline({ attemptTimeoutSeconds: 0, log });
  if (refusalLog === undefined) throw new Error('a logger was given');
  return { t: tracker, rl: refusalLog, lines };
}

describe('RefusalLog', () => {
  it('a burst of 50 000 refusals makes one summary line, not 50 000', async () => {
    const { t, rl, lines } = logged();
    refuse(t, 8081, 50_000);
    rl.summarize(10);
    await flush();
    const firsts = lines.filter((l) => l.event === 'first_refusal');
    const summaries = lines.filter((l) => l.event === 'refusal_summary');
    expect(firsts).toHaveLength(1);
    expect(firsts[0]).toMatchObject({ level: 'warn', port: 8081, direction: 'unknown', client: '192.0.2.1', server: '198.51.100.2' });
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ refused: 50_000, attempts: 50_000, ports_failing: 1 });
    expect(lines.length).toBe(2);
  });

  it('reports only the interval: a quiet interval logs nothing', async () => {
    const { t, rl, lines } = logged();
    refuse(t, 81, 3);
    rl.summarize(10);
    rl.summarize(10);
    refuse(t, 81, 2, 100);
    rl.summarize(10);
    await flush();
    const summaries = lines.filter((l) => l.event === 'refusal_summary');
    expect(summaries.map((s) => s.refused)).toEqual([3, 2]);
  });

  it('limits first-occurrence lines per interval (a port scan) and says how many were not logged', async () => {
    const { t, rl, lines } = logged(); // 10 first-refusal lines an interval (DEFAULT_FIRST_BURST)
    for (let port = 1; port <= 1000; port++) refuse(t, port, 1, port);
    rl.summarize(10);
    await flush();
    expect(lines.filter((l) => l.event === 'first_refusal')).toHaveLength(10);
    const summary = lines.find((l) => l.event === 'refusal_summary') as Record<string, unknown>;
    expect(summary).toMatchObject({ refused: 1000, ports_failing: 1000, first_refusals_not_logged: 990 });
    expect((summary.top_ports as unknown[]).length).toBe(10);
  });
});
