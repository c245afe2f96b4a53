/**
 * Issue 11, privileges: what the real daemon holds once it runs, read from /proc/PID/status (and
 * /proc/PID/task/*) of the process started as root in a network namespace. Before, after the switch
 * to --user the bounding set was full, NoNewPrivs 0 and there was no seccomp filter; --user root
 * kept full root silently; root without CAP_SETUID exited 2 (the bad-flag status); --promiscuous
 * without CAP_NET_ADMIN failed with a capset error while the hint named CAP_NET_RAW.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/base/errors.js';
import { describePrivileges, parseProcStatus } from '../../src/live/process-privileges.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { sleep, until } from '../../kit/wait.js';
import { captureThreads, startLiveDaemon, type LiveDaemon } from '../support/live-daemon.js';

const ADDON = fileURLToPath(new URL('../../native/build/Release/rstwatch_pcap.node', import.meta.url));
const NET_RAW = 1n << 13n;

let net: NetnsPair;
const started: LiveDaemon[] = [];

function start(port: number, args: string[], wrap?: (command: string) => string[]): LiveDaemon {
  const d = startLiveDaemon(net, net.server, port, ['-i', net.serverIf, ...args], wrap);
  started.push(d);
  return d;
}

/** Runs the daemon's command line under `capsh --drop=CAP --`, as root without that capability. */
const without = (cap: string) => (command: string) => ['capsh', `--drop=${cap}`, '--', '-c', `exec ${command}`];

function status(pid: number, task?: string): string {
  return net.exec(net.server, 'cat', [task === undefined ? `/proc/${pid}/status` : `/proc/${pid}/task/${task}/status`]).stdout;
}

/** Waits until the daemon has logged what it holds after dropping root (`privileges`); fails at once if it exits. */
function dropped(d: LiveDaemon): Promise<unknown> {
  return until(
    'the privileges line',
    () => {
      if (d.child.exitCode !== null) throw new Error(`rstwatch exited ${d.child.exitCode}: ${d.stderr()}`);
      return d.lines.find((l) => String(l.event).startsWith('privileges')); // also 'privileges_dropped', as before issue 11
    },
    30_000,
  );
}

async function stop(d: LiveDaemon): Promise<void> {
  d.child.kill('SIGTERM');
  expect(await d.exit).toBe(0);
}

function promiscuity(): number {
  const out = net.exec(net.server, 'ip', ['-d', 'link', 'show', net.serverIf]).stdout;
  return Number(/promiscuity (\d+)/.exec(out)?.[1]);
}

beforeAll(() => {
  requireRoot('test/live/privileges-netns.test.ts');
  net = createNetnsPair({ tag: 'priv', subnet: 'f12' });
});

afterAll(() => {
  for (const d of started) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  net?.destroy();
});

