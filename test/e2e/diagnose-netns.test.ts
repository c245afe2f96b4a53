/**
 * `rstwatch diagnose` on real kernel state in a network namespace: listeners bound to loopback,
 * IPv6-only, a full accept queue, a process at its open-files limit, and a port with nothing;
 * run as root (owners and limits seen) and as nobody (what it could not see, said).
 */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { fdLimitListener } from '../support/python-listeners.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const P = { loopback: 8101, v6only: 8102, full: 8103, fds: 8104, nothing: 8105, fine: 8106 } as const;
let net: NetnsPair;
const children: ChildProcess[] = [];

/** Listeners in python3 (never accepting, so queues fill; RLIMIT_NOFILE is settable there). */
const LISTENERS = `import socket,resource,time,os
def lis(fam,addr,port,backlog=16,v6only=None):
    s=socket.socket(fam,socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
    if v6only is not None: s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,1 if v6only else 0)
    s.bind((addr,port)); s.listen(backlog); return s
keep=[lis(socket.AF_INET,'127.0.0.1',${P.loopback}),lis(socket.AF_INET6,'::',${P.v6only},v6only=True),lis(socket.AF_INET,'0.0.0.0',${P.full},backlog=1),lis(socket.AF_INET6,'::',${P.fine},v6only=False)]
print('ready',flush=True)
time.sleep(60)`;

/** A process at its open-files limit holding a listener: it could not accept one more. */
const AT_LIMIT = fdLimitListener(P.fds, 8, 60, false);

function diagnose(asNobody = false) {
  const cmd = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
  const r = net.exec(net.server, cmd[0], [...cmd.slice(1), cli, 'diagnose', '--json', '--no-daemon', '--port', Object.values(P).join(',')], {
    timeoutMs: 20_000,
  });
  return JSON.parse(r.stdout) as {
    ports: {
      port: number;
      listeners: {
        address: string;
        v6only: boolean | null;
        accept_queue: number;
        backlog: number | null;
        queue_full: boolean | null;
        owners: { comm: string; open_fds: number; nofile_soft: number | null; at_fd_limit: boolean }[];
      }[];
      findings: { cause: string; remedy: string }[];
    }[];
    kernel: Record<string, number | null>;
    not_seen: string[];
  };
}

const causes = (r: ReturnType<typeof diagnose>, port: number) => r.ports.find((p) => p.port === port)?.findings.map((f) => f.cause);

beforeAll(async () => {
  requireRoot('test/e2e/diagnose-netns.test.ts');
  net = createNetnsPair({ tag: 'diag', subnet: 'dd' });
  for (const script of [LISTENERS, AT_LIMIT]) {
    const c = net.spawn(net.server, 'python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    await new Promise<void>((resolve) => c.stdout?.once('data', () => resolve()));
  }
  // Fill the backlog-1 queue: it holds backlog + 1 = 2 connections; connect 3 (one waits in SYN retries).
  const fill = `const net=require('net');for(let i=0;i<3;i++){const s=net.connect(${P.full},process.argv[1]);s.on('error',()=>{});}setTimeout(()=>process.exit(0),1500)`;
  net.exec(net.client, process.execPath, ['-e', fill, net.addr.server4], { timeoutMs: 10_000 });
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  net?.destroy();
});

describe('rstwatch diagnose in a network namespace', () => {
  it('says what each port shows, with a remedy', () => {
    const r = diagnose();
    expect(causes(r, P.nothing)).toEqual(['no_listener']);
    expect(causes(r, P.loopback)).toEqual(['wrong_bind']);
    expect(causes(r, P.v6only)).toEqual(['wrong_bind']);
    expect(causes(r, P.full)).toEqual(['backlog_overflow']);
    expect(causes(r, P.fds)).toEqual(['fd_exhaustion']);
    expect(causes(r, P.fine)).toEqual(['none']);
    for (const p of r.ports) for (const f of p.findings) expect(f.remedy.length).toBeGreaterThan(10);
  });

  it('gives the evidence: addresses, v6only, queue fill, owner and its limit', () => {
    const r = diagnose();
    const full = r.ports.find((p) => p.port === P.full)!.listeners[0];
    expect(full).toMatchObject({ address: '0.0.0.0', accept_queue: 2, backlog: 1, queue_full: true });
    expect(full.owners[0].comm).toMatch(/python/);
    expect(r.ports.find((p) => p.port === P.v6only)!.listeners[0]).toMatchObject({ address: '::', v6only: true });
    expect(r.ports.find((p) => p.port === P.fine)!.listeners[0]).toMatchObject({ address: '::', v6only: false });
    const owner = r.ports.find((p) => p.port === P.fds)!.listeners[0].owners[0];
    expect(owner).toMatchObject({ nofile_soft: 32, at_fd_limit: true });
    expect(owner.open_fds).toBeGreaterThanOrEqual(32);
    expect(r.kernel.listen_overflows).toBeGreaterThan(0);
    expect(r.not_seen).toEqual([]);
  });

  it('without privileges, says whose descriptors it could not read', () => {
    const r = diagnose(true);
    expect(r.not_seen.some((n) => /descriptors of \d+ processes/.test(n))).toBe(true);
    expect(r.ports.find((p) => p.port === P.full)!.listeners[0].owners).toEqual([]);
  });

  it('the table names the ports, the listeners and the remedies', () => {
    const r = net.exec(net.server, process.execPath, [cli, 'diagnose', '--port', `${P.full}`], { timeoutMs: 20_000 });
    expect(r.stdout).toMatch(new RegExp(`port ${P.full}\\n  listener 0\\.0\\.0\\.0:${P.full}; accept queue 2 of backlog 1 \\(FULL\\)`));
    expect(r.stdout).toMatch(/=> backlog_overflow: /);
    expect(r.stdout).toMatch(/remedy: /);
    expect(r.stdout).toMatch(/^kernel: ListenOverflows \d+/m);
  });

  it('says when no daemon answered, and still reports the kernel state', () => {
    const r = net.exec(net.server, process.execPath, [cli, 'diagnose', '--json', '--daemon', '127.0.0.1:7466', '--port', String(P.full)], {
      timeoutMs: 20_000,
    });
    const report = JSON.parse(r.stdout) as {
      daemon: { answered: boolean; error: string };
      ports: { port: number; failures: unknown[]; findings: { cause: string }[] }[];
      not_seen: string[];
    };
    expect(report.daemon).toMatchObject({ answered: false, error: 'ECONNREFUSED' });
    expect(report.not_seen[0]).toMatch(/^failures and their causes: no rstwatch daemon answered at http:\/\/127\.0\.0\.1:7466\/ \(ECONNREFUSED\)/);
    expect(report.ports[0]).toMatchObject({ port: P.full, failures: [], findings: [{ cause: 'backlog_overflow' }] });
  });

  it('bad flags: exit 2', () => {
    const r = net.exec(net.server, process.execPath, [cli, 'diagnose', '--port', '0'], { allowFail: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port/);
  });
});
