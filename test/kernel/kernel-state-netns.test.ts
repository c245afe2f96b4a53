/**
 * The kernel-state readers against real kernel state: listeners, a full accept queue, an overflow,
 * owners and per-namespace sysctls inside a network namespace made by createNetnsPair. The reader
 * runs inside the server namespace (as a sidecar would), through tsx. Needs root: fails, never skips.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { until, waitForLine } from '../../kit/wait.js';

const P1 = 7101; // 127.0.0.1, default backlog 511 (capped by somaxconn)
const P2 = 7102; // [::] dual stack
const P3 = 7103; // [::] v6only
const P4 = 7104; // 0.0.0.0 backlog 2, never accepts (its process blocks its event loop)
const SOMAXCONN = 123;

const REPO = resolve(import.meta.dirname, '../..');
const TSX = join(REPO, 'node_modules/tsx/dist/cli.mjs');

interface Snap {
  listeners: {
    family: number;
    address: string;
    port: number;
    v6only?: boolean;
    v6onlySource: string;
    acceptQueue: number;
    backlog: number | null;
    inode: number;
  }[];
  sockDiag: boolean;
  tcpExt: { listenOverflows: number; listenDrops: number } | null;
  sysctls: Record<string, number | null>;
  owners: [number, { pid: number; comm: string; openFds: number; nofileSoft: number; nofileHard: number }[]][];
  unreadablePids: number[];
  errors: { what: string; message: string }[];
}

let net: NetnsPair;
let dir: string;
let readerPath: string;
/** A TMPDIR the unprivileged reader can write. */
let nobodyTmp: string;
const children: ChildProcess[] = [];

function readSnapshot(ssPath: string | null = 'ss', procRoot = '/proc'): Snap {
  const r = net.exec(net.server, process.execPath, [TSX, readerPath, JSON.stringify(ssPath), procRoot], { timeoutMs: 30_000 });
  return JSON.parse(r.stdout) as Snap;
}

/** Reads the kernel state every 200 ms until `ok` holds for it, for at most 10 s. */
function snapshotWhen(what: string, ok: (s: Snap) => boolean): Promise<Snap> {
  let last: Snap | undefined;
  const read = () => {
    last = readSnapshot();
    return ok(last) ? last : undefined;
  };
  return until(what, read, 10_000, () => `last: ${JSON.stringify(last)}`, 200);
}

const listenerOn = (s: Snap, family: number, port: number) => s.listeners.find((l) => l.family === family && l.port === port);

let serverA: ChildProcess;
let serverB: ChildProcess;