describe('rstwatch live started as root, --user nobody', () => {
  let d: LiveDaemon;

  beforeAll(async () => {
    d = start(7493, []);
    await dropped(d);
  });

  it('keeps CAP_NET_RAW alone, in the effective, permitted and bounding sets; no_new_privs; a seccomp filter', () => {
    const st = status(d.pid);
    expect(/^Uid:\s+(.*)$/m.exec(st)?.[1].split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
    expect(/^Gid:\s+(.*)$/m.exec(st)?.[1].split(/\s+/)).toEqual(['65534', '65534', '65534', '65534']);
    expect(parseProcStatus(st)).toEqual({ uid: 65534, effective: NET_RAW, permitted: NET_RAW, bounding: NET_RAW, noNewPrivs: true, seccomp: 'filter' });
    expect(/^CapInh:\s+(\S+)/m.exec(st)?.[1]).toBe('0000000000000000');
    expect(/^CapAmb:\s+(\S+)/m.exec(st)?.[1]).toBe('0000000000000000');
    expect(/^Seccomp_filters:\s+(\d+)/m.exec(st)?.[1]).toBe('1');
  });

  it('every thread has no_new_privs and the filter; none but the main thread holds a capability', () => {
    const tasks = net
      .exec(net.server, 'ls', [`/proc/${d.pid}/task`])
      .stdout.trim()
      .split(/\s+/);
    expect(tasks.length).toBeGreaterThan(1); // V8's and libuv's threads
    // The capture thread among them, started before the switch and the lock-down (TSYNC reached it).
    expect(captureThreads(d.pid).map((t) => t.tid)).toEqual([expect.any(String)]);
    expect(tasks).toContain(captureThreads(d.pid)[0].tid);
    for (const t of tasks) {
      const p = parseProcStatus(status(d.pid, t));
      expect({ t, noNewPrivs: p.noNewPrivs, seccomp: p.seccomp, uid: p.uid }).toEqual({ t, noNewPrivs: true, seccomp: 'filter', uid: 65534 });
      expect([0n, t === String(d.pid) ? NET_RAW : 0n]).toContain(p.effective);
      expect(p.permitted).toBe(p.effective);
    }
  });

  it('logs what /proc shows', async () => {
    const line = await d.event('privileges');
    const now = describePrivileges(parseProcStatus(status(d.pid)));
    expect(now.cap_bounding).toEqual(['CAP_NET_RAW']);
    expect(line).toMatchObject({ user: 'nobody', switched: true, kept_capture_capability: true, seccomp_all_threads: true, ...now });
  });

  it('still runs what it needs under the filter: ss for the kernel state (no read of it fails)', async () => {
    const from = d.lines.indexOf(await d.event('privileges'));
    await sleep(3000); // three kernel reads (one a second), each running ss
    expect(d.lines.slice(from).filter((l) => l.event === 'kernel_state_partial' || l.level === 'error')).toEqual([]);
    expect(d.sample('rstwatch_capture_up')).toBe(1);
    await stop(d);
  });
});

describe('--user root', () => {
  it('warns that it keeps every capability, and still locks down', async () => {
    const d = start(7494, ['--user', 'root']);
    const warn = await d.event('privileges_kept');
    expect(warn.level).toBe('warn');
    expect(String(warn.msg)).toMatch(/keeps running as root with every capability/);
    const p = parseProcStatus(status(d.pid));
    expect(p.uid).toBe(0);
    expect(p.noNewPrivs).toBe(true);
    expect(p.seccomp).toBe('filter');
    expect(await d.event('privileges')).toMatchObject({ user: 'root', switched: false, uid: 0, no_new_privs: true });
    await stop(d);
  });
});

describe('root without CAP_SETUID', () => {
  it('exits with the privileges status (not the bad-flag 2), naming CAP_SETUID', async () => {
    const d = start(7495, [], without('cap_setuid'));
    const code = await d.exit;
    expect(code).toBe(ERROR_CODES.RSTWATCH_ERR_PRIVILEGES.exitCode);
    expect(code).not.toBe(ERROR_CODES.RSTWATCH_ERR_CONFIG.exitCode);
    expect(d.stderr()).toMatch(/^rstwatch: error: --user nobody: cannot switch from root to uid 65534: CAP_SETUID is missing/m);
    expect(d.stderr()).toMatch(/^rstwatch: hint: .*CAP_SETUID and CAP_SETGID/m);
  });
});

describe('--promiscuous as root without CAP_NET_ADMIN', () => {
  it('runs as nobody with CAP_NET_RAW alone, the interface promiscuous (Linux asks no more)', async () => {
    expect(promiscuity()).toBe(0);
    const d = start(7496, ['--promiscuous'], without('cap_net_admin'));
    await dropped(d);
    expect(parseProcStatus(status(d.pid))).toMatchObject({ uid: 65534, effective: NET_RAW, bounding: NET_RAW });
    expect(promiscuity()).toBe(1);
    await stop(d);
    await until('promiscuous mode to end with the capture', () => (promiscuity() === 0 ? true : undefined), 10_000);
  });
});

describe('the lock-down itself (native lockDown, in a child process)', () => {
  it('denies new namespaces to the process and what it runs, and leaves threads, children and files working', () => {
    const script = `
      const b = require(${JSON.stringify(ADDON)});
      const cp = require('child_process');
      const out = { seccomp: b.lockDown() };
      for (const [k, args] of [['userns', ['-U', 'true']], ['netns', ['-n', 'true']]]) out[k] = cp.spawnSync('unshare', args, { encoding: 'utf8' }).stderr.trim();
      out.child = cp.spawnSync('true').status;
      out.file = require('fs').readFileSync('/proc/self/status', 'utf8').match(/NoNewPrivs:\\s+(\\d)/)[1];
      const { Worker } = require('worker_threads');
      const w = new Worker('require("worker_threads").parentPort.postMessage(6*7)', { eval: true });
      w.on('message', (m) => { out.worker = m; w.terminate(); process.stdout.write(JSON.stringify(out)); });`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      seccomp: true,
      userns: 'unshare: unshare failed: Operation not permitted',
      netns: 'unshare: unshare failed: Operation not permitted',
      child: 0,
      file: '1',
      worker: 42,
    });
  });
});
