/**
 * Issue 5 end to end: `rstwatch live` in a server namespace names the cause of each failed
 * inbound attempt from the namespace's own kernel state, with real sockets, real firewall rules
 * and real kernel behaviour for every cause the issue lists:
 *
 *   8201 nothing listens                              refused       no_listener
 *   8202 a listener on 127.0.0.1 only                 refused       wrong_bind
 *   8203 an IPv6-only listener, reached over IPv4     refused       wrong_bind
 *   8204 REJECT tcp-reset in front of a listener      refused       firewall_reset
 *   8205 REJECT icmp-port-unreachable                 icmp_rejected firewall_icmp
 *   8206 DROP in front of a listener                  unanswered    firewall_drop
 *   8207 backlog 1, never accepts, abort_on_overflow 0 unanswered    backlog_overflow
 *   8208 backlog 4, never accepts, abort_on_overflow 1 early_reset   backlog_overflow
 *   8209 a process at its open-files limit            unanswered    fd_exhaustion
 *   8210 the SYN queue full, tcp_syncookies 0          unanswered    syn_flood
 *   8211 a forged RST (TTL unlike the server's)        refused       middlebox
 *
 * Each is asserted in /metrics (the causes add up to the outcome count) and in
 * `rstwatch diagnose`, which asks the running daemon.
 */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { fdLimitListener } from '../support/python-listeners.js';
import { until } from '../../kit/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const client = join(root, 'scripts/netns-client.mjs');
const DAEMON_PORT = 7465;
const NOBODY_PORT = 7466;
const P = {
  nothing: 8201,
  loopback: 8202,
  v6only: 8203,
  reset: 8204,
  icmp: 8205,
  drop: 8206,
  backlog: 8207,
  early: 8208,
  fds: 8209,
  synFlood: 8210,
  forged: 8211,
} as const;
const ATTEMPT_TIMEOUT_S = 3;

/** Port, outcome, the family counting that outcome, and the cause expected. */
const EXPECTED = [
  { port: P.nothing, outcome: 'refused', cause: 'no_listener' },
  { port: P.loopback, outcome: 'refused', cause: 'wrong_bind' },
  { port: P.v6only, outcome: 'refused', cause: 'wrong_bind' },
  { port: P.reset, outcome: 'refused', cause: 'firewall_reset' },
  { port: P.icmp, outcome: 'icmp_rejected', cause: 'firewall_icmp' },
  { port: P.drop, outcome: 'unanswered', cause: 'firewall_drop' },
  { port: P.backlog, outcome: 'unanswered', cause: 'backlog_overflow' },
  { port: P.early, outcome: 'early_reset', cause: 'backlog_overflow' },
  { port: P.fds, outcome: 'unanswered', cause: 'fd_exhaustion' },
  { port: P.synFlood, outcome: 'unanswered', cause: 'syn_flood' },
  { port: P.forged, outcome: 'refused', cause: 'middlebox' },
] as const;

/** What the evidence must mention, where it is not the port. */
const EVIDENCE: Partial<Record<number, RegExp>> = {
  [P.icmp]: /ICMP unreachable/,
  [P.fds]: /open files of its limit 32/,
  [P.synFlood]: /SYN queue/,
  [P.forged]: /suspect reset/,
};

const OUTCOME_FAMILY: Record<string, string> = {
  refused: 'rstwatch_refused_total',
  icmp_rejected: 'rstwatch_icmp_rejected_total',
  unanswered: 'rstwatch_unanswered_total',
  early_reset: 'rstwatch_early_resets_total',
};

