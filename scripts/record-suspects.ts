/**
 * record-suspects.ts: real genuine and forged TCP resets between network namespaces, captured on
 * the client's interface, for the spoofed-reset heuristics (SEMANTICS.md, "Suspected spoofed
 * resets"). Writes pcaps/netns-suspects-v4.pcap and pcaps/netns-suspects-v6.pcap; the e2e test
 * (test/e2e/suspect-resets.test.ts) imports `runSuspectScenarios` to record fresh ones with
 * `rstwatch live` watching the same traffic.
 *
 * usage: node node_modules/tsx/dist/cli.mjs scripts/record-suspects.ts [--out DIR]
 *   (as root). Files are written only when every scenario behaved as designed; exit 0 then,
 *   1 on a failure, 2 on a usage error, a missing tool or when not root.
 * Environment: RW_KEEP_WORK=1 keeps the work directory (captures, logs); RW_ATTACK_DEBUG=1 makes
 * the attacker print every frame it sees.
 * Internal modes, run by the recording inside the namespaces: `client PLAN_JSON` (the connects)
 * and `attack IFACE PLAN_JSON` (the injector).
 *
 * Topology (testkit/netns-chain.ts, 3 routers):
 *
 *   client 198.18.0.1 --- r1 --- r2 --- r3 --- server 198.18.3.2   (v6 2001:db8:cc:<link>::)
 *                         |                     listens 8080, 8083, 8084; 8081 closed;
 *                         |                     8085 dropped (INPUT DROP)
 *                         r1 198.18.0.2: listens 8090, 8091 closed; FORWARD REJECT tcp-reset
 *                         for 8082 (the firewall); 192.0.2.179 / 2001:db8:cc:b::179 on lo, a
 *                         listener on 179 sending with TTL / hop limit 255 and 192.0.2.1 one
 *                         sending with TTL 1 (BGP stand-ins, RFC 5082), 180 closed on both;
 *                         the attacker watches its client-side interface (pcap) and injects
 *                         forged RSTs with pcap_inject towards the client.
 *   r2 -> r3 is a slow path (tbf 100 kbit): before the race connects the client sends two
 *   1400-byte UDP datagrams to the server's port 9 (dropped by r3), so that the SYN waits about
 *   100 ms in r2's queue and the forged RST arrives well before the real SYN-ACK.
 *
 * The scenarios, per family (IPv4 then IPv6), in order:
 *   baseline     8080 x2 on the server (SYN-ACKs arrive with TTL 61: 64 - 3 hops), 8090 on r1
 *                (TTL 64), 179 on the BGP stand-ins (TTL 255, v4 also TTL 1)
 *   genuine      8081 x2 (closed on the server: kernel RST, TTL 61), 8091 x2 (closed on r1: TTL
 *                64), 180 on the stand-ins (kernel RST, TTL 64 against packets with 255 / 1)
 *   firewall     8082 x2: r1's REJECT tcp-reset, TTL 64 (hop 0) for a server 3 hops away
 *   race         8083: forged RST+ACK (ack ISN+1, TTL 64) before the real SYN-ACK: the client
 *                gives up (ECONNREFUSED) and resets the late SYN-ACK
 *   race-ack     8084: forged RST+ACK acking the ISN itself (TTL 61, as the server's): the
 *                client ignores it, the real SYN-ACK completes the handshake
 *   burst        8085 (dropped by the server): 4 forged RST+ACKs, seq n, n+1000, n+2000, n+3000,
 *                ack ISN+1, TTL 61
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethernet, tcp4, tcp6 } from '../testkit/craft.js';
import { createNetnsChain, EAST_IF, WEST_IF, type NetnsChain } from '../testkit/netns-chain.js';
import { requireRoot } from '../testkit/netns.js';
import { oracleCounts, type OraclePortCounts } from '../testkit/tshark-oracle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const SERVE = join(ROOT, 'scripts/netns-client.mjs');
const ADDON = join(ROOT, 'native/build/Release/rstwatch_pcap.node');
const CLI = join(ROOT, 'dist/rstwatch.js');

/** Tools the scenarios need on PATH. */
export const REQUIRED_TOOLS = ['ip', 'tc', 'tcpdump', 'tshark', 'iptables', 'ip6tables', 'python3'] as const;

