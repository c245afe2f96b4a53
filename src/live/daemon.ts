/**
 * `rstwatch live`: the replay pipeline on a live interface, continuously, with Prometheus metrics
 * over HTTP. The pipeline is built by pipeline/build.ts, as for replay; this file opens the capture,
 * serves the metrics and owns the process lifecycle:
 *
 *   open the capture (as root or with CAP_NET_RAW) and watch its link -> bind the HTTP server ->
 *   drop root and lock down (no_new_privs, seccomp) -> run: batches from libpcap -> decoder ->
 *   tracker; timers expire attempts, refresh the local addresses and log refusal summaries ->
 *   SIGTERM/SIGINT: stop the capture, close the server, exit 0. SIGHUP, SIGUSR1 and SIGUSR2 are
 *   logged and otherwise ignored (SIGHUP reopens a capture that is down).
 */
import type { Logger } from 'pino';
import { listCapInterfaces } from '../capture/cap-source.js';
import { listInterfaces } from '../capture/interfaces.js';
import { watchLink } from '../capture/link-watch.js';
import { openLiveSource } from '../capture/live-source.js';
import { DEFAULT_SNAPLEN, DEFAULT_FILTER } from '../capture/bpf-filter.js';
import type { LiveCaptureOptions } from '../capture/packet-source.js';
import { startHttpServer, type HttpServer } from '../http/server.js';
import { createLogger } from '../log/logger.js';
import { DEFAULT_SUMMARY_SECONDS } from '../log/refusal-log.js';
import { createMetrics, type RstwatchMetrics } from '../metrics/metrics.js';
import { buildPipeline, type Pipeline } from '../pipeline/build.js';
import type { PipelineSink } from '../pipeline/pipeline-sink.js';
import { LocalNets } from '../track/direction.js';
import { CaptureController } from './capture-controller.js';
import { KernelReader } from './kernel-reader.js';
import { LocalAddressWatcher } from './local-addresses.js';
import { KERNEL_HISTORY_SLACK_SECONDS, logMemoryBudget } from './memory-budget.js';
import { liveMetricSources } from './metric-sources.js';
import { LIVE_BATCH_FRAMES, type LiveConfig } from './live-config.js';
import { dropAndLockDown } from './privileges.js';
import { SinkErrorLog } from './sink-error-log.js';

/** How often pending attempts are checked against the timeout when no packet arrives, ms. */
const EXPIRE_TICK_MS = 1000;
/** How often the interfaces' addresses are re-read, ms. */
const ADDRESS_REFRESH_MS = 2000;
/** How often the namespace's kernel state (listeners, listen counters, sysctls) is read, ms (at most once a second: issue 5). */
const KERNEL_READ_MS = 1000;
/** How often a throw from the pipeline is looked for, to log it. */
const SINK_ERROR_CHECK_MS = 10_000;
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
    maxBatchFrames: LIVE_BATCH_FRAMES,
    queueBytes: config.queueBytes,
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
  const signalled: SignalTargets = {};
  handleOtherSignals(log, signalled);
  const localNets = new LocalNets();
  const pipeline = buildPipeline({
    maxAttempts: config.maxAttempts,
    attemptTimeoutSeconds: config.attemptTimeoutSeconds,
    localNets,
    detect: config.detect,
    ...(config.causes ? { causes: { historyMs: (config.attemptTimeoutSeconds + KERNEL_HISTORY_SLACK_SECONDS) * 1000 } } : {}),
    log,
  });
  logMemoryBudget(log, config);
  const addresses = new LocalAddressWatcher(localNets, config.extraLocalNets, log.child({ component: 'addresses' }));
  addresses.refresh();
  const { causes } = pipeline;
  const { capture, statsSupported } = startCapture(config, pipeline.sink, log, () => addresses.refresh());
  signalled.capture = capture;
  const kernel = new KernelReader(causes, log.child({ component: 'kernel' }));
  kernel.read();
  // What runs, in the order it is stopped: one clean-up for a failed start and for a signal.
  const running: Running = { timers: [], capture };
  const close = () => closeAll(running, log);
  try {
    running.metrics = createMetrics(liveMetricSources(pipeline, capture, statsSupported, kernel, version), {
      maxPorts: config.maxPorts,
      keepPorts: config.ports,
      ratioWindowSeconds: config.ratioWindowSeconds,
      logger: log.child({ component: 'metrics' }),
    });
    running.server = await startHttpServer({
      host: config.listenHost,
      port: config.listenPort,
      metrics: running.metrics,
      isReady: () => capture.up(),
      landing: { version, interfaceName: config.interfaceName, backend: config.backend },
      ...(causes ? { causes: (ports: readonly number[]) => causes.report(Date.now(), ports) } : {}),
      logger: log.child({ component: 'http' }),
    });
    const { address, port } = running.server;
    log.info({ event: 'listening', address, port }, `metrics on http://${address}:${port}/metrics`);
    dropAndLockDown(config.user, log);
  } catch (err) {
    await close();
    throw err;
  }
  running.timers = startTimers(pipeline, addresses, kernel, new SinkErrorLog(capture, log.child({ component: 'capture' })));
  return stopOnSignal(log, close);
}

