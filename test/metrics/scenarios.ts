/**
 * The scenarios behind the expositions that the metrics and HTTP tests assert on. promtool.test.ts
 * builds the very same ones and checks them with `promtool check metrics`, so the tests that
 * assert values need no external tool. Everything here runs in this process: no root, no network
 * namespace, no subprocess. Test code: it allocates freely.
 */
import { FailureCauses } from '../../src/causes/failure-causes.js';
import { readKernelState, type KernelStateSnapshot } from '../../src/kernel/kernel-state.js';
import { readTcpExtCounters } from '../../src/kernel/netstat.js';
import type { Listener } from '../../src/kernel/listeners.js';
import { readSysctls } from '../../src/kernel/sysctl.js';
import { formatHostPort, startHttpServer, type HttpServer, type HttpServerOptions } from '../../src/http/server.js';
import type { MetricsOptions, RstwatchMetrics } from '../../src/metrics/metrics.js';
import { arp, ethernet, tcp4, udp4 } from '../../kit/craft.js';
import { listener } from '../support/listener.js';
import { fakeCapture, metricsFor, Traffic } from './helpers.js';

const C = '192.0.2.10';
const S = '198.51.100.2'; // local: attempts to it are inbound, from it outbound
const R = '203.0.113.9'; // remote

/** Every TCP port, 1 to 65535. */
export const ALL_PORTS: readonly number[] = Array.from({ length: 65535 }, (_, i) => i + 1);

// ---- metrics.test.ts ----

/** Every outcome, three directions, IPv4 and IPv6, unmatched answers and bad frames. */
export function everyOutcome(): Traffic {
  const t = new Traffic();
  t.syn(`${C}:40001`, `${S}:80`, 0);
  t.rst(`${S}:80`, `${C}:40001`, 0.0004); // refused, 0.4 ms
  t.syn(`${C}:40002`, `${S}:80`, 1);
  t.syn(`${C}:40002`, `${S}:80`, 2); // retransmission
  t.synAck(`${S}:80`, `${C}:40002`, 2.01); // accepted
  t.syn(`${C}:40003`, `${S}:80`, 3);
  t.icmp(`${C}:40003`, `${S}:80`, 3, 3.1); // port unreachable
  t.syn('192.0.2.11:40004', `${S}:443`, 4);
  t.rst(`${S}:443`, '192.0.2.11:40004', 4.02); // refused, 20 ms
  t.syn(`${S}:50001`, `${R}:5432`, 5);
  t.rst(`${R}:5432`, `${S}:50001`, 5.3); // outbound refused, 300 ms
  t.syn(`${S}:50002`, `${R}:5432`, 6);
  t.icmp(`${S}:50002`, `${R}:5432`, 13, 6.05); // admin prohibited (RFC 1812)
  t.syn(`${S}:50003`, `${R}:5432`, 7); // unanswered
  t.syn('192.0.2.20:40010', '203.0.113.10:22', 8); // unknown direction, unanswered
  t.syn('[2001:db8:2::5]:40020', '[2001:db8:1::80]:8080', 9);
  t.rst('[2001:db8:1::80]:8080', '[2001:db8:2::5]:40020', 9.001); // inbound IPv6 refused, 1 ms
  t.rst('203.0.113.50:9', '192.0.2.30:1234', 10); // matches no attempt
  t.frame(ethernet(arp(), { etherType: 0x0806 }), 11); // skipped: not IP
  t.frame(ethernet(udp4({ sport: 53, dport: 53 })), 11); // skipped: not TCP
  t.frame(new Uint8Array(10), 11); // truncated Ethernet header
  t.tracker.finish();
  return t;
}

/** Metrics over `everyOutcome()`, with a capture that received 100 packets and dropped 7 in the kernel, 2 at the interface, 5 in its queue. */
export function everyOutcomeMetrics(): { t: Traffic; metrics: RstwatchMetrics } {
  const t = everyOutcome();
  const capture = fakeCapture({ stats: () => ({ received: 100, droppedKernel: 7, droppedInterface: 2, droppedQueue: 5 }) });
  return { t, metrics: metricsFor(t, {}, { capture }).metrics };
}

/** Scrapes OpenMetrics, text, OpenMetrics, text; returns the two text expositions. */
export async function textBetweenOpenMetricsScrapes(metrics: RstwatchMetrics): Promise<[string, string]> {
  await metrics.openMetricsRegistry.metrics();
  const text = await metrics.registry.metrics();
  await metrics.openMetricsRegistry.metrics();
  return [text, await metrics.registry.metrics()];
}

/**
 * Metrics over `everyOutcome()` whose capture collector throws until `repair()` (then it reports
 * 1 received, 3 dropped in the kernel); `warnings` collects the logger's warn calls.
 */