/** Server ports and what happens on them. */
export const PORTS = { accepted: 8080, closed: 8081, firewall: 8082, race: 8083, raceAck: 8084, burst: 8085, nearAccepted: 8090, nearClosed: 8091, bgp: 179, bgpClosed: 180 } as const;
/** Addresses of the BGP stand-ins on r1's loopback. */
export const BGP = { ttl255v4: '192.0.2.179', ttl1v4: '192.0.2.1', ttl255v6: '2001:db8:cc:b::179' } as const;
/** TTL of the forged RSTs per port. */
export const FORGED_TTL = { [PORTS.race]: 64, [PORTS.raceAck]: 61, [PORTS.burst]: 61 } as const;
/** RSTs in the burst and the step between their sequence numbers. */
export const BURST = { count: 4, seqStep: 1000 } as const;
const DISCARD_PORT = 9;
const FILLER_BYTES = 1400;

/** One connect of the client plan. */
interface Step {
  host: string;
  port: number;
  count: number;
  /** UDP datagrams to send to `host`:9 just before (to fill the slow path). */
  fill?: number;
}

/** What the client reported for one connect. */
export interface ClientReport {
  host: string;
  port: number;
  outcome: string;
  handshake: boolean;
  localPort: number | null;
}

/** What the attacker reported for one SYN it answered. */
export interface AttackReport {
  family: 4 | 6;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  isn: number;
  injected: number;
}

/** One packet towards the client, for the TTL summary. */
export interface TtlObservation {
  family: 4 | 6;
  src: string;
  srcPort: number;
  flags: string;
  ttl: number;
}

/** The live daemon's view, when asked for. */
export interface LiveResult {
  /** The /metrics exposition read inside the client namespace after the traffic. */
  metrics: string;
  /** Its stdout, one pino JSON line each (parsed where possible). */
  logLines: Record<string, unknown>[];
}

/** Everything a run produced. */
export interface ScenarioRun {
  pcaps: { v4: string; v6: string };
  client: ClientReport[];
  attacks: AttackReport[];
  ttls: TtlObservation[];
  live: LiveResult | null;
}

/** Options of `runSuspectScenarios`. */
export interface ScenarioOptions {
  /** Where the captures and logs go (created). */
  workDir: string;
  /** Also run `rstwatch live` (dist/rstwatch.js) in the client namespace on this loopback port. */
  livePort?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with the first stream line matching `re`; rejects after `timeoutMs` or on exit. */
function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, what: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: nothing matching ${re} within ${timeoutMs} ms; output: ${seen.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = seen.split('\n').find((l) => re.test(l));
      if (m !== undefined) {
        clearTimeout(timer);
        child[stream]?.off('data', onData);
        resolvePromise(m);
      }
    };
    child[stream]?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before ${re}; output: ${seen.slice(-2000)}`));
    });
  });
}

/** Collects a child's output into a string (read when it is done). */
function collect(child: ChildProcess, stream: 'stdout' | 'stderr'): () => string {
  const chunks: Buffer[] = [];
  child[stream]?.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.kill(signal);
  });
}

/** Throws naming every tool of REQUIRED_TOOLS missing from PATH and every missing build product. */
export function checkTools(needLive: boolean): void {
  const missing = REQUIRED_TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length > 0) throw new Error(`missing tools: ${missing.join(', ')} (Debian: apt-get install -y iproute2 tcpdump tshark iptables python3)`);
  if (!existsSync(ADDON)) throw new Error(`the native addon is not built (${ADDON}): run scripts/setup.sh`);
  if (needLive && !existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build`);
}

