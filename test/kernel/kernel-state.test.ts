/**
 * readKernelState on a fixture proc tree (written to a temporary directory, shaped like /proc)
 * with an injected clock: reads afresh each time, isolates failures part by part, and looks up
 * owners only for listener inodes. The real /proc is covered by kernel-state-netns.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readKernelState } from '../../src/kernel/kernel-state.js';
import { readListeners } from '../../src/kernel/listeners.js';
import { readSocketOwners } from '../../src/kernel/sockets-to-processes.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
// 0.0.0.0:80 LISTEN, 2 waiting, inode 1001; 127.0.0.1:8080 LISTEN inode 1002; an established socket inode 1003.
const TCP =
  HEADER +
  '   0: 00000000:0050 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0\n' +
  '   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1002 1 0 100 0 0 10 0\n' +
  '   2: 0100007F:1F90 0100007F:C000 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0 20 0 0 10 -1\n';
const TCP6 =
  HEADER +
  '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1004 1 0 100 0 0 10 0\n';
const NETSTAT = 'TcpExt: ListenOverflows ListenDrops SyncookiesSent\nTcpExt: 5 6 7\n';
const LIMITS =
  'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 4096                 files     \n';

let root: string;

function proc(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

function processWithFds(pid: number, comm: string, links: string[]): void {
  proc(`${pid}/comm`, `${comm}\n`);
  proc(`${pid}/limits`, LIMITS);
  mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
  links.forEach((t, i) => symlinkSync(t, join(root, String(pid), 'fd', String(i))));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'rw-proc-'));
  proc('net/tcp', TCP);
  proc('net/tcp6', TCP6);
  proc('net/netstat', NETSTAT);
  proc('net/snmp', 'Tcp: MaxConn\nTcp: -1\n');
  proc('sys/net/core/somaxconn', '4096\n');
  proc('sys/net/ipv4/tcp_max_syn_backlog', '512\n');
  proc('sys/net/ipv4/tcp_abort_on_overflow', '0\n');
  proc('sys/net/ipv4/tcp_syncookies', '1\n');
  proc('sys/net/ipv6/bindv6only', '0\n');
  processWithFds(10, 'nginx', ['/dev/null', 'socket:[1001]', 'socket:[1004]', 'pipe:[5]']);
  processWithFds(11, 'nginx', ['socket:[1001]']);
  processWithFds(20, 'app', ['socket:[1002]', 'socket:[1003]']);
  processWithFds(30, 'other', ['socket:[999]']);
  proc('self', ''); // not a pid: ignored
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readKernelState', () => {
  it('reads every part into one snapshot', async () => {
    const s = await readKernelState({ procRoot: root, ssPath: null, nowMs: () => 5000 }, 5000);
    expect(s.takenAtMs).toBe(5000);
    expect(s.doneAtMs).toBe(5000);
    expect(s.errors).toEqual([]);
    expect(s.listeners.map((l) => [l.family, l.address, l.port, l.acceptQueue, l.inode, l.uid])).toEqual([
      [4, '0.0.0.0', 80, 2, 1001, 0],
      [4, '127.0.0.1', 8080, 0, 1002, 1000],
      [6, '::', 80, 0, 1004, 0],
    ]);
    // [::]:80 beside 0.0.0.0:80 can only be v6only.
    expect(s.listeners[2]).toMatchObject({ v6only: true, v6onlySource: 'ipv4_listener_on_port', backlog: null });
    expect(s.tcpExt).toMatchObject({ listenOverflows: 5, listenDrops: 6, syncookiesSent: 7, syncookiesFailed: null });
    expect(s.tcpExt!.all.get('Tcp')!.get('MaxConn')).toBe(-1);
    expect(s.sysctls).toMatchObject({ somaxconn: 4096, tcpMaxSynBacklog: 512, tcpAbortOnOverflow: 0, tcpSyncookies: 1, bindv6only: 0 });
    const nginx = (pid: number) => ({ pid, comm: 'nginx', openFds: pid === 10 ? 4 : 1, nofileSoft: 1024, nofileHard: 4096 });
    expect(s.owners.get(1001)).toEqual([nginx(10), nginx(11)]);
    expect(s.owners.get(1004)).toEqual([nginx(10)]);
    expect(s.owners.get(1002)).toEqual([{ pid: 20, comm: 'app', openFds: 2, nofileSoft: 1024, nofileHard: 4096 }]);
    expect(s.owners.has(1003)).toBe(false); // not a listener: not looked up
    expect(s.unreadablePids).toEqual([]);
    expect(s.ownersTruncated).toBe(false);
  });

  it('reads afresh each time; the end of a read is never before its start, whatever the clock does', async () => {
    let now = 1000;
    const a = await readKernelState({ procRoot: root, ssPath: null, nowMs: () => now }, 1000);
    expect(a.tcpExt!.listenOverflows).toBe(5);
    proc('net/netstat', 'TcpExt: ListenOverflows\nTcpExt: 50\n');
    now = 900; // the clock stepped back during the read
    const b = await readKernelState({ procRoot: root, ssPath: null, nowMs: () => now }, 1000);
    expect(b).not.toBe(a);
    expect(b.tcpExt!.listenOverflows).toBe(50);
    expect([b.takenAtMs, b.doneAtMs]).toEqual([1000, 1000]);
  });

  it('records a failed part in errors and keeps the others', async () => {
    unlinkSync(join(root, 'net/netstat'));
    unlinkSync(join(root, 'sys/net/core/somaxconn'));
    writeFileSync(join(root, 'sys/net/ipv4/tcp_syncookies'), 'x\n');
    const s = await readKernelState({ procRoot: root, ssPath: null }, 0);
    expect(s.tcpExt).toBeNull();
    expect(s.sysctls.somaxconn).toBeNull();
    expect(s.sysctls.tcpSyncookies).toBeNull();
    expect(s.sysctls.tcpMaxSynBacklog).toBe(512);
    expect(s.listeners).toHaveLength(3);
    expect(s.owners.size).toBe(3);
    expect(s.errors.map((e) => e.what).sort()).toEqual(['sysctl net.core.somaxconn', 'sysctl net.ipv4.tcp_syncookies', 'tcp_ext']);
  });

  it('without /proc/net/tcp: no listeners, an error, the rest still read', async () => {
    unlinkSync(join(root, 'net/tcp'));
    const s = await readKernelState({ procRoot: root, ssPath: null }, 0);
    expect(s.listeners).toEqual([]);
    expect(s.errors.map((e) => e.what)).toEqual(['listeners']);
    expect(s.tcpExt!.listenOverflows).toBe(5);
  });

  it('a missing tcp6 (no IPv6) is not an error', async () => {
    unlinkSync(join(root, 'net/tcp6'));
    const s = await readKernelState({ procRoot: root, ssPath: null }, 0);
    expect(s.errors).toEqual([]);
    expect(s.listeners).toHaveLength(2);
  });

  it('reports an ss that cannot run as a sock_diag error, with the /proc view intact', async () => {
    const s = await readKernelState({ procRoot: root, ssPath: join(root, 'no-such-ss') }, 0);
    expect(s.sockDiag).toBe(false);
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0].what).toBe('sock_diag');
    expect(s.listeners).toHaveLength(3);
  });
});

describe('readSocketOwners bounds', () => {
  it('stops after maxProcesses and says so', async () => {
    const r = await readSocketOwners(new Set([1001, 1002]), root, { maxProcesses: 2 });
    expect(r.truncated).toBe(true);
    expect(r.processesScanned).toBe(2);
    expect([...r.owners.keys()]).toEqual([1001]);
  });

  it('stops after maxFds and says so, still counting the open descriptors', async () => {
    const r = await readSocketOwners(new Set([1001, 1002]), root, { maxFds: 2 });
    expect(r.truncated).toBe(true);
    expect(r.fdsScanned).toBe(2);
    expect(r.owners.get(1001)).toEqual([{ pid: 10, comm: 'nginx', openFds: 4, nofileSoft: 1024, nofileHard: 4096 }]);
  });

  it('does not scan for an empty set', async () => {
    const r = await readSocketOwners(new Set(), root);
    expect(r).toMatchObject({ processesScanned: 0, truncated: false });
  });
});

describe('readListeners in its own namespace', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rw-ss-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeSs(output: string): string {
    const path = join(dir, 'ss');
    writeFileSync(path, `#!/bin/sh\ncat <<'END'\n${output}END\n`, { mode: 0o755 });
    return path;
  }

  it('takes the listeners from ss alone when every line reads', async () => {
    const r = await readListeners('/proc', { ssPath: fakeSs('LISTEN 0      7      127.0.0.1:7001 0.0.0.0:* ino:99999901 sk:1 <->\n') });
    expect(r).toMatchObject({ sockDiag: true, sockDiagError: null, malformedLines: 0 });
    expect(r.listeners).toEqual([
      { family: 4, address: '127.0.0.1', port: 7001, v6only: undefined, v6onlySource: 'not_applicable', acceptQueue: 0, backlog: 7, inode: 99999901, uid: 0 },
    ]);
  });

  it('falls back to /proc/net/tcp when a line of ss cannot be read, and says so', async () => {
    const r = await readListeners('/proc', {
      ssPath: fakeSs('LISTEN 0      7      127.0.0.1:7001 0.0.0.0:* ino:99999901 sk:1 <->\nLISTEN 0 7 what:ever 0.0.0.0:* ino:99999902 <->\n'),
    });
    expect(r.sockDiagError).toMatch(/ -ltnHe: 1 lines not understood; listeners read from \/proc\/net\/tcp instead$/);
    // The fake's sockets are not in this namespace's tables: none of them is listed.
    expect(r.listeners.some((l) => l.inode === 99999901)).toBe(false);
  });
});