export function failingCaptureMetrics(): { metrics: RstwatchMetrics; warnings: unknown[]; repair: () => void } {
  let broken = true;
  const warnings: unknown[] = [];
  const capture = fakeCapture({
    stats: () => {
      if (broken) throw new Error('pcap_stats: device gone');
      return { received: 1, droppedKernel: 3, droppedInterface: 0, droppedQueue: 0 };
    },
  });
  const { metrics } = metricsFor(everyOutcome(), { logger: { warn: (obj, msg) => warnings.push([obj, msg]) } }, { capture });
  const repair = (): void => {
    broken = false;
  };
  return { metrics, warnings, repair };
}

/**
 * A suspect-reset source (inbound 80 ttl_mismatch 2, inbound 22 ack_mismatch 1) over SYNs to
 * 80, 443 and 22, with maxPorts 2: 22 is folded into "other".
 */
export function suspectResetsMetrics(): RstwatchMetrics {
  const t = new Traffic();
  t.scan('192.0.2.1', '198.51.100.2', [80, 443, 22], 0);
  const counts = new Map<string, number>([
    ['0:80:0', 2],
    ['0:22:1', 1],
  ]);
  const suspects = {
    heuristicNames: ['ttl_mismatch', 'ack_mismatch'],
    get: (d: number, p: number, h: number) => counts.get(`${d}:${p}:${h}`) ?? 0,
    total: (d: number, h: number) => [...counts].filter(([k]) => k.startsWith(`${d}:`) && k.endsWith(`:${h}`)).reduce((a, [, v]) => a + v, 0),
  };
  return metricsFor(t, { maxPorts: 2 }, { suspects }).metrics;
}

// ---- kernel-metrics.test.ts ----

/** The listen counters and sysctls of this namespace, read now, and metrics whose kernel source has them as its latest snapshot. */
export async function kernelSnapshotMetrics(): Promise<{
  snapshot: { tcpExt: Awaited<ReturnType<typeof readTcpExtCounters>>; sysctls: Awaited<ReturnType<typeof readSysctls>> };
  metrics: RstwatchMetrics;
}> {
  const snapshot = { tcpExt: await readTcpExtCounters(), sysctls: await readSysctls() };
  const { metrics } = metricsFor(new Traffic(), {}, { kernel: { latest: () => snapshot } });
  return { snapshot, metrics };
}

// ---- port-selection.test.ts ----

/** Ports 1-65535 in every direction (inbound, outbound in reverse order, unknown), with maxPorts 100 and `keep`; sampled once. */
export function fullScanMetrics(): { metrics: RstwatchMetrics; keep: Set<number> } {
  const t = new Traffic();
  const keep = new Set([22, 8000, 8001, 8002]);
  const { metrics } = metricsFor(t, { maxPorts: 100, keepPorts: keep });
  t.scan('192.0.2.1', S, ALL_PORTS, 0); // inbound
  t.scan(S, R, [...ALL_PORTS].reverse(), 1); // outbound, another order
  t.scan('192.0.2.1', R, ALL_PORTS, 2); // unknown
  metrics.sample();
  return { metrics, keep };
}

// ---- failure-causes-metrics.test.ts ----

/** Traffic whose tracker tells its failures to a FailureCauses (as the daemon wires them), metrics over both, and kernel reads to add. */
export interface CausesFixture {
  readonly t: Traffic;
  readonly causes: FailureCauses;
  readonly metrics: RstwatchMetrics;
  /** A text-format scrape. */
  scrape(): Promise<string>;
  /** This namespace's kernel state (read for real once per file), taken at `takenAtMs` with `listeners`. */
  read(takenAtMs: number, listeners?: Listener[]): KernelStateSnapshot;
}

let kernelBase: Promise<KernelStateSnapshot> | undefined;

async function causesFixture(options: Partial<MetricsOptions> = {}): Promise<CausesFixture> {
  kernelBase ??= readKernelState({ ssPath: null, ownersOf: 'queued' });
  const base = await kernelBase;
  const t = new Traffic({ attemptTimeoutSeconds: 5, causes: { historyMs: 30_000 } });
  const causes = t.pipeline.causes as FailureCauses;
  const { metrics } = metricsFor(t, options, { causes });
  return {
    t,
    causes,
    metrics,
    scrape: () => metrics.registry.metrics(),
    read: (takenAtMs, listeners = []) => ({ ...base, takenAtMs, doneAtMs: takenAtMs, listeners, errors: [] }),
  };
}