/** The client plan of one family. */
function planFor(family: 4 | 6, chain: NetnsChain): Step[] {
  const server = (family === 4 ? chain.server.west4 : chain.server.west6)!;
  const near = (family === 4 ? chain.routers[0].west4 : chain.routers[0].west6)!;
  const bgp = family === 4 ? [BGP.ttl255v4, BGP.ttl1v4] : [BGP.ttl255v6];
  return [
    { host: server, port: PORTS.accepted, count: 2 },
    { host: near, port: PORTS.nearAccepted, count: 1 },
    ...bgp.map((host) => ({ host, port: PORTS.bgp, count: 1 })),
    { host: server, port: PORTS.closed, count: 2 },
    { host: near, port: PORTS.nearClosed, count: 2 },
    ...bgp.map((host) => ({ host, port: PORTS.bgpClosed, count: 1 })),
    { host: server, port: PORTS.firewall, count: 2 },
    { host: server, port: PORTS.race, count: 1, fill: 2 },
    { host: server, port: PORTS.raceAck, count: 1, fill: 2 },
    { host: server, port: PORTS.burst, count: 1 },
  ];
}

const BGP_LISTENER_PY = `
import socket, sys, threading, time
def serve(family, addr, port, ttl):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, ttl)
    s.bind((addr, port)); s.listen(8)
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            c.recv(64); c.sendall(b"pong\\n")
        except OSError:
            pass
        c.close()
for spec in sys.argv[1:]:
    fam, addr, ttl = spec.split(",")
    threading.Thread(target=serve, args=(socket.AF_INET if fam == "4" else socket.AF_INET6, addr, ${PORTS.bgp}, int(ttl)), daemon=True).start()
print("listening", flush=True)
time.sleep(300)
`;

/**
 * Builds the chain, runs every scenario of the module comment over IPv4 and IPv6 with tcpdump (and
 * optionally `rstwatch live`) on the client's interface, and tears everything down.
 */
