/**
 * `rstwatch live`: the replay pipeline on a live interface, continuously, with Prometheus metrics
 * over HTTP. Wires the parts and owns the process lifecycle:
 *
 *   open the capture (as root or with CAP_NET_RAW) -> bind the HTTP server -> drop root ->
 *   run: batches from libpcap -> decoder -> tracker; timers expire attempts, refresh the local
 *   addresses and log refusal summaries -> SIGTERM/SIGINT: stop the capture, close the server,
 *   exit 0.
 */
import { listCapInterfaces } from '../capture/cap-source.js';
import { listInterfaces } from '../capture/interfaces.js';
import { openLiveSource } from '../capture/live-source.js';
import { DEFAULT_SNAPLEN, DEFAULT_FILTER } from '../capture/bpf-filter.js';
import type { LiveCaptureOptions } from '../capture/packet-source.js';
import type { LiveConfig } from '../config.js';
import { startHttpServer } from '../http/server.js';
import { createLogger } from '../log/logger.js';
import { DEFAULT_SUMMARY_SECONDS } from '../log/refusal-log.js';
import { HEURISTIC_NAMES } from '../detect/heuristics.js';
import { createMetrics } from '../metrics/metrics.js';
import { buildPipeline } from '../pipeline/build.js';
import { LocalNets } from '../track/direction.js';
import { CaptureController } from './capture-controller.js';
import { CAUSES } from '../causes/classify.js';
import { readKernelState, type KernelStateSnapshot } from '../kernel/kernel-state.js';
import { FAILURE_KIND_NAMES } from '../track/attempt-events.js';
import { LocalAddressWatcher } from './local-addresses.js';
import { dropPrivileges } from './privileges.js';

/** How often pending attempts are checked against the timeout when no packet arrives, ms. */
const EXPIRE_TICK_MS = 1000;
/** How often the interfaces' addresses are re-read, ms. */
const ADDRESS_REFRESH_MS = 2000;
/** How often the namespace's kernel state (listeners, listen counters, sysctls) is read, ms (at most once a second: issue 5). */
const KERNEL_READ_MS = 1000;
/** Kernel reads are kept for the attempt timeout plus this, ms (an unanswered attempt is classified from the reads around its SYN). */
const KERNEL_HISTORY_SLACK_MS = 10_000;
/** How long shutdown may take before the process exits anyway, ms. */
const SHUTDOWN_GRACE_MS = 4000;

/** Capture options from the config, with the built-in filter and snaplen where none was given. */
export function captureOptions(config: LiveConfig): LiveCaptureOptions {
  return {
    interfaceName: config.interfaceName,
    snaplen: config.snaplen ?? DEFAULT_SNAPLEN,
    promiscuous: config.promiscuous,
    immediate: false,
    bufferBytes: config.bufferBytes,
    timeoutMs: 100,
    filter: config.filter ?? DEFAULT_FILTER,
    maxBatchFrames: 4096,
  };
}

/** Prints the interfaces libpcap can capture on, as the chosen backend lists them. */
function printInterfaces(backend: LiveConfig['backend']): number {
  for (const i of backend === 'cap' ? listCapInterfaces() : listInterfaces()) {
    const addrs = i.addresses.length > 0 ? `  ${i.addresses.map((a) => a.address).join(', ')}` : '';
    const state = i.flags.up ? (i.flags.running ? '' : ' [up, no carrier]') : ' [down]';
    process.stdout.write(`${i.name}${i.description ? ` (${i.description})` : ''}${state}${addrs}\n`);
  }
  return 0;
}

