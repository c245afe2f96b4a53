/**
 * The HTTP server (fastify): `/metrics` (Prometheus text format, or OpenMetrics when the Accept
 * header asks for it), `/healthz` (200 while the process runs), `/readyz` (503 with a reason until
 * ready, then 200), and a small landing page at `/`.
 *
 * Requests are not logged at info: a completed request is one debug line (a scrape every 15 s
 * would otherwise fill the log). A scrape reads typed arrays in the collectors; nothing is
 * computed per packet for it.
 */
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { RegistryContentType, Registry } from 'prom-client';
import { RstwatchError } from '../base/errors.js';
import type { RstwatchMetrics } from '../metrics/metrics.js';
import { MAX_PORT, parsePortList, SINGLE_PORTS } from '../net/port-list.js';
import { prefersOpenMetrics } from './accept.js';
import { renderLandingPage, type LandingInfo } from './landing.js';

/** How to start the HTTP server. */
export interface HttpServerOptions {
  /** Address to bind: `::` (every address, IPv6 and IPv4), `0.0.0.0` (every IPv4), or one address. */
  host: string;
  /** TCP port; 0 picks a free one (the result says which). */
  port: number;
  /** The registries /metrics serves. */
  metrics: RstwatchMetrics;
  /** True once rstwatch is ready (the capture runs); /readyz answers 503 until then. */
  isReady(): boolean;
  /** Why rstwatch is not ready, for the 503 body. Default: "the capture is not running". */
  notReadyReason?(): string;
  /** What the landing page shows. */
  landing: LandingInfo;
  /**
   * The causes of failed inbound attempts (GET /api/v1/causes, what `rstwatch diagnose` asks);
   * absent when cause classification is off (the route answers 404 with the reason).
   */
  causes?(ports: readonly number[]): unknown;
  /**
   * A pino logger (fastify's own logs go through it; requests at debug only), or fastify logger
   * options, or false / absent for no logging.
   */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
}

/** A listening server. */
export interface HttpServer {
  /** The bound address (`::`, `0.0.0.0`, `127.0.0.1`, ...). */
  readonly address: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening, closes idle connections and waits for requests in flight; releases the port. */
  close(): Promise<void>;
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Fastify's per-request log lines, moved to debug: no info line per scrape. */
class DebugRequestLog extends LogController {
  constructor() {
    super({ disableRequestLogging: true });
  }
}

function isLogger(x: unknown): x is FastifyBaseLogger {
  return typeof x === 'object' && x !== null && typeof (x as { child?: unknown }).child === 'function' && typeof (x as { info?: unknown }).info === 'function';
}

/** Turns a listen failure into RSTWATCH_ERR_LISTEN with a hint. */
function listenError(err: unknown, host: string, port: number): RstwatchError {
  const where = formatHostPort(host, port);
  const code = (err as { code?: string }).code;
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'EADDRINUSE':
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: the address is already in use`, {
        hint: `another process (perhaps another rstwatch) listens there (ss -ltnp 'sport = :${port}' shows it): stop it, or choose another address with --listen`,
        cause: err,
      });
    case 'EADDRNOTAVAIL':
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: ${host} is not an address of this host`, {
        hint: 'give an address of one of its interfaces, or [::] / 0.0.0.0 for all, with --listen',
        cause: err,
      });
    case 'EACCES':
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: permission denied`, {
        hint: 'ports below 1024 need CAP_NET_BIND_SERVICE; choose a higher port with --listen',
        cause: err,
      });
    case 'EAFNOSUPPORT':
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: IPv6 is not available on this host`, {
        hint: 'listen on IPv4 instead, e.g. --listen 0.0.0.0:' + port,
        cause: err,
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: the host name ${host} does not resolve`, {
        hint: 'give an IP address with --listen',
        cause: err,
      });
    default:
      return new RstwatchError('RSTWATCH_ERR_LISTEN', `cannot listen on ${where}: ${detail}`, {
        hint: 'check the --listen address',
        cause: err,
      });
  }
}

/** Adds the routes to `app`. */
function addRoutes(app: FastifyInstance, o: HttpServerOptions): void {
  const landing = renderLandingPage(o.landing);

  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTimeMs: reply.elapsedTime }, 'request completed');
    done();
  });

  app.get('/metrics', async (request, reply) => {
    const registry: Registry<RegistryContentType> = prefersOpenMetrics(request.headers.accept) ? o.metrics.openMetricsRegistry : o.metrics.registry;
    const body = await registry.metrics();
    void reply.header('content-type', registry.contentType).header('vary', 'Accept').header('cache-control', 'no-store');
    return body;
  });

  app.get('/healthz', async (_request, reply) => {
    void reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store');
    return 'ok\n';
  });

  app.get('/readyz', async (_request, reply) => {
    void reply.header('content-type', 'text/plain; charset=utf-8').header('cache-control', 'no-store');
    if (o.isReady()) return 'ready\n';
    const reason = o.notReadyReason?.() ?? 'the capture is not running';
    void reply.code(503);
    return `not ready: ${reason}\n`;
  });

  app.get<{ Querystring: { port?: string | string[] } }>('/api/v1/causes', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    if (o.causes === undefined) {
      void reply.code(404);
      return { error: 'cause classification is off (rstwatch live --no-causes)' };
    }
    // ?port=80,443 or ?port=80&port=443: single ports, the syntax of diagnose --port. No port,
    // or an empty ?port=, is every port.
    const q = request.query.port ?? [];
    const text = (Array.isArray(q) ? q : [q]).join(',');
    if (text === '') return o.causes([]);
    let ports: ReadonlySet<number>;
    try {
      ports = parsePortList(text, SINGLE_PORTS);
    } catch {
      void reply.code(400);
      return { error: `port: '${text}' is not a comma-separated list of ports (${SINGLE_PORTS.minPort}-${MAX_PORT})` };
    }
    return o.causes([...ports]);
  });

  app.get('/', async (_request, reply) => {
    void reply.header('content-type', 'text/html; charset=utf-8');
    return landing;
  });
}

/**
 * Starts the server and resolves once it listens. Throws RstwatchError RSTWATCH_ERR_LISTEN (exit
 * 6) naming host:port when the address is in use or cannot be bound.
 */
export async function startHttpServer(o: HttpServerOptions): Promise<HttpServer> {
  const logOptions: Partial<FastifyServerOptions> = isLogger(o.logger) ? { loggerInstance: o.logger } : { logger: o.logger ?? false };
  const app = fastify({
    ...logOptions,
    logController: new DebugRequestLog(),
    // close(): end idle keep-alive connections (Prometheus keeps one open) so the port is released.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  addRoutes(app, o);
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw listenError(err, o.host, o.port);
  }
  const bound = app.server.address();
  const address = typeof bound === 'object' && bound !== null ? bound.address : o.host;
  const port = typeof bound === 'object' && bound !== null ? bound.port : o.port;
  let closing: Promise<void> | undefined;
  return {
    address,
    port,
    close(): Promise<void> {
      closing ??= app.close();
      return closing;
    },
  };
}