export async function runSuspectScenarios(options: ScenarioOptions): Promise<ScenarioRun> {
  const log = options.log ?? (() => undefined);
  checkTools(options.livePort !== undefined);
  mkdirSync(options.workDir, { recursive: true });
  const chain = createNetnsChain({ tag: 'susp', routers: 3, subnet: 'cc' });
  const children: ChildProcess[] = [];
  const bg = (ns: string, cmd: string, args: string[]) => {
    const c = chain.spawn(ns, cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(c);
    return c;
  };
  try {
    const [r1, r2, r3] = chain.routers;
    const c = chain.client;
    const s = chain.server;
    chain.addAddress(r1, BGP.ttl255v4);
    chain.addAddress(r1, BGP.ttl1v4);
    chain.addAddress(r1, BGP.ttl255v6);
    for (const ipt of ['iptables', 'ip6tables']) {
      chain.exec(r1.ns, ipt, ['-A', 'FORWARD', '-p', 'tcp', '--dport', String(PORTS.firewall), '-j', 'REJECT', '--reject-with', 'tcp-reset']);
      chain.exec(s.ns, ipt, ['-A', 'INPUT', '-p', 'tcp', '--dport', String(PORTS.burst), '-j', 'DROP']);
      chain.exec(r3.ns, ipt, ['-A', 'FORWARD', '-p', 'udp', '--dport', String(DISCARD_PORT), '-j', 'DROP']);
    }
    // The slow path: r2 -> r3 at 100 kbit/s, one 1600-byte bucket.
    chain.exec(r2.ns, 'tc', ['qdisc', 'add', 'dev', EAST_IF, 'root', 'tbf', 'rate', '100kbit', 'burst', '1600', 'limit', '30000']);

    const server = bg(s.ns, process.execPath, [SERVE, 'serve', `${PORTS.accepted},${PORTS.race},${PORTS.raceAck},${PORTS.burst}`, '300000']);
    const near = bg(r1.ns, process.execPath, [SERVE, 'serve', String(PORTS.nearAccepted), '300000']);
    const bgp = bg(r1.ns, 'python3', ['-c', BGP_LISTENER_PY, `4,${BGP.ttl255v4},255`, `4,${BGP.ttl1v4},1`, `6,${BGP.ttl255v6},255`]);
    const attackPlan = {
      clientMac: chain.mac(c.ns, EAST_IF),
      ownMac: chain.mac(r1.ns, WEST_IF),
      ports: {
        [PORTS.race]: { count: 1, ttl: FORGED_TTL[PORTS.race], ackOffset: 1, seqStep: 0 },
        [PORTS.raceAck]: { count: 1, ttl: FORGED_TTL[PORTS.raceAck], ackOffset: 0, seqStep: 0 },
        [PORTS.burst]: { count: BURST.count, ttl: FORGED_TTL[PORTS.burst], ackOffset: 1, seqStep: BURST.seqStep },
      },
    };
    const attacker = bg(r1.ns, process.execPath, [TSX, SELF, 'attack', WEST_IF, JSON.stringify(attackPlan)]);
    const attackOut = collect(attacker, 'stdout');
    const attackErr = collect(attacker, 'stderr');
    await Promise.all([
      waitForLine(server, 'stdout', /"listening"/, 'server'),
      waitForLine(near, 'stdout', /"listening"/, 'near listener'),
      waitForLine(bgp, 'stdout', /^listening/, 'BGP stand-in'),
      waitForLine(attacker, 'stdout', /"ready"/, 'attacker', 20_000),
    ]);

    const pcaps = { v4: join(options.workDir, 'v4.pcap'), v6: join(options.workDir, 'v6.pcap') };
    const dumps = (['v4', 'v6'] as const).map((f) => {
      const d = bg(c.ns, 'tcpdump', ['-Z', 'root', '-i', EAST_IF, '-nn', '-U', '--immediate-mode', '-w', pcaps[f], f === 'v4' ? 'ip and tcp' : 'ip6 and tcp']);
      return { d, err: collect(d, 'stderr'), ready: waitForLine(d, 'stderr', /listening on/, `tcpdump ${f}`) };
    });
    await Promise.all(dumps.map((x) => x.ready));

    let live: ChildProcess | undefined;
    let liveOut: (() => string) | undefined;
    const get = (path: string) => {
      const script = `fetch('http://127.0.0.1:${options.livePort}${path}').then(async r=>process.stdout.write(JSON.stringify({status:r.status,body:await r.text()}))).catch(e=>process.stdout.write(JSON.stringify({status:0,body:String(e)})))`;
      const r = chain.exec(c.ns, process.execPath, ['-e', script], { allowFail: true });
      return JSON.parse(r.stdout || '{"status":0,"body":""}') as { status: number; body: string };
    };
    if (options.livePort !== undefined) {
      live = bg(c.ns, process.execPath, [CLI, 'live', '-i', EAST_IF, '--listen', `127.0.0.1:${options.livePort}`, '--attempt-timeout', '5', '--ports', '179,180,8080-8091', '--log-level', 'info']);
      liveOut = collect(live, 'stdout');
      const liveErr = collect(live, 'stderr');
      const end = Date.now() + 15_000;
      while (get('/readyz').status !== 200) {
        if (Date.now() > end || live.exitCode !== null) throw new Error(`rstwatch live did not become ready: ${liveOut()} ${liveErr()}`);
        await sleep(200);
      }
    }
    await sleep(300);

    const client: ClientReport[] = [];
    for (const family of [4, 6] as const) {
      log(`IPv${family}: running the client plan`);
      const r = chain.exec(c.ns, process.execPath, [TSX, SELF, 'client', JSON.stringify(planFor(family, chain))], { timeoutMs: 60_000 });
      for (const line of r.stdout.split('\n')) if (line.trim()) client.push(JSON.parse(line) as ClientReport);
      await sleep(500);
    }
    await sleep(1000);

    let liveResult: LiveResult | null = null;
    if (live && liveOut) {
      const metrics = get('/metrics');
      if (metrics.status !== 200) throw new Error(`GET /metrics answered ${metrics.status}: ${metrics.body}`);
      await stopChild(live, 'SIGTERM', 5000);
      const logLines = liveOut()
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { unparsed: l };
          }
        });
      liveResult = { metrics: metrics.body, logLines };
    }
    for (const x of dumps) await stopChild(x.d, 'SIGINT', 5000);
    for (const x of dumps) if (!/\b0 packets dropped by kernel/.test(x.err())) throw new Error(`tcpdump dropped packets: ${x.err()}`);
    await stopChild(attacker, 'SIGTERM', 3000);
    if (attackErr().trim()) log(`attacker stderr:\n${attackErr()}`);
    const attacks = attackOut()
      .split('\n')
      .filter((l) => l.startsWith('{"attack"'))
      .map((l) => (JSON.parse(l) as { attack: AttackReport }).attack);
    return { pcaps, client, attacks, ttls: readTtls([pcaps.v4, pcaps.v6]), live: liveResult };
  } finally {
    for (const ch of children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
    chain.destroy();
  }
}

