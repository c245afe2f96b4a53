/**
 * Issue 11, signals, on the real daemon in a network namespace. Before, SIGHUP ended it (exit 129,
 * no log line), SIGUSR1 opened Node's inspector on 127.0.0.1:9229 (code execution for anyone who
 * can connect there) and SIGUSR2 ended it (exit 140). Now each is logged and the daemon runs on;
 * SIGHUP reopens a capture that is down. A closed standard output (SIGPIPE is ignored by Node; the
 * writes fail with EPIPE) loses the log, not the daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { sleep, until } from '../../kit/wait.js';
import { startLiveDaemon, type LiveDaemon } from '../support/live-daemon.js';

const PORT = 7497;
let net: NetnsPair;
let d: LiveDaemon;

/** Sends `signal`, then waits for the log line `event` it must give; the daemon still answers afterwards. */
async function signalled(signal: NodeJS.Signals, event: string): Promise<Record<string, unknown>> {
  const from = d.lines.length;
  d.child.kill(signal);
  const line = await d.event(event, 30_000, from);
  expect(d.child.exitCode).toBe(null);
  expect(d.get('/metrics').status).toBe(200);
  return line;
}

beforeAll(async () => {
  requireRoot('test/live/signals-netns.test.ts');
  net = createNetnsPair({ tag: 'sig', subnet: 'f13' });
  d = startLiveDaemon(net, net.server, PORT, ['-i', net.serverIf]);
  await d.event('listening');
  await until('ready', () => (d.get('/readyz').status === 200 ? true : undefined), 30_000);
});

afterAll(() => {
  if (d?.child.exitCode === null) d.child.kill('SIGKILL');
  net?.destroy();
});

describe('rstwatch live and signals', () => {
  it('SIGHUP: logs that there is nothing to reload and runs on, still serving /metrics', async () => {
    const line = await signalled('SIGHUP', 'sighup');
    expect(line).toMatchObject({ level: 'info', capture_up: true });
    expect(String(line.msg)).toMatch(/^SIGHUP: nothing to reload/);
    expect(d.get('/readyz').status).toBe(200);
    expect(d.sample('rstwatch_capture_up')).toBe(1);
  });

  it('SIGHUP while the capture is down: tries to reopen it at once', async () => {
    const from = d.lines.length;
    net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'down']);
    await d.event('capture_down', 30_000, from);
    const line = await signalled('SIGHUP', 'sighup');
    expect(line.capture_up).toBe(false);
    const retry = await until(
      'the reopen SIGHUP asked for',
      () => d.lines.slice(from).find((l) => l.event === 'capture_reopen_failed' && l.trigger === 'SIGHUP'),
      30_000,
    );
    expect(String(retry.detail)).toMatch(/down/);
    net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'up']);
    await d.event('capture_up', 30_000, from);
    expect(d.sample('rstwatch_capture_up')).toBe(1);
  });

  it('SIGUSR1: logged and ignored; the Node inspector does not open', async () => {
    const line = await signalled('SIGUSR1', 'signal_ignored');
    expect(line).toMatchObject({ level: 'warn', signal: 'SIGUSR1' });
    await sleep(500); // the inspector, when it opens, listens within milliseconds of the signal
    expect(net.exec(net.server, 'ss', ['-Hltn']).stdout).not.toMatch(/:9229\b/);
    expect(d.stderr()).not.toMatch(/Debugger listening/);
  });

  it('SIGUSR2: logged and ignored', async () => {
    expect(await signalled('SIGUSR2', 'signal_ignored')).toMatchObject({ level: 'warn', signal: 'SIGUSR2' });
  });

  it('standard output closed: the log is lost, the daemon runs on (SIGPIPE is ignored, EPIPE tolerated)', async () => {
    d.child.stdout?.destroy();
    for (const signal of ['SIGHUP', 'SIGUSR2', 'SIGHUP'] as const) {
      d.child.kill(signal); // each writes a log line into the closed pipe
      await sleep(200);
    }
    expect(d.child.exitCode).toBe(null);
    expect(d.get('/metrics').status).toBe(200);
    expect(d.get('/readyz').status).toBe(200);
  });

  it('SIGTERM: exits 0', async () => {
    d.child.kill('SIGTERM');
    expect(await d.exit).toBe(0);
  });
});
