/**
 * Headless Chromium (Debian's `chromium` package) driven over the DevTools protocol, with no npm
 * package: `--remote-debugging-pipe` makes the browser read commands on its fd 3 and write answers
 * and events on its fd 4, each a JSON text ended by a NUL byte. One tab at a time is enough for
 * the page tests and the screenshots: open a file, record every request it makes and every
 * console error, exception and browser log error (a Content-Security-Policy violation is one), read
 * the DOM, take screenshots, emulate print. Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { exitOf } from './wait.js';

/** The browser's executable (Debian's chromium package). */
export const CHROMIUM = process.env.RSTWATCH_CHROMIUM ?? 'chromium';

/** How long one protocol command may take. */
const COMMAND_TIMEOUT_MS = 30_000;

/** A protocol message from the browser: an answer (`id`) or an event (`method`). */
interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

type Handler = (params: Record<string, unknown>) => void;

/** A running headless Chromium. */
export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, Handler[]>();
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly profile: string,
  ) {
    const out = child.stdio[4] as Readable;
    let buffered = Buffer.alloc(0);
    out.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
        this.dispatch(JSON.parse(buffered.subarray(0, end).toString('utf8')) as Message);
        buffered = buffered.subarray(end + 1);
      }
    });
    child.stderr?.on('data', (c: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += c.toString();
    });
    child.once('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code ?? signal}) before answering\n${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts the browser with a fresh profile that is removed at `close()`; nothing of its own runs in the background. */
  static async launch(): Promise<Chromium> {
    const profile = mkdtempSync(join(tmpdir(), 'rstwatch-chromium-'));
    const args = [
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--disable-gpu',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-extensions',
      '--disable-sync',
      '--hide-scrollbars',
      '--mute-audio',
      '--force-color-profile=srgb',
      // Root has no user namespace sandbox to enter here (the CI and dev machines run as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      'about:blank',
    ];
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const started = new Promise<void>((resolve, reject) => {
      child.once('error', (e) => reject(new Error(`cannot start ${CHROMIUM} (Debian: apt-get install chromium): ${e.message}`)));
      child.once('spawn', () => resolve());
    });
    await started;
    const browser = new Chromium(child, profile);
    await browser.send('Browser.getVersion');
    return browser;
  }

  /** Sends a command (to a tab when `sessionId` is given) and resolves with its result. */
  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium: ${method} got no answer in ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      (this.child.stdio[3] as Writable).write(`${text}\0`);
    });
  }

  /** Calls `handler` with the params of each `method` event of the tab `sessionId`. */
  on(sessionId: string, method: string, handler: Handler): void {
    const key = `${sessionId}:${method}`;
    this.handlers.set(key, [...(this.handlers.get(key) ?? []), handler]);
  }

  private dispatch(msg: Message): void {
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`chromium: ${msg.error.message}`));
      else p?.resolve(msg.result ?? {});
      return;
    }
    for (const h of this.handlers.get(`${msg.sessionId ?? ''}:${msg.method}`) ?? []) h(msg.params ?? {});
  }

  /** A new tab, `width` x `height` CSS pixels, recording its requests and problems from the start. */
  async newTab(width: number, height: number): Promise<Tab> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const tab = new Tab(this, sessionId);
    for (const domain of ['Page', 'Runtime', 'Log', 'Network']) await this.send(`${domain}.enable`, {}, sessionId);
    await tab.setViewport(width, height);
    return tab;
  }

  /** Closes the browser (killed if it does not end in 10 s) and removes its profile. */
  async close(): Promise<void> {
    const ended = exitOf(this.child, 10_000);
    await this.send('Browser.close').catch(() => undefined);
    await ended;
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** One tab of the browser. */
export class Tab {
  /** Every URL the tab requested, in order (its documents included). */
  readonly requests: string[] = [];
  /** Console errors and warnings, uncaught exceptions, and the browser's log errors and warnings (CSP violations among them). */
  readonly problems: string[] = [];
  private loaded: (() => void) | undefined;

  constructor(
    private readonly browser: Chromium,
    private readonly sessionId: string,
  ) {
    const on = (method: string, h: Handler): void => browser.on(sessionId, method, h);
    on('Network.requestWillBeSent', (p) => this.requests.push((p.request as { url: string }).url));
    on('Runtime.consoleAPICalled', (p) => {
      if (['error', 'warning', 'assert'].includes(p.type as string)) this.problems.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
    });
    on('Runtime.exceptionThrown', (p) => this.problems.push(`exception: ${JSON.stringify(p.exceptionDetails)}`));
    on('Log.entryAdded', (p) => {
      const entry = p.entry as { level: string; source: string; text: string; url?: string };
      if (entry.level === 'error' || entry.level === 'warning') this.problems.push(`${entry.source} ${entry.level}: ${entry.text} ${entry.url ?? ''}`);
    });
    on('Page.loadEventFired', () => this.loaded?.());
  }

  private send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Sets the viewport to `width` x `height` CSS pixels at one device pixel each. */
  async setViewport(width: number, height: number): Promise<void> {
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  }

  /** Loads `url` and resolves once its load event fired (rejects after `timeoutMs`). */
  async open(url: string, timeoutMs = 30_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chromium: ${url} did not load in ${timeoutMs} ms`)), timeoutMs);
      this.loaded = () => (clearTimeout(timer), resolve());
    });
    const nav = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (nav.errorText) throw new Error(`chromium: cannot open ${url}: ${nav.errorText}`);
    await loaded;
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
      result: { value: T };
      exceptionDetails?: unknown;
    };
    if (r.exceptionDetails) throw new Error(`chromium: ${expression} threw ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** Uses the print style sheet (`@media print`) instead of the screen's, or goes back. */
  async emulatePrint(print: boolean): Promise<void> {
    await this.send('Emulation.setEmulatedMedia', { media: print ? 'print' : '' });
  }

  /** Writes a PNG of the viewport, or of the whole page when `fullPage`, to `path`. */
  async screenshot(path: string, fullPage = false): Promise<void> {
    const params: Record<string, unknown> = { format: 'png' };
    if (fullPage) {
      const m = (await this.send('Page.getLayoutMetrics')) as { cssContentSize: { width: number; height: number } };
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: m.cssContentSize.width, height: m.cssContentSize.height, scale: 1 };
    }
    const { data } = (await this.send('Page.captureScreenshot', params)) as { data: string };
    writeFileSync(path, Buffer.from(data, 'base64'));
  }

  /** A PDF of the page as printed (A4, its own @page size honoured), written to `path`. */
  async pdf(path: string): Promise<void> {
    const { data } = (await this.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: true })) as { data: string };
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}