/** TTL / hop limit of every packet towards the client (198.18.0.1 / 2001:db8:cc:0::1), with tshark. */
export function readTtls(files: readonly string[]): TtlObservation[] {
  const out: TtlObservation[] = [];
  for (const file of files) {
    const r = spawnSync('tshark', ['-r', file, '-n', '-T', 'fields', '-E', 'separator=\t', '-e', 'ip.src', '-e', 'ipv6.src', '-e', 'tcp.srcport', '-e', 'tcp.flags.str', '-e', 'ip.ttl', '-e', 'ipv6.hlim', '-Y', 'ip.dst==198.18.0.1 or ipv6.dst==2001:db8:cc::1'], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`tshark -r ${file} failed: ${r.stderr}`);
    for (const line of r.stdout.split('\n')) {
      if (!line.trim()) continue;
      const [src4, src6, port, flags, ttl, hlim] = line.split('\t');
      out.push({ family: src4 ? 4 : 6, src: src4 || src6, srcPort: Number(port), flags: flags.replace(/[^A-Za-z]/g, ''), ttl: Number(ttl || hlim) });
    }
  }
  return out;
}

/** Distinct TTLs per (source, port, kind) with counts, e.g. `198.18.3.2:8080 SYN-ACK ttl 61 x2`. */
export function summarizeTtls(ttls: readonly TtlObservation[]): string[] {
  const kind = (f: string) => (f.includes('R') ? 'RST' : f.includes('S') ? 'SYN-ACK' : 'other');
  const counts = new Map<string, number>();
  for (const t of ttls) {
    const key = `${t.family === 6 ? `[${t.src}]` : t.src}:${t.srcPort} ${kind(t.flags)} ttl ${t.ttl}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} x${n}`);
}

// ------------------------------------------------------------------------------------------------
// Internal mode: the client (runs in the client namespace)
// ------------------------------------------------------------------------------------------------

