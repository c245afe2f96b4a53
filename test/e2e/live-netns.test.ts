/**
 * `rstwatch live` end to end, with real parts only: two network namespaces joined by a veth, real
 * kernel connections from the client to a listening port, a closed port, iptables REJECT
 * tcp-reset, REJECT icmp-port-unreachable and icmp-admin-prohibited, and DROP, over IPv4 and
 * IPv6. In the server namespace run: the native daemon and the `cap` daemon side by side on the
 * same interface, tcpdump writing the same traffic to a file (the independent count, through the
 * tshark oracle), and a real Prometheus scraping the native daemon, read back through its HTTP
 * query API. Then the interface goes down and up (capture_up 0 -> 1, /metrics answering
 * throughout), and SIGTERM ends the daemon with status 0.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { until } from '../../kit/wait.js';
import { oracleCounts } from '../../kit/tshark-oracle.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const client = join(root, 'scripts/netns-client.mjs');
const PORTS = { listening: 8080, closed: 8081, reset: 8082, icmpPort: 8083, icmpAdmin: 8084, dropped: 8085 } as const;
const COUNT = 3; // connections per port and family
const NATIVE_PORT = 7465;
const CAP_PORT = 7466;
const PROM_PORT = 9090;

let net: NetnsPair;
let tmp: string;
const children: ChildProcess[] = [];
let native: ChildProcess;
let nativeExit: Promise<{ code: number | null; ms: number }>;

function inServer(cmd: string, args: string[], timeoutMs = 10_000) {
  return net.exec(net.server, cmd, args, { timeoutMs, allowFail: true });
}

/** GET inside the server namespace (the daemons and Prometheus listen on its loopback). */
function get(url: string): { status: number; body: string; ms: number } {
  const script = `const t=performance.now();fetch(${JSON.stringify(url)}).then(async r=>{const b=await r.text();process.stdout.write(JSON.stringify({status:r.status,body:b,ms:performance.now()-t}))}).catch(e=>{process.stdout.write(JSON.stringify({status:0,body:String(e),ms:0}))})`;
  const r = inServer(process.execPath, ['-e', script]);
  return JSON.parse(r.stdout || '{"status":0,"body":"no output","ms":0}');
}

/** Value of one sample of the text exposition, or undefined. */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{ ]+(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries(
      (m[1] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string])
        .map(([k, v]) => [k, v.slice(1, -1)]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[2]);
  }
  return undefined;
}