/** What `runLive` started, to stop: timers, the capture, the metrics and the HTTP server. */
interface Running {
  timers: NodeJS.Timeout[];
  capture: CaptureController;
  metrics?: RstwatchMetrics;
  server?: HttpServer;
}

/**
 * Stops what runs, in order; a step that throws is logged and the next still runs, so the HTTP
 * server is always closed and a failed start reports its own error, not the clean-up's.
 */
async function closeAll(running: Running, log: Logger): Promise<void> {
  for (const t of running.timers) clearInterval(t);
  const steps: [string, () => unknown][] = [
    ['capture', () => running.capture.stop()],
    ['metrics', () => running.metrics?.close()],
    ['HTTP server', () => running.server?.close()],
  ];
  for (const [part, step] of steps) {
    try {
      await step();
    } catch (err) {
      log.error({ event: 'close_failed', part, err }, `closing the ${part} failed`);
    }
  }
}

/**
 * Opens the capture feeding `sink` and logs what it captures on. CaptureController keeps it open:
 * it watches the interface's link and reopens a lost capture when the link is back, calling
 * `onReopened` then.
 */
function startCapture(config: LiveConfig, sink: PipelineSink, log: Logger, onReopened: () => void): { capture: CaptureController; statsSupported: boolean } {
  const options = captureOptions(config);
  const capture = new CaptureController({
    options,
    open: (o) => openLiveSource(o, config.backend),
    sink,
    log: log.child({ component: 'capture' }),
    watchLink,
    onReopened,
  });
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
  return { capture, statsSupported: source.statsSupported };
}

/** What the signals of `handleOtherSignals` act on, once it exists. */
interface SignalTargets {
  capture?: CaptureController;
}

/** SIGHUP: nothing to reload (the configuration is the command line); reopens a capture that is down. */
function onHangUp(log: Logger, capture: CaptureController | undefined): void {
  if (capture === undefined || capture.up()) {
    log.info(
      { event: 'sighup', capture_up: capture !== undefined },
      'SIGHUP: nothing to reload (the configuration is the command line and RSTWATCH_* variables); running on',
    );
    return;
  }
  log.info({ event: 'sighup', capture_up: false }, 'SIGHUP: nothing to reload; the capture is down: reopening it now');
  capture.reopenNow('SIGHUP');
}

/**
 * From the start of `live`: SIGHUP is `onHangUp`; SIGUSR1 and SIGUSR2 are logged and ignored.
 * Node's default for SIGUSR1 opens its inspector on 127.0.0.1:9229, which runs any code for anyone
 * who can connect there (every container of a pod); the defaults of SIGHUP and SIGUSR2 end the
 * process without a word.
 */
function handleOtherSignals(log: Logger, targets: SignalTargets): void {
  process.on('SIGHUP', () => onHangUp(log, targets.capture));
  process.on('SIGUSR1', () => log.warn({ event: 'signal_ignored', signal: 'SIGUSR1' }, 'SIGUSR1: ignored (the Node inspector stays closed)'));
  process.on('SIGUSR2', () => log.warn({ event: 'signal_ignored', signal: 'SIGUSR2' }, 'SIGUSR2: ignored'));
}

/** The daemon's timers: attempt expiry, address refresh, kernel reads, log summaries and sink errors. */
function startTimers(pipeline: Pipeline, addresses: LocalAddressWatcher, kernel: KernelReader, sinkErrors: SinkErrorLog): NodeJS.Timeout[] {
  const { tracker, causes, refusalLog, suspectLog } = pipeline;
  return [
    setInterval(() => tracker.expire(Date.now() / 1000), EXPIRE_TICK_MS),
    setInterval(() => addresses.refresh(), ADDRESS_REFRESH_MS),
    setInterval(() => {
      kernel.read();
      causes?.settle(Date.now());
    }, KERNEL_READ_MS),
    setInterval(() => {
      refusalLog?.summarize(DEFAULT_SUMMARY_SECONDS);
      suspectLog?.flush(DEFAULT_SUMMARY_SECONDS);
    }, DEFAULT_SUMMARY_SECONDS * 1000),
    setInterval(() => sinkErrors.check(), SINK_ERROR_CHECK_MS),
  ];
}

/** Resolves to 0 once SIGTERM or SIGINT came and `close` finished (or took longer than SHUTDOWN_GRACE_MS). */
function stopOnSignal(log: Logger, close: () => Promise<void>): Promise<number> {
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
      // closeAll logs a step that fails and goes on: it never rejects.
      void close().then(() => {
        clearTimeout(force);
        log.flush();
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