beforeAll(async () => {
  requireRoot('test/kernel/kernel-state-netns.test.ts');
  net = createNetnsPair({ tag: 'diag', subnet: 'dd' });
  dir = mkdtempSync(join(tmpdir(), 'rw-diag-'));
  chmodSync(dir, 0o755); // the unprivileged reader (uid 65534) must reach the script
  nobodyTmp = join(dir, 'tmp');
  mkdirSync(nobodyTmp, { mode: 0o1777 });
  chmodSync(nobodyTmp, 0o1777); // (mkdir's mode is masked by the umask)
  readerPath = join(dir, 'reader.mts'); // .mts: ESM (top-level await) whatever package.json sits above TMPDIR
  writeFileSync(
    readerPath,
    `import { readKernelState } from ${JSON.stringify(join(REPO, 'src/kernel/kernel-state.ts'))};
const s = await readKernelState({ ssPath: JSON.parse(process.argv[2]), procRoot: process.argv[3] });
process.stdout.write(JSON.stringify({ ...s, owners: [...s.owners] }));
`,
  );
  // Per-namespace sysctls, set before the listeners so that somaxconn caps their backlog.
  net.exec(net.server, 'sysctl', [
    '-q',
    '-w',
    `net.core.somaxconn=${SOMAXCONN}`,
    'net.ipv4.tcp_max_syn_backlog=77',
    'net.ipv4.tcp_abort_on_overflow=1',
    'net.ipv4.tcp_syncookies=0',
  ]);
  const a = `
const net = require('net'); let n = 0;
const up = () => { if (++n === 3) process.stdout.write('ready\\n'); };
net.createServer(() => {}).listen({ host: '127.0.0.1', port: ${P1} }, up);
net.createServer(() => {}).listen({ host: '::', port: ${P2} }, up);
net.createServer(() => {}).listen({ host: '::', port: ${P3}, ipv6Only: true }, up);
setTimeout(() => process.exit(0), 55000);`;
  const b = `
const net = require('net'); const fs = require('fs');
net.createServer(() => {}).listen({ host: '0.0.0.0', port: ${P4}, backlog: 2 }, () => {
  fs.writeSync(1, 'ready\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 55000); // never accepts
  process.exit(0);
});`;
  serverA = net.spawn(net.server, 'prlimit', ['--nofile=777:888', process.execPath, '-e', a]);
  serverB = net.spawn(net.server, process.execPath, ['-e', b]);
  children.push(serverA, serverB);
  await Promise.all([waitForLine(serverA, 'stdout', /ready/, 'listeners A'), waitForLine(serverB, 'stdout', /ready/, 'listener B')]);
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
  net?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('kernel state inside a network namespace', () => {
  it('finds each listener with its family, address, port and v6only; owners, limits and sysctls', () => {
    const s = readSnapshot();
    expect(s.errors).toEqual([]);
    expect(s.sockDiag).toBe(true);
    expect(listenerOn(s, 4, P1)).toMatchObject({ address: '127.0.0.1', acceptQueue: 0, backlog: SOMAXCONN, v6onlySource: 'not_applicable' });
    expect(listenerOn(s, 6, P2)).toMatchObject({ address: '::', v6only: false, v6onlySource: 'sock_diag' });
    expect(listenerOn(s, 6, P3)).toMatchObject({ address: '::', v6only: true, v6onlySource: 'sock_diag' });
    expect(listenerOn(s, 4, P4)).toMatchObject({ address: '0.0.0.0', acceptQueue: 0, backlog: 2 });
    expect(listenerOn(s, 4, P2)).toBeUndefined(); // a dual-stack socket is only in tcp6

    const owners = new Map(s.owners);
    // Started as prlimit --nofile=777:888; Node raises its own soft limit to the hard one at start,
    // which /proc/<pid>/limits shows.
    expect(readFileSync(`/proc/${serverA.pid}/limits`, 'utf8')).toMatch(/Max open files\s+888\s+888/);
    const openFdsA = readdirSync(`/proc/${serverA.pid}/fd`).length;
    for (const port of [P1, P2, P3]) {
      const l = listenerOn(s, port === P1 ? 4 : 6, port)!;
      const [o] = owners.get(l.inode)!;
      expect(owners.get(l.inode)).toHaveLength(1);
      expect(o).toMatchObject({ pid: serverA.pid, comm: 'node', nofileSoft: 888, nofileHard: 888 });
      expect(Math.abs(o.openFds - openFdsA)).toBeLessThanOrEqual(2); // a few may open or close meanwhile
    }
    const [b] = owners.get(listenerOn(s, 4, P4)!.inode)!;
    expect(b).toMatchObject({ pid: serverB.pid, comm: 'node' });
    expect(b.openFds).toBeGreaterThan(3);
    expect(b.nofileSoft).toBeGreaterThan(0);
    expect(s.unreadablePids).toEqual([]); // root reads every process

    expect(s.sysctls).toMatchObject({ somaxconn: SOMAXCONN, tcpMaxSynBacklog: 77, tcpAbortOnOverflow: 1, tcpSyncookies: 0, bindv6only: 0 });
    // The host's namespace keeps its own value.
    expect(Number(net.exec(net.client, 'sysctl', ['-n', 'net.core.somaxconn']).stdout)).not.toBe(SOMAXCONN);
  });

  it('sock_diag alone (the default in its own namespace) gives what /proc/net/tcp joined with it gives', () => {
    const byInode = (s: Snap) => [...s.listeners].sort((a, b) => a.inode - b.inode);
    // /proc/self is this namespace's /proc too, but not '/proc': the tables are read, then joined.
    expect(byInode(readSnapshot('ss'))).toEqual(byInode(readSnapshot('ss', '/proc/self')));
  });

  it('without ss: the same listeners, backlog unknown, v6only unknown for a lone [::] listener', () => {
    const s = readSnapshot(null);
    expect(s.errors).toEqual([]);
    expect(s.sockDiag).toBe(false);
    expect(s.listeners.every((l) => l.backlog === null)).toBe(true);
    expect(listenerOn(s, 6, P3)).toMatchObject({ address: '::', v6onlySource: 'unknown' });
    expect(listenerOn(s, 6, P3)!.v6only).toBeUndefined();
  });

  it('reports a full accept queue as backlog + 1 waiting connections, and ListenOverflows rising past it', async () => {
    const before = readSnapshot();
    const overflows0 = before.tcpExt!.listenOverflows;
    const connect = (n: number) =>
      net.spawn(net.client, process.execPath, [
        '-e',
        `const net = require('net'); for (let i = 0; i < ${n}; i++) net.connect(${P4}, '${net.addr.server4}').on('error', () => {}); setTimeout(() => process.exit(0), 30000);`,
      ]);
    // backlog 2: the kernel queues while the queue length is <= the backlog, so 3 fit.
    children.push(connect(3));
    const full = await snapshotWhen('the accept queue to hold 3', (s) => listenerOn(s, 4, P4)?.acceptQueue === 3);
    expect(listenerOn(full, 4, P4)).toMatchObject({ acceptQueue: 3, backlog: 2 });
    // A 4th and 5th SYN find the queue full: dropped, counted in ListenOverflows and ListenDrops.
    children.push(connect(2));
    const after = await snapshotWhen('ListenOverflows to rise', (s) => s.tcpExt!.listenOverflows > overflows0);
    expect(after.tcpExt!.listenOverflows).toBeGreaterThan(overflows0);
    expect(after.tcpExt!.listenDrops).toBeGreaterThanOrEqual(after.tcpExt!.listenOverflows);
    expect(listenerOn(after, 4, P4)!.acceptQueue).toBe(3);
  });
});

describe('without the privilege to read other processes', () => {
  it('lists the processes it could not see, and still reads the tables and counters', () => {
    const r = net.exec(
      net.server,
      'setpriv',
      // tsx keeps a cache under TMPDIR, which may be a folder only root can write (fresh-ci's is).
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `TMPDIR=${nobodyTmp}`, process.execPath, TSX, readerPath, JSON.stringify('ss')],
      { timeoutMs: 30_000, allowFail: true },
    );
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Snap;
    expect(listenerOn(s, 4, P4)).toMatchObject({ address: '0.0.0.0', backlog: 2 });
    expect(s.tcpExt!.listenOverflows).toBeGreaterThanOrEqual(0);
    expect(s.owners).toEqual([]); // the listeners belong to root's processes
    expect(s.unreadablePids).toEqual(expect.arrayContaining([serverA.pid, serverB.pid]));
  });
});
