/**
 * Issue 11, faults: the real daemon captures on one end of a real veth pair in a network namespace
 * while the interface is taken down and brought back up, then deleted and created again. Before,
 * counting resumed only at the next backoff tick (here 8 s away) and nothing said what was missed;
 * now the capture is reopened as soon as rtnetlink says the interface is up, the log says how long
 * it was down, and rstwatch_capture_down_seconds_total / rstwatch_capture_faults_total grow.
 *
 * Nothing depends on how fast this machine is: each step waits on a condition (kit/wait.ts) with a
 * generous timeout; the outage is made long by waiting for the daemon's own backoff to reach 8 s
 * (timers never fire early), and the checks are on the order of the daemon's own log lines: the
 * reopen comes from the link notice and lands before the pending retry would have fired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addVethLink } from '../../kit/namespaces.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { until } from '../../kit/wait.js';
import { parseProcStatus } from '../../src/live/process-privileges.js';
import { captureThreads, startLiveDaemon, type LiveDaemon, type LogLine } from '../support/live-daemon.js';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('../../scripts/netns-client.mjs', import.meta.url));
const PORT = 7492;
const CLOSED = 9;
const INBOUND = { direction: 'inbound', port: String(CLOSED) };

let net: NetnsPair;
let daemon: LiveDaemon;

/** Waits until the daemon logs a failed reopen whose next retry is at least `ms` away; returns that line. */
function backoffReached(ms: number, from: number): Promise<LogLine> {
  return until(
    `a reopen retry ${ms} ms away`,
    () => daemon.lines.slice(from).find((l) => l.event === 'capture_reopen_failed' && Number(l.retry_in_ms) >= ms),
    60_000,
    () => JSON.stringify(daemon.lines.slice(-5)),
    50,
  );
}

/** One connection to the closed port from the client (refused by the server's kernel), then waits for the daemon to count it inbound. */
async function refusedAndCounted(): Promise<void> {
  const before = daemon.sample('rstwatch_refused_total', INBOUND) ?? 0;
  await until(
    'a refused connection from the client',
    () =>
      /ECONNREFUSED/.test(
        net.exec(net.client, process.execPath, [CLIENT, 'connect', net.addr.server4, String(CLOSED), '1', '2000'], { allowFail: true }).stdout,
      )
        ? true
        : undefined,
    30_000,
  );
  await until('the refusal counted inbound', () => ((daemon.sample('rstwatch_refused_total', INBOUND) ?? 0) > before ? true : undefined), 30_000);
}

/**
 * Takes the interface away with `takeDown`, waits for the backoff to reach `backoffMs`, brings it
 * back with `bringBack`, and checks the reopen: from the link notice, before the pending retry,
 * within seconds of the link coming back. Returns the capture_up line.
 */
async function outage(takeDown: () => void, bringBack: () => void, backoffMs: number, reason: string): Promise<LogLine> {
  const from = daemon.lines.length;
  takeDown();
  const down = await daemon.event('capture_down', 30_000, from);
  expect(down.reason).toBe(reason);
  expect(daemon.sample('rstwatch_capture_up')).toBe(0);
  const lastFailure = await backoffReached(backoffMs, from);
  const back = Date.now();
  bringBack();
  const up = await daemon.event('capture_up', 60_000, from);
  const upAt = Date.parse(String(up.time));
  // The order, from the daemon's own clock: reopened before the retry it had scheduled, with no
  // failed retry in between, by the link notice.
  expect(upAt).toBeLessThan(Date.parse(String(lastFailure.time)) + Number(lastFailure.retry_in_ms));
  expect(daemon.lines.slice(daemon.lines.indexOf(lastFailure) + 1, daemon.lines.indexOf(up)).filter((l) => l.event === 'capture_reopen_failed')).toEqual([]);
  expect(up.reopened_by).toBe('link');
  // Well under the old backoff (it was `backoffMs` away): a generous bound, the reopen itself takes milliseconds.
  expect(upAt - back).toBeLessThan(4000);
  // The failure announcing a retry `backoffMs` away came after 0.5 + 1 + ... + backoffMs/2 s of retries.
  expect(Number(up.down_seconds)).toBeGreaterThanOrEqual((backoffMs - 500) / 1000 - 0.001);
  return up;
}

