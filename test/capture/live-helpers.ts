/**
 * Helpers of the live capture tests: a capture child process (fixtures/capture-child.mjs) driven
 * over stdin/stdout, and the traffic the tests send between the namespaces of kit/netns.ts.
 * Every wait is bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NetnsPair } from '../../kit/netns.js';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('fixtures/capture-child.mjs', import.meta.url));
const INJECT = fileURLToPath(new URL('fixtures/inject-child.mjs', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../scripts/netns-client.mjs', import.meta.url));

/** One JSON line of the capture child. */
export type ChildLine = Record<string, any>;

/** A capture child running in a namespace. */
export class CaptureChild {
  readonly lines: ChildLine[] = [];
  stderr = '';
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly proc: ChildProcess) {
    let buf = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as ChildLine);
        } catch {
          this.lines.push({ unparsed: line });
        }
        this.wake();
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    proc.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.wake();
    });
  }

  /**
   * Starts the child in `ns` with `options` (see the fixture) and waits for its first line. `script`
   * is the fixture (default capture-child.mjs) and `nodeArgs` go before it.
   */
  static async start(net: NetnsPair, ns: string, options: Record<string, unknown>, script = CHILD, nodeArgs: string[] = []): Promise<CaptureChild> {
    const proc = net.spawn(ns, process.execPath, [...nodeArgs, script, JSON.stringify(options)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const child = new CaptureChild(proc);
    await child.waitFor((l) => l.ready === true || l.error !== undefined || l.gc !== undefined, 15_000, 'ready or error');
    return child;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first line matching `pred`, waiting up to `timeoutMs`; rejects with what the child said. */
  async waitFor(pred: (l: ChildLine) => boolean, timeoutMs: number, what: string): Promise<ChildLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(pred);
      if (found) return found;
      if (this.exit)
        throw new Error(`capture child exited (${JSON.stringify(this.exit)}) before ${what}; stderr: ${this.stderr}; lines: ${JSON.stringify(this.lines)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} from the capture child within ${timeoutMs} ms; stderr: ${this.stderr}; lines: ${JSON.stringify(this.lines)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a command line and waits for the line carrying `key` that follows it. */
  async request(cmd: string, key: string, timeoutMs = 10_000): Promise<ChildLine> {
    const before = this.lines.length;
    this.proc.stdin?.write(`${cmd}\n`);
    return this.waitFor((l) => this.lines.indexOf(l) >= before && l[key] !== undefined, timeoutMs, `'${key}' after '${cmd}'`);
  }

  /** Waits for the process to end on its own (after stdin is closed). */
  async exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.exit) {
      if (Date.now() > deadline) throw new Error(`capture child still running ${timeoutMs} ms after being told to stop; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.exit;
  }

  /** Sends `close`, returns the final report, and waits for the process to exit on its own. */
  async closeAndExit(timeoutMs = 10_000): Promise<{ report: ChildLine; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
    const line = await this.request('close', 'closed', timeoutMs);
    this.proc.stdin?.end();
    return { report: line.report as ChildLine, exit: await this.exited(timeoutMs) };
  }
}

/** Attempt outcomes one `netns-client.mjs connect` run reported, in order. */
export function connect(net: NetnsPair, host: string, port: number, count: number): string[] {
  const r = net.exec(net.client, process.execPath, [CLIENT, 'connect', host, String(port), String(count), '5000'], { timeoutMs: 30_000 });
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { outcome: string }).outcome);
}

/** Starts `netns-client.mjs serve` on `ports` in the server namespace and waits until it listens. */
export async function serve(net: NetnsPair, ports: readonly number[]): Promise<ChildProcess> {
  const proc = net.spawn(net.server, process.execPath, [CLIENT, 'serve', ports.join(','), '600000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`server did not listen within 10 s: ${out}`)), 10_000);
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('"listening"')) {
        clearTimeout(t);
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
  return proc;
}

/**
 * Opens `count` connections to host:port at once from the client namespace (a burst of SYNs),
 * waits for all to end, returns how many ended (any outcome). Bounded by `timeoutMs`.
 */
export function burst(net: NetnsPair, host: string, port: number, count: number, timeoutMs = 30_000): number {
  const script = `
    const net = require('node:net');
    const [host, port, n] = [process.argv[1], +process.argv[2], +process.argv[3]];
    let done = 0;
    const end = () => { if (++done === n) { console.log(done); process.exit(0); } };
    for (let i = 0; i < n; i++) {
      const s = net.connect({ host, port });
      s.on('error', end);
      s.on('connect', () => { s.destroy(); end(); });
    }
    setTimeout(() => { console.log(done); process.exit(1); }, ${timeoutMs - 2000}).unref();`;
  const r = net.exec(net.client, process.execPath, ['-e', script, host, String(port), String(count)], { timeoutMs });
  return Number(r.stdout.trim());
}

/** Sends `count` UDP datagrams to host:port from the client namespace (the filter must drop them). */
export function sendUdp(net: NetnsPair, host: string, port: number, count: number): void {
  const script = `
    const dgram = require('node:dgram');
    const [host, port, n] = [process.argv[1], +process.argv[2], +process.argv[3]];
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    let sent = 0;
    const next = () => { if (sent++ === n) { s.close(); return; } s.send('hello', port, host, next); };
    next();`;
  net.exec(net.client, process.execPath, ['-e', script, host, String(port), String(count)], { timeoutMs: 10_000 });
}

/** Puts `frames` on the wire of `iface` in namespace `ns` (pcap_inject), in order; returns how many. */
export function inject(net: NetnsPair, ns: string, iface: string, frames: readonly Uint8Array[]): number {
  const input = frames.map((f) => Buffer.from(f).toString('hex')).join('\n');
  const r = net.exec(ns, process.execPath, [INJECT, iface], { input, timeoutMs: 15_000 });
  return (JSON.parse(r.stdout.trim()) as { injected: number }).injected;
}