/** Listeners that never accept (so queues fill), in python3 (IPV6_V6ONLY and RLIMIT_NOFILE are settable there). */
const LISTENERS = `import socket,time
def lis(fam,addr,port,backlog=16,v6only=None):
    s=socket.socket(fam,socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
    if v6only is not None: s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,1 if v6only else 0)
    s.bind((addr,port)); s.listen(backlog); return s
keep=[lis(socket.AF_INET,'127.0.0.1',${P.loopback}),lis(socket.AF_INET6,'::',${P.v6only},v6only=True),
      lis(socket.AF_INET,'0.0.0.0',${P.reset}),lis(socket.AF_INET,'0.0.0.0',${P.icmp}),lis(socket.AF_INET,'0.0.0.0',${P.drop}),
      lis(socket.AF_INET,'0.0.0.0',${P.backlog},backlog=1),lis(socket.AF_INET,'0.0.0.0',${P.early},backlog=4),
      lis(socket.AF_INET,'0.0.0.0',${P.synFlood},backlog=2),lis(socket.AF_INET,'0.0.0.0',${P.forged})]
print('ready',flush=True)
time.sleep(120)`;

/** A listener whose process sits at its open-files limit: accept() fails with EMFILE, so the queue fills. */
const AT_FD_LIMIT = fdLimitListener(P.fds, 1, 120, true);

/**
 * Opens N connections at once and holds them for MS ms; prints "connected" once all are, sends a
 * byte on each when a line comes on stdin, and prints each one's end as JSON when it exits.
 */
const BURST = `const net=require('net');const [host,port,n,ms]=process.argv.slice(1);const out=[];const socks=[];let up=0;
for(let i=0;i<Number(n);i++){const s=net.connect(Number(port),host);socks.push(s);const r={connected:false,error:null};out.push(r);
s.on('connect',()=>{r.connected=true;if(++up===Number(n))process.stdout.write('connected\\n')});s.on('error',(e)=>{r.error=e.code});}
process.stdin.once('data',()=>{for(const s of socks)if(!s.destroyed)s.write('x')});
setTimeout(()=>{process.stdout.write(JSON.stringify(out)+'\\n');process.exit(0)},Number(ms));`;

/** Sends one forged RST+ACK (ack 0) from SRC:SPORT to DST:DPORT with the given TTL, through a raw socket. */
const FORGE_RST = `import socket,struct,sys
src,dst,sport,dport,ttl=sys.argv[1],sys.argv[2],int(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5])
def csum(b):
    s=sum(struct.unpack('!%dH'%(len(b)//2),b)); s=(s>>16)+(s&0xffff); s+=s>>16; return ~s&0xffff
tcp=struct.pack('!HHIIBBHHH',sport,dport,0,0,5<<4,0x14,0,0,0)
tcp=tcp[:16]+struct.pack('!H',csum(socket.inet_aton(src)+socket.inet_aton(dst)+struct.pack('!BBH',0,6,len(tcp))+tcp))+tcp[18:]
ip=struct.pack('!BBHHHBBH4s4s',0x45,0,20+len(tcp),0x1234,0,ttl,6,0,socket.inet_aton(src),socket.inet_aton(dst))
ip=ip[:10]+struct.pack('!H',csum(ip))+ip[12:]
socket.socket(socket.AF_INET,socket.SOCK_RAW,socket.IPPROTO_RAW).sendto(ip+tcp,(dst,0))`;

let net: NetnsPair;
const children: ChildProcess[] = [];
let daemonLog = '';
let metrics = '';

function get(url: string): { status: number; body: string } {
  const script = `fetch(${JSON.stringify(url)}).then(async r=>process.stdout.write(JSON.stringify({status:r.status,body:await r.text()}))).catch(e=>process.stdout.write(JSON.stringify({status:0,body:String(e)})))`;
  const r = net.exec(net.server, process.execPath, ['-e', script], { allowFail: true });
  return JSON.parse(r.stdout || '{"status":0,"body":"no output"}') as { status: number; body: string };
}

/** Sum of the samples of `name` whose labels include `labels`. */
function sum(exposition: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of exposition.split('\n')) {
    const m = /^([^{ ]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      (m[2] ?? '')
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 2, -1)]),
    );
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) total += Number(m[3]);
  }
  return total;
}

/** Starts `cmd args` in `ns` and resolves with its stdout once it exits. */
function runAsync(ns: string, cmd: string, args: string[]): Promise<string> {
  const c = net.spawn(ns, cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  let out = '';
  c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => c.on('exit', () => resolve(out)));
}