beforeAll(async () => {
  requireRoot('test/live/faults-netns.test.ts');
  net = createNetnsPair({ tag: 'flt', subnet: 'f11' });
  daemon = startLiveDaemon(net, net.server, PORT, ['-i', net.serverIf, '--ports', String(CLOSED), '--no-causes']);
  await daemon.event('listening', 30_000);
});

afterAll(() => net?.destroy());

/**
 * The daemon's one capture thread, locked down like every thread: the first is started before the
 * switch and the lock-down (setuid() takes its capabilities, TSYNC gives it the filter); a
 * reopened capture's after them, from the main thread, whose credentials it inherits (CAP_NET_RAW:
 * capset is denied by then) with the filter. `effective` is the capability set it must hold.
 * Returns its thread id.
 */
function lockedDownCaptureThread(effective: bigint): string {
  const threads = captureThreads(daemon.pid);
  expect(threads).toHaveLength(1);
  expect(parseProcStatus(threads[0].status)).toMatchObject({ uid: 65534, effective, permitted: effective, noNewPrivs: true, seccomp: 'filter' });
  return threads[0].tid;
}
const NET_RAW = 1n << 13n;

describe('rstwatch live: the capture interface goes away and comes back', () => {
  let firstThread = '';

  it('counts refusals on the interface', async () => {
    await daemon.event('privileges', 30_000);
    firstThread = lockedDownCaptureThread(0n);
    await refusedAndCounted();
    expect(daemon.sample('rstwatch_capture_down_seconds_total')).toBe(0);
    expect(daemon.sample('rstwatch_capture_faults_total')).toBe(0);
  });

  it('down, then up after a long outage: reopened at once on the link notice, the time down logged and exported', async () => {
    const started = Date.now();
    const up = await outage(
      () => net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'down']),
      () => net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'up']),
      8000,
      'interface_down',
    );
    const seen = Date.now();
    expect(String(up.msg)).toMatch(/running again after [\d.]+ s down \(reopened by link\); counting resumes/);
    const downSeconds = daemon.sample('rstwatch_capture_down_seconds_total') ?? 0;
    expect(downSeconds).toBeCloseTo(Number(up.down_seconds), 2);
    expect(downSeconds).toBeLessThanOrEqual((seen - started) / 1000); // inside the outage the test made
    expect(daemon.sample('rstwatch_capture_faults_total')).toBe(1);
    expect(daemon.sample('rstwatch_capture_up')).toBe(1);
    // The reopened capture reads on a new thread, created after the lock-down.
    expect(lockedDownCaptureThread(NET_RAW)).not.toBe(firstThread);
    await refusedAndCounted();
    expect(daemon.sample('rstwatch_capture_dropped_total', { where: 'queue' })).toBe(0);
  });

  it('deleted and created again (a new interface index): reopened on the link notice, counted inbound at once', async () => {
    const before = daemon.sample('rstwatch_capture_down_seconds_total') ?? 0;
    const up = await outage(
      () => net.exec(net.server, 'ip', ['link', 'del', net.serverIf]),
      () =>
        addVethLink(
          { ns: net.client, dev: net.clientIf, v4: `${net.addr.client4}/24`, v6: `${net.addr.client6}/64` },
          { ns: net.server, dev: net.serverIf, v4: `${net.addr.server4}/24`, v6: `${net.addr.server6}/64` },
        ),
      4000,
      'interface_gone',
    );
    expect(daemon.sample('rstwatch_capture_down_seconds_total')).toBeCloseTo(before + Number(up.down_seconds), 2);
    expect(daemon.sample('rstwatch_capture_faults_total')).toBe(2);
    // The addresses are read again on the reopen: the refusal is inbound, not of unknown direction.
    const unknown = daemon.sample('rstwatch_refused_total', { direction: 'unknown', port: String(CLOSED) }) ?? 0;
    await refusedAndCounted();
    expect(daemon.sample('rstwatch_refused_total', { direction: 'unknown', port: String(CLOSED) }) ?? 0).toBe(unknown);
  });

  it('stops with SIGTERM, exit 0', async () => {
    daemon.child.kill('SIGTERM');
    expect(await daemon.exit).toBe(0);
  });
});