/** An inbound SYN to `port` from client port `sport` at `ts`, refused 1 ms later. */
export function refuse(t: Traffic, port: number, sport: number, ts: number): void {
  t.syn(`${C}:${sport}`, `${S}:${port}`, ts);
  t.rst(`${S}:${port}`, `${C}:${sport}`, ts + 0.001);
}

/** Three refusals to 8080 decided (no_listener), one waiting for the next read, and one outbound refusal. */
export async function decidedAndPendingCauses(): Promise<CausesFixture> {
  const f = await causesFixture();
  const { t, causes, read } = f;
  causes.addRead(read(1000));
  refuse(t, 8080, 40001, 1.1);
  refuse(t, 8080, 40002, 1.2);
  refuse(t, 8080, 40003, 1.3);
  t.syn(`${S}:50001`, `${R}:5432`, 1.4);
  t.rst(`${R}:5432`, `${S}:50001`, 1.5); // outbound: no cause series
  causes.addRead(read(2000));
  refuse(t, 8080, 40004, 2.1); // waits for the next read
  return f;
}

/** One attempt decided for each failure outcome other than refused: ICMP-rejected (22), unanswered (443), early reset (9000, full accept queue). */
export async function everyFailureOutcome(): Promise<CausesFixture> {
  const f = await causesFixture();
  const { t, causes, read } = f;
  const ls = [listener('0.0.0.0', 443, { backlog: 2, inode: 7443 }), listener('0.0.0.0', 9000, { acceptQueue: 3, backlog: 2, inode: 16000 })];
  causes.addRead(read(1000, ls));
  t.syn(`${C}:40001`, `${S}:22`, 1.1);
  t.icmp(`${C}:40001`, `${S}:22`, 13, 1.2); // ICMP-rejected
  t.syn(`${C}:40002`, `${S}:443`, 1.3); // unanswered at 6.3+
  t.syn(`${C}:40003`, `${S}:9000`, 1.4);
  t.synAck(`${S}:9000`, `${C}:40003`, 1.41);
  t.frame(ethernet(tcp4({ src: S, dst: C, sport: 9000, dport: 40003, flags: 'R', seq: 5001 })), 1.5); // early reset
  causes.addRead(read(2000, ls));
  t.tracker.expire(7);
  return f;
}

/** With maxPorts 1 and keep port 8080: refusals to 22 (selected), 80 and 81 (folded) and 8080, decided and pending. */
export async function foldedCauses(): Promise<CausesFixture> {
  const f = await causesFixture({ maxPorts: 1, keepPorts: new Set([8080]) });
  const { t, causes, read } = f;
  causes.addRead(read(1000));
  refuse(t, 22, 40001, 1.1); // admitted first
  refuse(t, 80, 40002, 1.2); // folded
  refuse(t, 81, 40003, 1.3); // folded
  refuse(t, 81, 40004, 1.35);
  refuse(t, 8080, 40005, 1.4); // a keep port: its own series
  causes.addRead(read(2000));
  refuse(t, 80, 40006, 2.2); // pending, folded
  refuse(t, 22, 40007, 2.3); // pending, selected
  return f;
}

// ---- http/server.test.ts ----

/** One inbound refusal: 192.0.2.1:40000 -> 198.51.100.2:80. */
export function refusedOnce(): Traffic {
  const t = new Traffic();
  t.syn('192.0.2.1:40000', '198.51.100.2:80', 0);
  t.rst('198.51.100.2:80', '192.0.2.1:40000', 0.001);
  return t;
}

/**
 * The HTTP server on 127.0.0.1 (a free port unless `overrides` say otherwise), serving metrics
 * over `refusedOnce()`. The caller closes both; when the server cannot start, the metrics are closed here.
 */
export async function startMetricsServer(overrides: Partial<HttpServerOptions> = {}): Promise<{ server: HttpServer; metrics: RstwatchMetrics }> {
  const { metrics } = metricsFor(refusedOnce());
  try {
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      metrics,
      isReady: () => true,
      landing: { version: '1.2.3', interfaceName: 'eth0', backend: 'native' },
      ...overrides,
    });
    return { server, metrics };
  } catch (err) {
    metrics.close();
    throw err;
  }
}

/** The URL of `path` on `s` (a wildcard address is reached through loopback). */
export function url(s: HttpServer, path: string): string {
  return `http://${formatHostPort(s.address === '::' ? '::1' : s.address === '0.0.0.0' ? '127.0.0.1' : s.address, s.port)}${path}`;
}

/** Eight concurrent GET /metrics, text first, then OpenMetrics and text alternately; the bodies in that order. */
export function concurrentScrapes(s: HttpServer): Promise<string[]> {
  return Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      fetch(url(s, '/metrics'), { headers: { accept: i % 2 ? 'application/openmetrics-text' : 'text/plain' } }).then((r) => r.text()),
    ),
  );
}
