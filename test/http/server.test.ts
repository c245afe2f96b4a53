import { request as httpRequest, Agent } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { isRstwatchError, type RstwatchError } from '../../src/base/errors.js';
import { startHttpServer, type HttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { fakeCapture, metricsFor, samplesOf, valueOf } from '../metrics/helpers.js';
import { concurrentScrapes, refusedOnce, startMetricsServer, url } from '../metrics/scenarios.js';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

const open: HttpServer[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const c of closers.splice(0)) c();
});

async function start(overrides: Partial<HttpServerOptions> = {}): Promise<HttpServer> {
  const { server, metrics } = await startMetricsServer(overrides);
  closers.push(() => metrics.close());
  open.push(server);
  return server;
}

async function startError(o: Partial<HttpServerOptions>): Promise<RstwatchError> {
  try {
    await start(o);
  } catch (err) {
    expect(isRstwatchError(err)).toBe(true);
    return err as RstwatchError;
  }
  throw new Error('startHttpServer did not fail');
}

describe('/metrics', () => {
  it('serves the text format by default', async () => {
    const s = await start();
    const res = await fetch(url(s, '/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    expect(res.headers.get('vary')).toBe('Accept');
    const text = await res.text();
    expect(valueOf(text, 'rstwatch_refused_total', { direction: 'inbound', port: '80' })).toBe(1);
    expect(text).not.toContain('# EOF');
  });

  it.each([['application/openmetrics-text; version=1.0.0; charset=utf-8'], ['application/openmetrics-text'], [PROMETHEUS_ACCEPT]])(
    'serves OpenMetrics for Accept: %s',
    async (accept) => {
      const s = await start();
      const res = await fetch(url(s, '/metrics'), { headers: { accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      const text = await res.text();
      expect(text.endsWith('\n# EOF\n')).toBe(true);
      expect(text).toContain('# TYPE rstwatch_refused counter\nrstwatch_refused_total{direction="inbound",port="80"} 1\n');
    },
  );

  it('serves text to a browser and to curl-like clients', async () => {
    const s = await start();
    for (const accept of ['*/*', 'text/html,application/xhtml+xml,*/*;q=0.8', 'text/plain;version=0.0.4']) {
      const res = await fetch(url(s, '/metrics'), { headers: { accept } });
      expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
      await res.text();
    }
  });

  it('answers HEAD', async () => {
    const s = await start();
    const res = await fetch(url(s, '/metrics'), { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });

  it('still answers 200 when a collector throws, reporting it', async () => {
    const capture = fakeCapture({
      stats: () => {
        throw new Error('pcap_stats failed');
      },
    });
    const t = refusedOnce();
    const { metrics } = metricsFor(t, {}, { capture });
    closers.push(() => metrics.close());
    const s = await startHttpServer({ host: '127.0.0.1', port: 0, metrics, isReady: () => true, landing: { version: 'v', interfaceName: 'i', backend: 'b' } });
    open.push(s);
    for (const accept of ['text/plain', 'application/openmetrics-text']) {
      const res = await fetch(url(s, '/metrics'), { headers: { accept } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'capture' })).toBe(0);
      expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'attempts' })).toBe(1);
    }
  });

  it('answers concurrent scrapes of both formats consistently', async () => {
    const s = await start();
    for (const text of await concurrentScrapes(s)) {
      expect(samplesOf(text, 'rstwatch_scrape_collector_success').every((x) => x.value === 1)).toBe(true);
      expect(text).toMatch(/rstwatch_refused_total\{direction="inbound",port="80"\} 1\n/);
    }
  });
});

describe('/healthz, /readyz, /', () => {
  /** Status and body of GET `path`. */
  async function get(s: HttpServer, path: string): Promise<[number, string]> {
    const res = await fetch(url(s, path));
    return [res.status, await res.text()];
  }

  it('/healthz is 200 while the process runs, ready or not', async () => {
    const s = await start({ isReady: () => false });
    expect(await get(s, '/healthz')).toEqual([200, 'ok\n']);
  });

  it('/readyz is 503 with the reason until ready, then 200', async () => {
    let ready = false;
    const s = await start({ isReady: () => ready, notReadyReason: () => 'the capture on eth0 is not open yet' });
    expect(await get(s, '/readyz')).toEqual([503, 'not ready: the capture on eth0 is not open yet\n']);
    ready = true;
    expect(await get(s, '/readyz')).toEqual([200, 'ready\n']);
    const plain = await start({ isReady: () => false });
    expect(await get(plain, '/readyz')).toEqual([503, 'not ready: the capture is not running\n']);
  });

  it('/ is a landing page with version, interface, backend and the links', async () => {
    const s = await start({ landing: { version: '1.2.3<script>', interfaceName: 'eth0', backend: 'cap' } });
    const res = await fetch(url(s, '/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<td>1.2.3&#60;script&#62;</td>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>eth0</td>');
    expect(html).toContain('<td>cap</td>');
    for (const link of ['metrics', 'healthz', 'readyz']) expect(html).toContain(`<a href="${link}">/${link}</a>`);
  });

  it('unknown paths are 404', async () => {
    const s = await start();
    expect((await fetch(url(s, '/nope'))).status).toBe(404);
  });
});

describe('listening', () => {
  it('binds :: (IPv6 and IPv4) and 0.0.0.0 (IPv4), and reports the bound address', async () => {
    const any6 = await start({ host: '::' });
    expect(any6.address).toBe('::');
    expect((await fetch(`http://[::1]:${any6.port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${any6.port}/healthz`)).status).toBe(200);
    const any4 = await start({ host: '0.0.0.0' });
    expect(any4.address).toBe('0.0.0.0');
    expect((await fetch(`http://127.0.0.1:${any4.port}/healthz`)).status).toBe(200);
    const lo6 = await start({ host: '::1' });
    expect(lo6.address).toBe('::1');
    expect((await fetch(`http://[::1]:${lo6.port}/healthz`)).status).toBe(200);
  });

  it('a port in use is RSTWATCH_ERR_LISTEN (exit 6) naming host:port, with a hint', async () => {
    const a = await start();
    const err = await startError({ port: a.port });
    expect(err.code).toBe('RSTWATCH_ERR_LISTEN');
    expect(err.exitCode).toBe(6);
    expect(err.message).toBe(`cannot listen on 127.0.0.1:${a.port}: the address is already in use`);
    expect(err.hint).toContain('--listen');
    expect((err.cause as { code?: string }).code).toBe('EADDRINUSE');
    const v6 = await start({ host: '::1' });
    const err6 = await startError({ host: '::1', port: v6.port });
    expect(err6.message).toBe(`cannot listen on [::1]:${v6.port}: the address is already in use`);
  });

  it('an address that is not local is RSTWATCH_ERR_LISTEN', async () => {
    const err = await startError({ host: '192.0.2.123' });
    expect(err.code).toBe('RSTWATCH_ERR_LISTEN');
    expect(err.message).toBe('cannot listen on 192.0.2.123:0: 192.0.2.123 is not an address of this host');
  });

  it('close() releases the port, even with an idle keep-alive connection open', async () => {
    const a = await start();
    const agent = new Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: a.port, path: '/metrics', agent }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toContain('rstwatch_build_info');
    const t0 = Date.now();
    await a.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    await a.close(); // twice is fine
    const b = await start({ port: a.port });
    expect(b.port).toBe(a.port);
    agent.destroy();
  });
});

describe('logging', () => {
  function capture(level: string) {
    const out: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk.toString());
        cb();
      },
    });
    const logger = pino({ level }, stream);
    return {
      logger,
      lines: () =>
        out
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { level: number; msg: string }),
    };
  }

  it('logs no line per request at info', async () => {
    const log = capture('info');
    const s = await start({ logger: log.logger });
    const before = log.lines().length;
    for (let i = 0; i < 3; i++) await (await fetch(url(s, '/metrics'))).text();
    await (await fetch(url(s, '/nope'))).text();
    expect(log.lines().slice(before)).toEqual([]);
  });

  it('logs each completed request at debug', async () => {
    const log = capture('debug');
    const s = await start({ logger: log.logger });
    await (await fetch(url(s, '/metrics'))).text();
    await new Promise((r) => setTimeout(r, 20));
    const done = log.lines().filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(1);
    expect(done[0].level).toBe(20);
    expect(done[0]).toMatchObject({ method: 'GET', url: '/metrics', statusCode: 200 });
  });
});

describe('/api/v1/causes', () => {
  it('passes the asked ports, deduplicated, whether as a list or repeated', async () => {
    const asked: (readonly number[])[] = [];
    const s = await start({ causes: (ports) => (asked.push(ports), { ports: [] }) });
    for (const q of ['', '?port=', '?port=80,443', '?port=80&port=443', '?port=80,80', '?port=%2080%20']) {
      const res = await fetch(url(s, `/api/v1/causes${q}`));
      expect(res.status, q).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    expect(asked).toEqual([[], [], [80, 443], [80, 443], [80], [80]]);
  });

  it.each(['?port=%20', '?port=0', '?port=65536', '?port=0x50', '?port=1e3', '?port=80.0', '?port=80,', '?port=http'])('%s: 400 with the reason', async (q) => {
    const s = await start({ causes: () => ({ ports: [] }) });
    const res = await fetch(url(s, `/api/v1/causes${q}`));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^port: '.*' is not a comma-separated list of ports \(1-65535\)$/);
  });

  it('404 with the reason when cause classification is off', async () => {
    const s = await start();
    const res = await fetch(url(s, '/api/v1/causes'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'cause classification is off (rstwatch live --no-causes)' });
  });
});