function connectOnce(host: string, port: number, timeoutMs: number): Promise<ClientReport> {
  return new Promise((done) => {
    const report: ClientReport = { host, port, outcome: 'timeout', handshake: false, localPort: null };
    const sock = net.connect({ host, port });
    const note = () => {
      if (report.localPort === null && typeof sock.localPort === 'number') report.localPort = sock.localPort;
    };
    process.nextTick(note);
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    let finished = false;
    function finish(outcome: string): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      note();
      report.outcome = outcome;
      sock.destroy();
      done(report);
    }
    sock.on('connect', () => {
      report.handshake = true;
      note();
      sock.end('ping\n');
    });
    sock.on('data', () => undefined);
    sock.on('close', () => finish(report.handshake ? 'connected' : report.outcome));
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

async function clientMode(planJson: string): Promise<void> {
  const plan = JSON.parse(planJson) as Step[];
  for (const step of plan) {
    for (let i = 0; i < step.count; i++) {
      if (step.fill) {
        const udp = createSocket(step.host.includes(':') ? 'udp6' : 'udp4');
        for (let k = 0; k < step.fill; k++) await new Promise<void>((r) => udp.send(Buffer.alloc(FILLER_BYTES), DISCARD_PORT, step.host, () => r()));
        udp.close();
      }
      const report = await connectOnce(step.host, step.port, 5000);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      // Let the late answers (a SYN-ACK after a forged RST, FINs) pass before the next connect.
      await sleep(step.fill ? 400 : 50);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Internal mode: the attacker (runs in r1, on its client-side interface)
// ------------------------------------------------------------------------------------------------

interface AttackPlan {
  clientMac: string;
  ownMac: string;
  ports: Record<string, { count: number; ttl: number; ackOffset: number; seqStep: number }>;
}

function ipText(b: Uint8Array, off: number, six: boolean): string {
  if (!six) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[off + i] << 8) | b[off + i + 1]).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

async function attackMode(iface: string, planJson: string): Promise<void> {
  const plan = JSON.parse(planJson) as AttackPlan;
  const addon = createRequire(import.meta.url)(ADDON) as {
    open(o: object): { handle: unknown; data: ArrayBuffer; records: ArrayBuffer };
    setFilter(h: unknown, f: string): void;
    start(h: unknown, onBatch: (n: number) => void, onFault: (r: string, m: string) => void): void;
    inject(h: unknown, frame: Uint8Array): number;
    close(h: unknown): void;
    RECORD_FIELDS: number;
  };
  const cap = addon.open({ interfaceName: iface, snaplen: 256, promiscuous: false, immediate: true, bufferBytes: 1 << 20, timeoutMs: 10, maxBatchFrames: 64 });
  const ports = Object.keys(plan.ports).map(Number);
  // No `inbound` in the filter: with it this libpcap/kernel loses the first matching frame after
  // the capture starts (seen here with libpcap 1.10.3 on Linux 6.18); frames from the client are
  // told by their source MAC address instead.
  addon.setFilter(cap.handle, `tcp and (${ports.map((p) => `dst port ${p}`).join(' or ')})`);
  const clientMac = Uint8Array.from(plan.clientMac.split(':').map((h) => parseInt(h, 16)));
  const answered = new Set<string>();
  let seqBase = 0x10000000;
  addon.start(
    cap.handle,
    (frames) => {
      const data = new Uint8Array(cap.data);
      const rec = new Uint32Array(cap.records);
      for (let i = 0; i < frames; i++) {
        const off = rec[i * addon.RECORD_FIELDS];
        const len = rec[i * addon.RECORD_FIELDS + 1];
        const f = data.subarray(off, off + len);
        if (process.env.RW_ATTACK_DEBUG) process.stderr.write(`frame ${len} ${Buffer.from(f.subarray(0, 60)).toString('hex')}\n`);
        if (clientMac.some((b, k) => f[6 + k] !== b)) continue;
        const etherType = (f[12] << 8) | f[13];
        const six = etherType === 0x86dd;
        if (!six && etherType !== 0x0800) continue;
        const ipOff = 14;
        if (six && f[ipOff + 6] !== 6) continue;
        const tcpOff = six ? ipOff + 40 : ipOff + (f[ipOff] & 0x0f) * 4;
        if (!six && f[ipOff + 9] !== 6) continue;
        const flags = f[tcpOff + 13];
        if ((flags & 0x12) !== 0x02) continue; // SYN without ACK
        const src = ipText(f, six ? ipOff + 8 : ipOff + 12, six);
        const dst = ipText(f, six ? ipOff + 24 : ipOff + 16, six);
        const sport = (f[tcpOff] << 8) | f[tcpOff + 1];
        const dport = (f[tcpOff + 2] << 8) | f[tcpOff + 3];
        const isn = ((f[tcpOff + 4] << 24) | (f[tcpOff + 5] << 16) | (f[tcpOff + 6] << 8) | f[tcpOff + 7]) >>> 0;
        const p = plan.ports[String(dport)];
        // One answer per tuple: the client kernel re-sends its SYN about 10 ms after a RST+ACK
        // with an unacceptable ack (tcp_rcv_synsent_state_process), and that one goes through.
        const tuple = `${src} ${sport} ${dst} ${dport}`;
        if (!p || answered.has(tuple)) continue;
        answered.add(tuple);
        seqBase = (seqBase + 0x01000000) >>> 0;
        let injected = 0;
        for (let k = 0; k < p.count; k++) {
          const o = { src: dst, dst: src, sport: dport, dport: sport, flags: 'R.', seq: (seqBase + k * p.seqStep) >>> 0, ack: (isn + p.ackOffset) >>> 0, win: 0 };
          const ip = six ? tcp6({ ...o, hopLimit: p.ttl }) : tcp4({ ...o, ttl: p.ttl, df: true });
          addon.inject(cap.handle, ethernet(ip, { src: plan.ownMac, dst: plan.clientMac, padTo: 60 }));
          injected++;
        }
        const report: AttackReport = { family: six ? 6 : 4, client: src, clientPort: sport, server: dst, serverPort: dport, isn, injected };
        process.stdout.write(`${JSON.stringify({ attack: report })}\n`);
      }
    },
    (reason, message) => {
      process.stdout.write(`${JSON.stringify({ fault: { reason, message } })}\n`);
      process.exit(1);
    },
  );
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const stop = () => {
    addon.close(cap.handle);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  setTimeout(stop, 300_000);
}

// ------------------------------------------------------------------------------------------------
// Recording entry point
// ------------------------------------------------------------------------------------------------

/** The README table of one capture: port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits. */
export function portTable(ports: readonly OraclePortCounts[]): string {
  const rows = ['| port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits |', '|---:|---:|---:|---:|---:|---:|---:|'];
  const sum = [0, 0, 0, 0, 0, 0];
  for (const p of ports) {
    const v = [p.attempts, p.accepted, p.refused, p.icmp_rejected, p.unanswered, p.syn_retransmits];
    v.forEach((x, i) => (sum[i] += x));
    rows.push(`| ${p.port} | ${v.join(' | ')} |`);
  }
  rows.push(`| total | ${sum.join(' | ')} |`);
  return rows.join('\n');
}

async function recordMode(args: string[]): Promise<number> {
  let out = join(ROOT, 'pcaps');
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out' && args[i + 1]) out = resolve(args[++i]);
    else if (args[i] === '-h' || args[i] === '--help') {
      process.stdout.write(readFileSync(SELF, 'utf8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, '') + '\n');
      return 0;
    } else {
      process.stderr.write(`record-suspects: unknown argument '${args[i]}' (try --help)\n`);
      return 2;
    }
  }
  try {
    requireRoot('scripts/record-suspects.ts');
    checkTools(false);
  } catch (err) {
    process.stderr.write(`record-suspects: ${(err as Error).message}\n`);
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'rw-suspects-'));
  try {
    const run = await runSuspectScenarios({ workDir: work, log: (l) => process.stderr.write(`record-suspects: ${l}\n`) });
    const problems = checkDesign(run);
    for (const f of ['v4', 'v6'] as const) {
      process.stdout.write(`\nnetns-suspects-${f}.pcap (counts from tshark)\n${portTable(oracleCounts(run.pcaps[f]).ports)}\n`);
    }
    process.stdout.write(`\nTTL / hop limit of the packets towards the client:\n${summarizeTtls(run.ttls).join('\n')}\n`);
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`record-suspects: UNEXPECTED ${p}\n`);
      process.stderr.write('record-suspects: nothing written\n');
      return 1;
    }
    mkdirSync(out, { recursive: true });
    for (const f of ['v4', 'v6'] as const) {
      const dest = join(out, `netns-suspects-${f}.pcap`);
      copyFileSync(run.pcaps[f], `${dest}.tmp`);
      renameSync(`${dest}.tmp`, dest);
      process.stdout.write(`wrote ${dest}\n`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`record-suspects: ${(err as Error).stack ?? err}\n`);
    return 1;
  } finally {
    if (process.env.RW_KEEP_WORK) process.stderr.write(`record-suspects: kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The counts each capture must give per server port (SEMANTICS.md): [attempts, accepted, refused,
 * icmp_rejected, unanswered, syn_retransmits]. 8084 is two attempts: the forged RST (acking the
 * ISN) refuses the first, the client's kernel re-sends the SYN 10 ms later, the real SYN-ACK
 * accepts that one.
 */
export function expectedPorts(family: 4 | 6): Record<number, number[]> {
  const bgp = family === 4 ? 2 : 1;
  return {
    [PORTS.bgp]: [bgp, bgp, 0, 0, 0, 0],
    [PORTS.bgpClosed]: [bgp, 0, bgp, 0, 0, 0],
    [PORTS.accepted]: [2, 2, 0, 0, 0, 0],
    [PORTS.closed]: [2, 0, 2, 0, 0, 0],
    [PORTS.firewall]: [2, 0, 2, 0, 0, 0],
    [PORTS.race]: [1, 0, 1, 0, 0, 0],
    [PORTS.raceAck]: [2, 1, 1, 0, 0, 0],
    [PORTS.burst]: [1, 0, 1, 0, 0, 0],
    [PORTS.nearAccepted]: [1, 1, 0, 0, 0, 0],
    [PORTS.nearClosed]: [2, 0, 2, 0, 0, 0],
  };
}

/** Per-port counts of a capture by the tshark oracle, in the shape of `expectedPorts`. */
export function oraclePorts(file: string): Record<number, number[]> {
  const got: Record<number, number[]> = {};
  for (const p of oracleCounts(file).ports) got[p.port] = [p.attempts, p.accepted, p.refused, p.icmp_rejected, p.unanswered, p.syn_retransmits];
  return got;
}

/** What the client, the attacker and the captures must show, per the module comment; one line per problem. */
export function checkDesign(run: ScenarioRun): string[] {
  const problems: string[] = [];
  for (const family of [4, 6] as const) {
    const got = JSON.stringify(oraclePorts(run.pcaps[family === 4 ? 'v4' : 'v6']));
    const want = JSON.stringify(expectedPorts(family));
    if (got !== want) problems.push(`IPv${family} capture counts ${got}, want ${want}`);
  }
  const want: Record<number, string> = {
    [PORTS.accepted]: 'connected',
    [PORTS.nearAccepted]: 'connected',
    [PORTS.bgp]: 'connected',
    [PORTS.closed]: 'ECONNREFUSED',
    [PORTS.nearClosed]: 'ECONNREFUSED',
    [PORTS.bgpClosed]: 'ECONNREFUSED',
    [PORTS.firewall]: 'ECONNREFUSED',
    [PORTS.race]: 'ECONNREFUSED',
    [PORTS.raceAck]: 'connected',
    [PORTS.burst]: 'ECONNREFUSED',
  };
  for (const r of run.client) if (want[r.port] !== r.outcome) problems.push(`client ${r.host} port ${r.port}: ${r.outcome}, want ${want[r.port]}`);
  for (const port of [PORTS.race, PORTS.raceAck, PORTS.burst]) {
    for (const family of [4, 6]) {
      const a = run.attacks.filter((x) => x.serverPort === port && x.family === family);
      if (a.length !== 1) problems.push(`attacker answered ${a.length} SYNs to port ${port} over IPv${family}, want 1`);
    }
  }
  return problems;
}

const [mode, ...rest] = process.argv.slice(2);
if (process.argv[1] === SELF) {
  if (mode === 'client') await clientMode(rest[0]);
  else if (mode === 'attack') await attackMode(rest[0], rest[1]);
  else process.exitCode = await recordMode(mode === undefined ? [] : [mode, ...rest]);
}
