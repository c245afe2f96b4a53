import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askDaemon } from '../../src/diagnose/ask-daemon.js';
import { freePort } from '../support/free-port.js';
import type { CausesReport } from '../../src/causes/failure-causes.js';

const REPORT: CausesReport = {
  taken_at: '2024-05-01T10:00:02.000Z',
  ports_with_failures: 1,
  decided_from_one_read: 0,
  late_suspects: 0,
  evidence_evictions: 0,
  kernel_reads: 12,
  last_read: '2024-05-01T10:00:01.000Z',
  read_errors: [{ what: 'sock_diag', message: 'ss: not found' }],
  ports: [
    {
      port: 8080,
      last_seen: '2024-05-01T10:00:00.500Z',
      outcomes: [
        {
          outcome: 'refused',
          count: 3,
          pending: 1,
          causes: [{ cause: 'no_listener', count: 2, evidence: 'nothing listens on port 8080 for IPv4', last_seen: '2024-05-01T10:00:00.500Z' }],
        },
      ],
    },
  ],
};

/** What the test server answers, by path; `/slow/...` answers after two seconds. */
const ROUTES: Record<string, { status: number; type: string; body: string }> = {
  '/api/v1/causes': { status: 200, type: 'application/json', body: JSON.stringify(REPORT) },
  '/under/a/prefix/api/v1/causes': { status: 200, type: 'application/json', body: JSON.stringify(REPORT) },
  '/off/api/v1/causes': { status: 404, type: 'application/json', body: JSON.stringify({ error: 'cause classification is off (rstwatch live --no-causes)' }) },
  '/broken/api/v1/causes': { status: 502, type: 'text/html', body: '  <html>bad gateway</html>\n' },
  '/garbage/api/v1/causes': { status: 200, type: 'text/plain', body: 'rstwatch_refused_total 3\n' },
  '/other/api/v1/causes': { status: 200, type: 'application/json', body: JSON.stringify({ status: 'ok', ports: 'none' }) },
  '/slow/api/v1/causes': { status: 200, type: 'application/json', body: JSON.stringify(REPORT) },
};

let server: Server;
let base: string;
const seen: { url: string; method: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
    const route = ROUTES[req.url ?? ''];
    const send = (): void => {
      if (route === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such path');
        return;
      }
      res.writeHead(route.status, { 'content-type': route.type }).end(route.body);
    };
    if (req.url?.startsWith('/slow/')) setTimeout(send, 2000).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('askDaemon', () => {
  it('returns the report of GET /api/v1/causes, asking for JSON', async () => {
    seen.length = 0;
    const answer = await askDaemon(base);
    expect(answer).toEqual({ url: base, report: REPORT });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ url: '/api/v1/causes', method: 'GET', headers: { accept: 'application/json' } });
  });

  it.each([['/under/a/prefix'], ['/under/a/prefix/']])('keeps the base path of %s', async (path) => {
    const answer = await askDaemon(`${base}${path}`);
    expect(answer).toEqual({ url: `${base}${path}`, report: REPORT });
  });

  it.each<[string, string]>([
    ['/off', 'HTTP 404: cause classification is off (rstwatch live --no-causes)'],
    ['/nowhere', 'HTTP 404: no such path'],
    ['/broken', 'HTTP 502: <html>bad gateway</html>'],
    ['/other', 'the answer is not an rstwatch causes report (is it rstwatch live?)'],
  ])('gives no report and the reason for %s', async (path, error) => {
    expect(await askDaemon(`${base}${path}`)).toEqual({ url: `${base}${path}`, report: null, error });
  });

  it('gives no report for an answer that is not JSON', async () => {
    const answer = await askDaemon(`${base}/garbage`);
    expect(answer.report).toBeNull();
    expect(answer.url).toBe(`${base}/garbage`);
    expect(answer.error).toMatch(/JSON/);
  });

  it('gives up on a slow daemon after the timeout', async () => {
    const started = performance.now();
    const answer = await askDaemon(`${base}/slow`, 200);
    expect(answer).toEqual({ url: `${base}/slow`, report: null, error: 'no answer within 200 ms' });
    expect(performance.now() - started).toBeLessThan(1900);
  });

  it('names ECONNREFUSED when nothing listens on the port', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    expect(await askDaemon(url)).toEqual({ url, report: null, error: 'ECONNREFUSED' });
  });
});