function startDaemon(backend: 'native' | 'cap', port: number, logFile: string): ChildProcess {
  const args = [cli, 'live', '-i', net.serverIf, '--backend', backend, '--listen', `127.0.0.1:${port}`, '--attempt-timeout', '5', '--ports', '8080-8085'];
  const child = net.spawn(net.server, process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  child.on('exit', () => writeFileSync(logFile, Buffer.concat(chunks)));
  children.push(child);
  return child;
}

function connectAll(host: string): void {
  for (const port of Object.values(PORTS)) {
    const timeoutMs = port === PORTS.dropped ? 10_000 : 5_000;
    const r = net.exec(net.client, process.execPath, [client, 'connect', host, String(port), String(COUNT), String(timeoutMs)], { timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
  }
}

beforeAll(async () => {
  requireRoot('test/e2e/live-netns.test.ts');
  tmp = mkdtempSync(join(tmpdir(), 'rstwatch-live-'));
  net = createNetnsPair({ tag: 'live', subnet: 'e2e' });
  // The pair already answers deterministically: no ICMP rate limit in the server, one SYN
  // retransmission in the client (kit/namespaces.ts).
  // A value of this namespace's own, to recognise in rstwatch_kernel_somaxconn.
  inServer('sysctl', ['-q', '-w', 'net.core.somaxconn=1234']);
  for (const [ipt, portUnreach, admin] of [
    ['iptables', 'icmp-port-unreachable', 'icmp-admin-prohibited'],
    ['ip6tables', 'icmp6-port-unreachable', 'icmp6-adm-prohibited'],
  ]) {
    const rule = (port: number, ...target: string[]) => net.exec(net.server, ipt, ['-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', ...target]);
    rule(PORTS.reset, 'REJECT', '--reject-with', 'tcp-reset');
    rule(PORTS.icmpPort, 'REJECT', '--reject-with', portUnreach);
    rule(PORTS.icmpAdmin, 'REJECT', '--reject-with', admin);
    rule(PORTS.dropped, 'DROP');
  }
  // A listener on every port but the closed one (the rules stand in front of 8082-8085).
  const server = net.spawn(net.server, process.execPath, [client, 'serve', '8080,8082,8083,8084,8085', '300000'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(server);
  await new Promise<void>((resolve) => server.stdout?.once('data', () => resolve()));

  const pcap = join(tmp, 'independent.pcap');
  const tcpdump = net.spawn(net.server, 'tcpdump', ['-i', net.serverIf, '-U', '-w', pcap, '-n', 'tcp or icmp or icmp6'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(tcpdump);
  await new Promise<void>((resolve) => tcpdump.stderr?.on('data', (d: Buffer) => d.toString().includes('listening on') && resolve()));

  native = startDaemon('native', NATIVE_PORT, join(tmp, 'native.log'));
  const started = Date.now();
  nativeExit = new Promise((resolve) => native.on('exit', (code) => resolve({ code, ms: Date.now() - started })));
  startDaemon('cap', CAP_PORT, join(tmp, 'cap.log'));
  await until(
    'both daemons ready',
    () => (get(`http://127.0.0.1:${NATIVE_PORT}/readyz`).status === 200 && get(`http://127.0.0.1:${CAP_PORT}/readyz`).status === 200 ? true : undefined),
    20_000,
  );

  const promDir = join(tmp, 'prometheus');
  writeFileSync(
    join(tmp, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: rstwatch\n    static_configs:\n      - targets: ['127.0.0.1:${NATIVE_PORT}']\n`,
  );
  const prom = net.spawn(
    net.server,
    '/usr/bin/prometheus',
    [`--config.file=${join(tmp, 'prometheus.yml')}`, `--storage.tsdb.path=${promDir}`, `--web.listen-address=127.0.0.1:${PROM_PORT}`],
    {
      stdio: 'ignore',
    },
  );
  children.push(prom);

  connectAll(net.addr.server4);
  connectAll(net.addr.server6);
  await new Promise((r) => setTimeout(r, 7_000)); // past the 5 s attempt timeout: 8085 is unanswered
  tcpdump.kill('SIGINT');
  await new Promise((r) => tcpdump.on('exit', r));
  (globalThis as Record<string, unknown>).independentPcap = pcap;
}, 180_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  net?.destroy();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('rstwatch live in a network namespace', () => {
  let exposition = '';

  it('counts every outcome per port exactly as the independent capture does', () => {
    exposition = get(`http://127.0.0.1:${NATIVE_PORT}/metrics`).body;
    const oracle = oracleCounts((globalThis as Record<string, unknown>).independentPcap as string);
    for (const p of oracle.ports.filter((x) => x.port >= 8080 && x.port <= 8085)) {
      const l = { direction: 'inbound', port: String(p.port) };
      const icmp = ['port_unreachable', 'admin_prohibited', 'host_unreachable', 'net_unreachable', 'other'].reduce(
        (s, reason) => s + (sample(exposition, 'rstwatch_icmp_rejected_total', { ...l, reason }) ?? 0),
        0,
      );
      expect({
        port: p.port,
        attempts: sample(exposition, 'rstwatch_syn_attempts_total', l),
        accepted: sample(exposition, 'rstwatch_accepted_total', l),
        refused: sample(exposition, 'rstwatch_refused_total', l),
        icmp_rejected: icmp,
        unanswered: sample(exposition, 'rstwatch_unanswered_total', l),
        syn_retransmits: sample(exposition, 'rstwatch_syn_retransmits_total', l),
      }).toEqual({
        port: p.port,
        attempts: p.attempts,
        accepted: p.accepted,
        refused: p.refused,
        icmp_rejected: p.icmp_rejected,
        unanswered: p.unanswered,
        syn_retransmits: p.syn_retransmits,
      });
    }
  });

  it('gives the outcome each kind of port must give', () => {
    const l = (port: number) => ({ direction: 'inbound', port: String(port) });
    const both = 2 * COUNT;
    expect(sample(exposition, 'rstwatch_accepted_total', l(PORTS.listening))).toBe(both);
    expect(sample(exposition, 'rstwatch_refused_total', l(PORTS.closed))).toBe(both);
    expect(sample(exposition, 'rstwatch_refused_total', l(PORTS.reset))).toBe(both);
    expect(sample(exposition, 'rstwatch_unanswered_total', l(PORTS.dropped))).toBe(both);
    expect(sample(exposition, 'rstwatch_syn_retransmits_total', l(PORTS.dropped))).toBe(both);
    // IPv6 connects may make two attempts each (the kernel re-sends the SYN after an ICMPv6 error
    // that arrives while connect() holds the socket: pcaps/README.md), so at least, not exactly.
    const portUnreach = sample(exposition, 'rstwatch_icmp_rejected_total', { ...l(PORTS.icmpPort), reason: 'port_unreachable' }) ?? 0;
    const admin = sample(exposition, 'rstwatch_icmp_rejected_total', { ...l(PORTS.icmpAdmin), reason: 'admin_prohibited' }) ?? 0;
    expect(portUnreach).toBeGreaterThanOrEqual(both);
    expect(admin).toBeGreaterThanOrEqual(both);
    expect(sample(exposition, 'rstwatch_icmp_rejected_total', { ...l(PORTS.icmpPort), reason: 'admin_prohibited' })).toBe(0);
    expect(sample(exposition, 'rstwatch_refused_total', l(PORTS.listening))).toBe(0);
    expect(sample(exposition, 'rstwatch_capture_up', {})).toBe(1);
    expect(sample(exposition, 'rstwatch_capture_dropped_total', { where: 'kernel' })).toBe(0);
    expect(exposition).toMatch(/^rstwatch_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
  });

  it("reads its own namespace's kernel state: the listen sysctls and counters", () => {
    expect(sample(exposition, 'rstwatch_kernel_somaxconn', {})).toBe(1234);
    expect(sample(exposition, 'rstwatch_kernel_tcp_abort_on_overflow', {})).toBe(0);
    expect(sample(exposition, 'rstwatch_kernel_listen_overflows_total', {})).toBe(0);
    expect(sample(exposition, 'rstwatch_kernel_syncookies', {})).toBeGreaterThanOrEqual(0);
  });

  it('the cap backend, on the same traffic, counts the same', () => {
    const capExp = get(`http://127.0.0.1:${CAP_PORT}/metrics`).body;
    for (const name of [
      'rstwatch_syn_attempts_total',
      'rstwatch_accepted_total',
      'rstwatch_refused_total',
      'rstwatch_unanswered_total',
      'rstwatch_syn_retransmits_total',
    ]) {
      for (const port of Object.values(PORTS)) {
        const l = { direction: 'inbound', port: String(port) };
        expect(sample(capExp, name, l), `${name} ${port}`).toBe(sample(exposition, name, l));
      }
    }
  });

  it('promtool check metrics finds nothing in the exposition', () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    if (r.error) throw new Error(`promtool is not installed (scripts/setup.sh --test installs Debian's prometheus): ${r.error.message}`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a real Prometheus scrapes it: the query API returns the same counts', async () => {
    const query = (q: string) => {
      const r = get(`http://127.0.0.1:${PROM_PORT}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (r.status !== 200) return undefined;
      const res = JSON.parse(r.body).data?.result as { metric: Record<string, string>; value: [number, string] }[] | undefined;
      return res;
    };
    const want = sample(exposition, 'rstwatch_refused_total', { direction: 'inbound', port: String(PORTS.closed) });
    const refused = await until(
      'Prometheus to scrape the final counts',
      () => {
        const r = query(`rstwatch_refused_total{port="${PORTS.closed}",direction="inbound"}`);
        return r && r.length === 1 && Number(r[0].value[1]) === want ? r : undefined;
      },
      30_000,
    );
    expect(refused[0].metric.job).toBe('rstwatch');
    const unanswered = query(`rstwatch_unanswered_total{port="${PORTS.dropped}"}`);
    expect(Number(unanswered?.[0].value[1])).toBe(2 * COUNT);
    const accepted = query(`sum(rstwatch_accepted_total{port="${PORTS.listening}"})`);
    expect(Number(accepted?.[0].value[1])).toBe(2 * COUNT);
    const up = query('up{job="rstwatch"}');
    expect(Number(up?.[0].value[1])).toBe(1);
  });

  it('interface down: capture_up 0 and /readyz 503 while /metrics keeps answering; up again: reopened', async () => {
    inServer('ip', ['link', 'set', net.serverIf, 'down']);
    const down = await until(
      'capture_up 0',
      () => {
        const r = get(`http://127.0.0.1:${NATIVE_PORT}/metrics`);
        return r.status === 200 && sample(r.body, 'rstwatch_capture_up', {}) === 0 ? r : undefined;
      },
      15_000,
    );
    expect(down.status).toBe(200);
    expect(get(`http://127.0.0.1:${NATIVE_PORT}/readyz`).status).toBe(503);
    inServer('ip', ['link', 'set', net.serverIf, 'up']);
    net.exec(net.client, 'ip', ['link', 'set', net.clientIf, 'up']);
    await until(
      'capture_up 1',
      () => (sample(get(`http://127.0.0.1:${NATIVE_PORT}/metrics`).body, 'rstwatch_capture_up', {}) === 1 ? true : undefined),
      40_000,
    );
    expect(get(`http://127.0.0.1:${NATIVE_PORT}/readyz`).status).toBe(200);
    // It counts again after the reopen (as nobody, with CAP_NET_RAW kept).
    const before =
      sample(get(`http://127.0.0.1:${NATIVE_PORT}/metrics`).body, 'rstwatch_refused_total', { direction: 'inbound', port: String(PORTS.closed) }) ?? 0;
    await until(
      'the path to the server to work again',
      () =>
        /"outcome":"connected"/.test(
          net.exec(net.client, process.execPath, [client, 'connect', net.addr.server4, String(PORTS.listening), '1', '1000'], { allowFail: true }).stdout,
        )
          ? true
          : undefined,
      20_000,
    );
    const r = net.exec(net.client, process.execPath, [client, 'connect', net.addr.server4, String(PORTS.closed), '1', '3000'], { timeoutMs: 20_000 });
    expect(r.status).toBe(0);
    await until(
      'the new refusal to be counted',
      () => {
        const now = sample(get(`http://127.0.0.1:${NATIVE_PORT}/metrics`).body, 'rstwatch_refused_total', { direction: 'inbound', port: String(PORTS.closed) });
        return now === before + 1 ? true : undefined;
      },
      15_000,
    );
  });

  it('runs as nobody with only CAP_NET_RAW once started as root', () => {
    // `ip netns exec` execs the command: the spawned pid is the daemon's.
    const st = inServer('cat', [`/proc/${native.pid}/status`]).stdout;
    expect(/^Uid:\s+(\d+)/m.exec(st)?.[1]).toBe('65534');
    expect(/^CapEff:\s+(\S+)/m.exec(st)?.[1]).toBe('0000000000002000');
  });

  it('SIGTERM: exits 0 within a few seconds', async () => {
    const sent = Date.now();
    native.kill('SIGTERM');
    const { code } = await nativeExit;
    expect(code).toBe(0);
    expect(Date.now() - sent).toBeLessThan(10_000);
    expect(get(`http://127.0.0.1:${NATIVE_PORT}/healthz`).status).toBe(0);
  });
});

describe('rstwatch live: start-up errors', () => {
  it('a port already in use: a clear message and exit 6', () => {
    // Prometheus still listens on PROM_PORT in the server namespace (the cap daemon is gone: its
    // binding aborts the process when the interface goes down, see docs/capture.md).
    const r = inServer(process.execPath, [cli, 'live', '-i', net.serverIf, '--listen', `127.0.0.1:${PROM_PORT}`], 20_000);
    expect(r.status, `${r.stderr}\n${r.stdout.slice(-2000)}`).toBe(6);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${PROM_PORT}`));
    expect(r.stderr).toMatch(/in use/i);
  });

  it('an unknown interface: exit 5 and the list of interfaces', () => {
    const r = inServer(process.execPath, [cli, 'live', '-i', 'nosuch0', '--listen', '127.0.0.1:7499'], 20_000);
    expect(r.status).toBe(5);
    expect(r.stderr).toMatch(/nosuch0/);
    expect(r.stderr).toContain(net.serverIf);
  });

  it('a bad flag value: exit 2 before anything starts', () => {
    const r = inServer(process.execPath, [cli, 'live', '--ports', '80-70'], 20_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--ports/);
  });
});