/** Runs the daemon until SIGTERM or SIGINT; resolves to the exit status. */
export async function runLive(config: LiveConfig, version: string): Promise<number> {
  if (config.listInterfaces) return printInterfaces(config.backend);
  const log = createLogger(config.logLevel);
  const localNets = new LocalNets();
  const { sink, tracker, detector, causes, refusalLog, suspectLog } = buildPipeline({
    maxAttempts: config.maxAttempts,
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    localNets,
    detect: config.detect,
    ...(config.causes ? { causes: { historyMs: config.attemptTimeoutSeconds * 1000 + KERNEL_HISTORY_SLACK_MS } } : {}),
    log,
  });
  const addresses = new LocalAddressWatcher(localNets, config.extraLocalNets, log.child({ component: 'addresses' }));
  addresses.refresh();

  const options = captureOptions(config);
  const capture = new CaptureController(options, (o) => openLiveSource(o, config.backend), sink, log.child({ component: 'capture' }));
  const source = capture.start();
  log.info(
    {
      event: 'capture_up',
      interface: source.interfaceName,
      backend: source.backend,
      link_type: source.linkType,
      snaplen: options.snaplen,
      filter: options.filter,
    },
    `capturing on ${source.interfaceName} (${source.backend} backend)`,
  );

  // The namespace's kernel state, read by a timer (never per packet, never at scrape): the
  // rstwatch_kernel_* metrics and the cause classifier. Owners are looked up only for listeners
  // with connections queued (the only ones whose owner can decide a cause).
  let kernelState: KernelStateSnapshot | undefined;
  let kernelReading = false;
  const kernelLog = log.child({ component: 'kernel' });
  let kernelErrors = '';
  const readKernel = (): void => {
    if (kernelReading) return;
    kernelReading = true;
    readKernelState({ ownersOf: 'queued' })
      .then((s) => {
        kernelState = s;
        causes?.addRead(s, Date.now());
        const errors = s.errors.map((e) => e.what).join(', ');
        if (errors !== kernelErrors) {
          if (errors !== '')
            kernelLog.warn(
              { event: 'kernel_state_partial', errors: s.errors },
              `cannot read part of the kernel state (${errors}): causes that need it are unknown`,
            );
          kernelErrors = errors;
        }
      })
      .finally(() => {
        kernelReading = false;
      });
  };
  readKernel();

  const metrics = createMetrics(
    {
      tracker,
      sink,
      capture: { up: () => capture.up(), stats: () => capture.stats(), statsSupported: source.statsSupported, sinkErrors: () => capture.sinkErrors() },
      version,
      kernel: { latest: () => kernelState },
      ...(causes
        ? {
            causes: {
              outcomeNames: FAILURE_KIND_NAMES,
              causeNames: CAUSES,
              get: (p: number, o: number, c: number) => causes.get(p, o, c),
              total: (o: number, c: number) => causes.total(o, c),
              pending: (p: number, o: number) => causes.pending(p, o),
              pendingTotal: (o: number) => causes.pendingTotal(o),
            },
          }
        : {}),
      ...(detector
        ? {
            suspects: {
              heuristicNames: HEURISTIC_NAMES,
              get: (d: number, p: number, h: number) => detector.counters.get(d, p, h),
              total: (d: number, h: number) => detector.counters.total(d, h),
            },
          }
        : {}),
    },
    { maxPorts: config.maxPorts, keepPorts: config.ports, ratioWindowSeconds: config.ratioWindowSeconds, logger: log.child({ component: 'metrics' }) },
  );
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    server = await startHttpServer({
      host: config.listenHost,
      port: config.listenPort,
      metrics,
      isReady: () => capture.up(),
      landing: { version, interfaceName: config.interfaceName, backend: config.backend },
      ...(causes ? { causes: (ports: readonly number[]) => causes.report(Date.now(), ports) } : {}),
      logger: log.child({ component: 'http' }),
    });
  } catch (err) {
    capture.stop();
    metrics.close();
    throw err;
  }
  log.info({ event: 'listening', address: server.address, port: server.port }, `metrics on http://${server.address}:${server.port}/metrics`);

  let dropped: ReturnType<typeof dropPrivileges>;
  try {
    dropped = dropPrivileges(config.user, config.promiscuous);
  } catch (err) {
    capture.stop();
    metrics.close();
    await server.close();
    throw err;
  }
  if (dropped) {
    log.info(
      { event: 'privileges_dropped', user: dropped.name, uid: dropped.uid, gid: dropped.gid, kept_capture_capability: dropped.keptCaptureCapability },
      `running as ${dropped.name}${dropped.keptCaptureCapability ? ' with CAP_NET_RAW kept for reopening the capture' : ''}`,
    );
  }

  const timers = [
    setInterval(() => tracker.expire(Date.now() / 1000), EXPIRE_TICK_MS),
    setInterval(() => addresses.refresh(), ADDRESS_REFRESH_MS),
    setInterval(() => {
      readKernel();
      causes?.settle(Date.now());
    }, KERNEL_READ_MS),
    setInterval(() => {
      refusalLog?.summarize(DEFAULT_SUMMARY_SECONDS);
      suspectLog?.flush(DEFAULT_SUMMARY_SECONDS);
    }, DEFAULT_SUMMARY_SECONDS * 1000),
  ];

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'stopping', signal }, `${signal}: stopping`);
      const force = setTimeout(() => {
        log.warn({ event: 'stop_timeout' }, 'shutdown took too long; exiting');
        resolve(0);
      }, SHUTDOWN_GRACE_MS);
      force.unref();
      for (const t of timers) clearInterval(t);
      capture.stop();
      metrics.close();
      server.close().then(
        () => {
          clearTimeout(force);
          log.flush();
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'closing the HTTP server failed');
          resolve(0);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
