/**
 * The built `rstwatch live` (dist/rstwatch.js) run for real in a namespace of a pair
 * (kit/netns.ts), started as root: its JSON log lines as they come, /metrics scraped from inside
 * the namespace (it listens on that namespace's loopback), its exit. For the system tests of
 * test/live/ that look at the running daemon (faults, privileges, signals).
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NetnsPair } from '../../kit/netns.js';
import { until } from '../../kit/wait.js';
import { valueOf } from '../metrics/helpers.js';

/** The bundled CLI the system project builds before it runs (test/global-setup.ts). */
export const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist/rstwatch.js');

/** Thread name of the native capture's thread (native/src/capture_thread.c). */
export const CAPTURE_THREAD_NAME = 'rstwatch-cap';

/** The capture threads of process `pid` (a network namespace does not hide /proc): each thread id and its /proc status. */
export function captureThreads(pid: number): { tid: string; status: string }[] {
  const out: { tid: string; status: string }[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === CAPTURE_THREAD_NAME)
        out.push({ tid, status: readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8') });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** One JSON log line of the daemon. */
export type LogLine = Record<string, unknown> & { event?: string; msg?: string; time?: string; level?: string };

/** A running daemon. */
export interface LiveDaemon {
  readonly child: ChildProcess;
  /** The daemon's pid (`ip netns exec` and `capsh -c 'exec …'` exec: it is the spawned pid). */
  readonly pid: number;
  /** Its JSON log lines so far, in order. */
  readonly lines: LogLine[];
  /** Its standard error so far. */
  stderr(): string;
  /** Resolves to its exit status (or the signal's name). */
  readonly exit: Promise<number | string>;
  /** Waits for the first line with `event` at index `from` or later; fails at once if the daemon exits first. */
  event(event: string, timeoutMs?: number, from?: number): Promise<LogLine>;
  /** GET `path` inside the namespace: status and body (status 0 when nothing answers). */
  get(path: string): { status: number; body: string };
  /** One sample of /metrics, or undefined. */
  sample(name: string, labels?: Record<string, string>): number | undefined;
}

/**
 * Starts `rstwatch live ARGS --listen 127.0.0.1:PORT` in namespace `ns` of `net`. `wrap` runs it
 * through a command that execs it (e.g. capsh): `wrap(nodeCommandLine)` gives the argv.
 */
export function startLiveDaemon(net: NetnsPair, ns: string, port: number, args: readonly string[], wrap?: (command: string) => string[]): LiveDaemon {
  const argv = [process.execPath, CLI, 'live', ...args, '--listen', `127.0.0.1:${port}`];
  const [cmd, ...rest] = wrap ? wrap(argv.map((a) => `'${a}'`).join(' ')) : argv;
  const child = net.spawn(ns, cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as LogLine);
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const tail = () =>
    `log:\n${lines
      .slice(-15)
      .map((l) => JSON.stringify(l))
      .join('\n')}\nstderr: ${stderr.slice(-2000)}`;
  const get = (path: string): { status: number; body: string } => {
    const script = `fetch('http://127.0.0.1:${port}${path}').then(async r=>process.stdout.write(JSON.stringify({status:r.status,body:await r.text()})),e=>process.stdout.write(JSON.stringify({status:0,body:String(e)})))`;
    const r = net.exec(ns, process.execPath, ['-e', script], { allowFail: true, timeoutMs: 15_000 });
    return JSON.parse(r.stdout || '{"status":0,"body":"no output"}') as { status: number; body: string };
  };
  return {
    child,
    pid: child.pid as number,
    lines,
    stderr: () => stderr,
    exit,
    event: (event, timeoutMs = 30_000, from = 0) =>
      until(
        `log event ${event}`,
        () => {
          const line = lines.slice(from).find((l) => l.event === event);
          if (line === undefined && (child.exitCode !== null || child.signalCode !== null)) {
            throw new Error(`rstwatch exited (${child.exitCode ?? child.signalCode}) before logging ${event}\n${tail()}`);
          }
          return line;
        },
        timeoutMs,
        tail,
        50,
      ),
    get,
    sample: (name, labels = {}) => valueOf(get('/metrics').body, name, labels),
  };
}
