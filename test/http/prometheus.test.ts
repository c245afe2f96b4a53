/**
 * A real Prometheus (Debian's /usr/bin/prometheus) scrapes the real HTTP server every second on
 * loopback; the values it stores are queried back through its HTTP API. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { createMetrics, type RstwatchMetrics } from '../../src/metrics/metrics.js';
import { COLLECTORS } from '../../src/metrics/names.js';
import { sleep, untilAnswered } from '../../kit/wait.js';
import { fakeCapture, Traffic } from '../metrics/helpers.js';
import { freePort } from '../support/free-port.js';

const PROMETHEUS = '/usr/bin/prometheus';
const S = '198.51.100.2';
const R = '203.0.113.9';

let clientPort = 20000;
function refuse(t: Traffic, client: string, server: string, port: number, n: number, ts: number): void {
  for (let i = 0; i < n; i++) {
    const c = `${client}:${clientPort++}`;
    t.syn(c, `${server}:${port}`, ts);
    t.rst(`${server}:${port}`, c, ts + 0.001);
  }
}

/** Polls `probe` every 200 ms for at most `timeoutMs` (a throw is tried again), Prometheus's log in the timeout message. */
function untilProm<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  return untilAnswered(what, probe, timeoutMs, () => (promLog ? `prometheus log:\n${promLog.slice(-3000)}` : ''), 200);
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

let promLog = '';
let prom: ChildProcess | undefined;
let promExit: Promise<void> | undefined;
let dir = '';
let promUrl = '';
let server: HttpServer | undefined;
let metrics: RstwatchMetrics | undefined;
const traffic = new Traffic();
const served = { text: 0, openMetrics: 0 };

async function query(expr: string): Promise<VectorSample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { resultType: string; result: VectorSample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
  return body.data.result;
}

/** `{direction/port: value}` of an instant query. */
async function byDirectionPort(expr: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of await query(expr)) out[`${s.metric.direction}/${s.metric.port}`] = Number(s.value[1]);
  return out;
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) {
    throw new Error(`${PROMETHEUS} is not installed: run \`bash scripts/setup.sh --test\` (installs Debian's prometheus package)`);
  }
  refuse(traffic, '192.0.2.1', S, 80, 2, 0);
  refuse(traffic, '192.0.2.1', S, 443, 1, 1);
  refuse(traffic, S, R, 5432, 1, 2);
  // The real sampler timer and clock: the ratio comes out of a running process.
  metrics = createMetrics(
    { tracker: traffic.tracker, sink: traffic.sink, capture: fakeCapture(), version: 'prom-e2e' },
    { maxPorts: 100, keepPorts: new Set(), ratioWindowSeconds: 60 },
  );
  for (const [key, registry] of [
    ['text', metrics.registry],
    ['openMetrics', metrics.openMetricsRegistry],
  ] as const) {
    const render = registry.metrics.bind(registry);
    registry.metrics = () => {
      served[key]++;
      return render();
    };
  }
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    metrics,
    isReady: () => true,
    landing: { version: 'prom-e2e', interfaceName: 'lo', backend: 'native' },
  });

  dir = mkdtempSync(join(tmpdir(), 'rstwatch-prom-'));
  const webPort = await freePort();
  promUrl = `http://127.0.0.1:${webPort}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: rstwatch
    static_configs:
      - targets: ['127.0.0.1:${server.port}']
`,
  );
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${webPort}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prom = child;
  child.stdout?.on('data', (c: Buffer) => (promLog += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (promLog += c.toString()));
  promExit = new Promise((resolve) => child.on('exit', () => resolve()));
  void promExit.then(() => {
    if (prom === child) promLog += '\n[prometheus exited]';
  });

  await untilProm('the rstwatch target to be up', 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}`);
    const res = await fetch(`${promUrl}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
    const target = body.data.activeTargets[0];
    return target?.health === 'up' ? target : undefined;
  });
});

afterAll(async () => {
  const child = prom;
  prom = undefined;
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    const stopped = await Promise.race([promExit?.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await Promise.race([promExit, sleep(5_000)]);
    }
  }
  await server?.close();
  metrics?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a real Prometheus scraping /metrics', () => {
  it('stores the exact refused counts, then their increase', async () => {
    const first = await untilProm('rstwatch_refused_total in Prometheus', 30_000, async () => {
      const v = await byDirectionPort('rstwatch_refused_total');
      return Object.keys(v).length > 0 ? v : undefined;
    });
    expect(first).toEqual({ 'inbound/80': 2, 'inbound/443': 1, 'outbound/5432': 1 });
    const [one] = await query('rstwatch_refused_total{port="80"}');
    expect(one.metric).toEqual({
      __name__: 'rstwatch_refused_total',
      direction: 'inbound',
      port: '80',
      job: 'rstwatch',
      instance: `127.0.0.1:${server?.port}`,
    });

    refuse(traffic, '192.0.2.7', S, 80, 3, 10);
    const second = await untilProm('the new refusals in Prometheus', 30_000, async () => {
      const v = await byDirectionPort('rstwatch_refused_total');
      return v['inbound/80'] === 5 ? v : undefined;
    });
    expect(second).toEqual({ 'inbound/80': 5, 'inbound/443': 1, 'outbound/5432': 1 });

    // The ratio of the last 60 s: the three new refusals only (the first ones predate the metrics).
    const ratio = await untilProm('rstwatch_refusal_ratio in Prometheus', 30_000, async () => {
      const v = await byDirectionPort('rstwatch_refusal_ratio');
      return v['inbound/80'] === 1 ? v : undefined;
    });
    expect(ratio).toEqual({ 'inbound/80': 1 });

    expect(Number((await query('sum(rstwatch_syn_attempts_total)'))[0].value[1])).toBe(7);
    expect(Number((await query('sum(rstwatch_refusal_latency_seconds_count)'))[0].value[1])).toBe(7);
    const success = await query('rstwatch_scrape_collector_success');
    expect(success.length).toBe(Object.keys(COLLECTORS).length); // one per collector
    expect(success.every((s) => s.value[1] === '1')).toBe(true);
    expect((await query('up{job="rstwatch"}'))[0].value[1]).toBe('1');
  });

  it('Prometheus negotiated OpenMetrics and parsed it without error', async () => {
    const res = await fetch(`${promUrl}/api/v1/targets`);
    const body = (await res.json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
    expect(body.data.activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
    expect(served.openMetrics).toBeGreaterThan(0);
    expect(served.text).toBe(0);
  });
});