/** BURST in the client namespace: N connections to `port`, held for `ms`. */
function burst(port: number, n: number, ms: number) {
  const child = net.spawn(net.client, process.execPath, ['-e', BURST, net.addr.server4, String(port), String(n), String(ms)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(child);
  let out = '';
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('connected\n')) onConnected();
  });
  const ends = new Promise<{ connected: boolean; error: string | null }[]>((resolve) =>
    child.on('exit', () => {
      const last = out.split('\n').filter(Boolean).pop() ?? '';
      resolve(last.startsWith('[') ? (JSON.parse(last) as { connected: boolean; error: string | null }[]) : []);
    }),
  );
  return { child, connected, ends };
}

async function startListener(script: string): Promise<void> {
  const c = net.spawn(net.server, 'python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  await new Promise<void>((resolve) => c.stdout?.once('data', () => resolve()));
}

beforeAll(async () => {
  requireRoot('test/e2e/failure-causes-netns.test.ts');
  net = createNetnsPair({ tag: 'cause', subnet: 'ca' });
  const sysctl = (ns: string, kv: string) => net.exec(ns, 'sysctl', ['-q', '-w', kv]);
  sysctl(net.server, 'net.ipv4.tcp_abort_on_overflow=0');
  // The pair sets no ICMP rate limit in the server and one SYN retransmission in the client: a
  // connect to a silent port gives up after about 3 s.
  const rule = (port: number, ...target: string[]) => net.exec(net.server, 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', ...target]);
  rule(P.reset, 'REJECT', '--reject-with', 'tcp-reset');
  rule(P.icmp, 'REJECT', '--reject-with', 'icmp-port-unreachable');
  rule(P.drop, 'DROP');
  rule(P.forged, 'DROP');
  await startListener(LISTENERS);
  await startListener(AT_FD_LIMIT);

  // As root (--user root): the owner of a listener and its open-files limit are only readable so.
  // A second daemon as nobody (the default switch) sees no process of root's: it cannot tell
  // fd_exhaustion, and must say so.
  for (const [port, user] of [
    [DAEMON_PORT, 'root'],
    [NOBODY_PORT, 'nobody'],
  ] as const) {
    const daemon = net.spawn(
      net.server,
      process.execPath,
      [
        cli,
        'live',
        '-i',
        net.serverIf,
        '--listen',
        `127.0.0.1:${port}`,
        '--attempt-timeout',
        String(ATTEMPT_TIMEOUT_S),
        '--ports',
        '8201-8211',
        '--user',
        user,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(daemon);
    daemon.stdout?.on('data', (d: Buffer) => (daemonLog += d.toString()));
    daemon.stderr?.on('data', (d: Buffer) => (daemonLog += d.toString()));
  }
  const log = () => `daemon log:\n${daemonLog}`;
  await until(
    'the daemon ready with a kernel read',
    () => {
      const reads = [DAEMON_PORT, NOBODY_PORT].map((port) => {
        const r = get(`http://127.0.0.1:${port}/api/v1/causes`);
        return r.status === 200 ? (JSON.parse(r.body) as { kernel_reads: number }).kernel_reads : 0;
      });
      return reads.every((n) => n > 0) ? true : undefined;
    },
    20_000,
    log,
  );

  // Phase 1 (tcp_abort_on_overflow=0): every port but 8208, all at once.
  const connect = (port: number, count: number) =>
    runAsync(net.client, process.execPath, [client, 'connect', net.addr.server4, String(port), String(count), '4000']);
  await Promise.all([
    connect(P.nothing, 3),
    connect(P.loopback, 3),
    connect(P.v6only, 3),
    connect(P.reset, 3),
    connect(P.icmp, 3),
    connect(P.drop, 2),
    // Backlog 1 holds 2 connections: the next 2 SYNs are dropped by the kernel.
    connect(P.backlog, 4),
    connect(P.fds, 4),
  ]);

  // Phase 2 (tcp_abort_on_overflow=1), on a listener of backlog 4 that never accepts: 3
  // connections wait in its accept queue. Then 4 handshakes start while the client's ACKs are held
  // back: the accept queue has room at each SYN, so all 4 wait in the SYN queue (whose limit is the
  // backlog: more would be answered with SYN cookies, which never reset). Once the ACKs pass (with
  // a byte of data), the queue takes 2 (it holds backlog + 1) and the kernel resets the other 2.
  sysctl(net.server, 'net.ipv4.tcp_abort_on_overflow=1');
  const holders = burst(P.early, 3, 30_000);
  await holders.connected;
  const holdAcks = ['OUTPUT', '-p', 'tcp', '--dport', String(P.early), '--tcp-flags', 'SYN,ACK,FIN,RST', 'ACK', '-j', 'DROP'];
  net.exec(net.client, 'iptables', ['-A', ...holdAcks]);
  const overflow = burst(P.early, 4, 4_000);
  await overflow.connected;
  net.exec(net.client, 'iptables', ['-D', ...holdAcks]);
  overflow.child.stdin?.write('go\n');
  const ends = await overflow.ends;
  expect(ends.filter((e) => e.error === 'ECONNRESET').length, JSON.stringify(ends)).toBe(2);

  // Phase 3 (tcp_syncookies=0): with the client's ACKs held back, handshakes fill the SYN queue
  // of a backlog-2 listener (its accept queue stays empty); the SYNs that find it full are
  // dropped, retried and dropped again (TCPReqQFullDrop).
  sysctl(net.server, 'net.ipv4.tcp_syncookies=0');
  const holdSynFloodAcks = ['OUTPUT', '-p', 'tcp', '--dport', String(P.synFlood), '--tcp-flags', 'SYN,ACK,FIN,RST', 'ACK', '-j', 'DROP'];
  net.exec(net.client, 'iptables', ['-A', ...holdSynFloodAcks]);
  const flood = burst(P.synFlood, 4, 4_500);

  // A RST forged from the server's address with TTL 30 (the server's own packets leave with 64)
  // answers a SYN the DROP rule swallows: the client ignores it (its ack is wrong), the wire shows
  // a refusal.
  const forgedClient = runAsync(net.client, process.execPath, [
    '-e',
    `const s=require('net').connect({host:'${net.addr.server4}',port:${P.forged},localPort:40111});s.on('error',()=>{});setTimeout(()=>process.exit(0),3500)`,
  ]);
  await new Promise((r) => setTimeout(r, 500));
  net.exec(net.server, 'python3', ['-c', FORGE_RST, net.addr.server4, net.addr.client4, String(P.forged), '40111', '30']);
  const floodEnds = await flood.ends;
  net.exec(net.client, 'iptables', ['-D', ...holdSynFloodAcks]);
  await forgedClient;
  // Which of the 4 get a place in the SYN queue depends on the kernel's timing; some must not.
  expect(floodEnds.filter((e) => e.error === 'ETIMEDOUT').length, JSON.stringify(floodEnds)).toBeGreaterThan(0);

  // Past the attempt timeout of the last SYN, and a kernel read after it: nothing pending.
  metrics = await until(
    'every failure decided',
    () => {
      const m = get(`http://127.0.0.1:${DAEMON_PORT}/metrics`).body;
      const pending = sum(m, 'rstwatch_failure_causes_pending', {});
      const early = sum(m, 'rstwatch_early_resets_total', { port: String(P.early) });
      const done = sum(m, 'rstwatch_unanswered_total', { port: String(P.synFlood) }) > 0 && sum(m, 'rstwatch_unanswered_total', { port: String(P.fds) }) === 2;
      return pending === 0 && early > 0 && done ? m : undefined;
    },
    20_000,
    log,
  );
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  net?.destroy();
});

describe('rstwatch live names the cause of each failed inbound attempt', () => {
  it.each(EXPECTED)('$port: $outcome is $cause in /metrics, all of them', ({ port, outcome, cause }) => {
    const p = String(port);
    const count = sum(metrics, OUTCOME_FAMILY[outcome], { direction: 'inbound', port: p });
    expect(count, `${outcome} on ${port}\n${daemonLog}`).toBeGreaterThan(0);
    const seen = metrics.split('\n').filter((l) => l.startsWith('rstwatch_failure_causes_total{') && l.includes(`port="${p}"`));
    expect(sum(metrics, 'rstwatch_failure_causes_total', { port: p, outcome, cause }), seen.join('\n')).toBe(count);
    expect(sum(metrics, 'rstwatch_failure_causes_total', { port: p, outcome })).toBe(count);
  });

  it('for every port and outcome, the causes add up to the outcome count', () => {
    for (const port of Object.values(P).map(String)) {
      for (const [outcome, family] of Object.entries(OUTCOME_FAMILY)) {
        expect(sum(metrics, 'rstwatch_failure_causes_total', { port, outcome }), `${outcome} on ${port}`).toBe(
          sum(metrics, family, { direction: 'inbound', port }),
        );
      }
    }
  });

  it('the backlog ports also accepted what their queue could hold', () => {
    expect(sum(metrics, 'rstwatch_accepted_total', { direction: 'inbound', port: String(P.backlog) })).toBe(2);
    expect(sum(metrics, 'rstwatch_accepted_total', { direction: 'inbound', port: String(P.fds) })).toBe(2);
    expect(sum(metrics, 'rstwatch_accepted_total', { direction: 'inbound', port: String(P.early) })).toBe(7);
    expect(sum(metrics, 'rstwatch_early_resets_total', { direction: 'inbound', port: String(P.early) })).toBe(2);
  });
});

describe('as nobody, the daemon cannot see the owner of a full queue', () => {
  it('counts backlog_overflow for the process at its open-files limit, and says why not fd_exhaustion', () => {
    const r = JSON.parse(get(`http://127.0.0.1:${NOBODY_PORT}/api/v1/causes?port=${P.fds}`).body) as {
      ports: { port: number; outcomes: { outcome: string; count: number; causes: { cause: string; evidence: string }[] }[] }[];
    };
    expect(r.ports.map((p) => p.port)).toEqual([P.fds]);
    const unanswered = r.ports[0].outcomes.find((o) => o.outcome === 'unanswered')!;
    expect(unanswered.count).toBe(2);
    expect(unanswered.causes.map((c) => c.cause)).toEqual(['backlog_overflow']);
    expect(unanswered.causes[0].evidence).toMatch(/process could not be read.*\(fd_exhaustion\) could not be told/);
  });
});

describe('rstwatch diagnose asks the daemon', () => {
  it.each(EXPECTED)('$port: $outcome is $cause, with evidence and a remedy', ({ port, outcome, cause }) => {
    const r = net.exec(net.server, process.execPath, [cli, 'diagnose', '--json'], { timeoutMs: 20_000 });
    const report = JSON.parse(r.stdout) as {
      daemon: { answered: boolean };
      ports: { port: number; failures: { outcome: string; count: number; causes: { cause: string; count: number; evidence: string; remedy: string }[] }[] }[];
    };
    expect(report.daemon.answered).toBe(true);
    const f = report.ports.find((x) => x.port === port)?.failures.find((x) => x.outcome === outcome);
    expect(f, JSON.stringify(report.ports.map((x) => x.port))).toBeDefined();
    expect(f!.causes.map((c) => c.cause)).toEqual([cause]);
    expect(f!.causes[0].count).toBe(f!.count);
    expect(f!.causes[0].evidence).toMatch(EVIDENCE[port] ?? new RegExp(`port ${port}`));
    expect(f!.causes[0].remedy.length).toBeGreaterThan(10);
  });

  it('the table shows the failures, their causes and remedies', () => {
    const r = net.exec(net.server, process.execPath, [cli, 'diagnose', '--port', String(P.fds)], { timeoutMs: 20_000 });
    expect(r.stdout).toMatch(/failures seen by rstwatch live:\n {4}unanswered 2: fd_exhaustion 2\n/);
    expect(r.stdout).toMatch(/fd_exhaustion: python3 \(pid \d+\) holds \d+ open files of its limit 32/);
    expect(r.stdout).toMatch(/remedy: raise its open-files limit/);
  });
});
