/**
 * The suspect-reset scenarios: real genuine and forged TCP resets between network namespaces,
 * captured on the client's interface, for the spoofed-reset heuristics (docs/semantics.md,
 * "Suspected spoofed resets"). scripts/record-suspects.ts records pcaps/netns-suspects-v4.pcap and
 * -v6.pcap with them; test/e2e/suspect-resets.test.ts runs them with `rstwatch live` watching the
 * same traffic. The client and the attacker run inside the namespaces as kit/suspect-agents.ts.
 *
 * Topology (kit/netns-chain.ts, 3 routers):
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
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetnsChain, EAST_IF, WEST_IF, type NetnsChain } from './netns-chain.js';
import { oracleCounts } from './tshark-oracle.js';
import { collect, sleep, stopChild, until, waitForLine } from './wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AGENTS = fileURLToPath(new URL('suspect-agents.ts', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const SERVE = join(ROOT, 'scripts/netns-client.mjs');
/** The native addon the attacker injects with. */
export const ADDON = join(ROOT, 'native/build/Release/rstwatch_pcap.node');
const CLI = join(ROOT, 'dist/rstwatch.js');

/** Tools the scenarios need on PATH. */
export const REQUIRED_TOOLS = ['ip', 'tc', 'tcpdump', 'tshark', 'iptables', 'ip6tables', 'python3'] as const;

/** Server ports and what happens on them. */
export const PORTS = {
  accepted: 8080,
  closed: 8081,
  firewall: 8082,
  race: 8083,
  raceAck: 8084,
  burst: 8085,
  nearAccepted: 8090,
  nearClosed: 8091,
  bgp: 179,
  bgpClosed: 180,
} as const;
/** Addresses of the BGP stand-ins on r1's loopback. */
export const BGP = { ttl255v4: '192.0.2.179', ttl1v4: '192.0.2.1', ttl255v6: '2001:db8:cc:b::179' } as const;
/** TTL of the forged RSTs per port. */
export const FORGED_TTL = { [PORTS.race]: 64, [PORTS.raceAck]: 61, [PORTS.burst]: 61 } as const;
/** RSTs in the burst and the step between their sequence numbers. */
export const BURST = { count: 4, seqStep: 1000 } as const;
/** The port the fill datagrams go to (dropped by r3). */
export const DISCARD_PORT = 9;
/** Bytes of one fill datagram. */
export const FILLER_BYTES = 1400;

/** One connect of the client plan. */
export interface Step {
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

/** What the attacker answers per server port: how many RSTs, their TTL, ack = ISN + ackOffset, seq step. */
export interface AttackPlan {
  clientMac: string;
  ownMac: string;
  ports: Record<string, { count: number; ttl: number; ackOffset: number; seqStep: number }>;
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
    const attackPlan: AttackPlan = {
      clientMac: chain.mac(c.ns, EAST_IF),
      ownMac: chain.mac(r1.ns, WEST_IF),
      ports: {
        [PORTS.race]: { count: 1, ttl: FORGED_TTL[PORTS.race], ackOffset: 1, seqStep: 0 },
        [PORTS.raceAck]: { count: 1, ttl: FORGED_TTL[PORTS.raceAck], ackOffset: 0, seqStep: 0 },
        [PORTS.burst]: { count: BURST.count, ttl: FORGED_TTL[PORTS.burst], ackOffset: 1, seqStep: BURST.seqStep },
      },
    };
    const attacker = bg(r1.ns, process.execPath, [TSX, AGENTS, 'attack', WEST_IF, JSON.stringify(attackPlan)]);
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
      live = bg(c.ns, process.execPath, [
        CLI,
        'live',
        '-i',
        EAST_IF,
        '--listen',
        `127.0.0.1:${options.livePort}`,
        '--attempt-timeout',
        '5',
        '--ports',
        '179,180,8080-8091',
        '--log-level',
        'info',
      ]);
      const daemon = live;
      const out = collect(daemon, 'stdout');
      const err = collect(daemon, 'stderr');
      liveOut = out;
      const ready = () => {
        if (daemon.exitCode !== null) throw new Error(`rstwatch live exited (${daemon.exitCode}) before it was ready: ${out()} ${err()}`);
        return get('/readyz').status === 200 ? true : undefined;
      };
      await until('rstwatch live to become ready', ready, 15_000, () => `${out()} ${err()}`, 200);
    }
    await sleep(300);

    const client: ClientReport[] = [];
    for (const family of [4, 6] as const) {
      log(`IPv${family}: running the client plan`);
      const r = chain.exec(c.ns, process.execPath, [TSX, AGENTS, 'client', JSON.stringify(planFor(family, chain))], { timeoutMs: 60_000 });
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
    const r = spawnSync(
      'tshark',
      [
        '-r',
        file,
        '-n',
        '-T',
        'fields',
        '-E',
        'separator=\t',
        '-e',
        'ip.src',
        '-e',
        'ipv6.src',
        '-e',
        'tcp.srcport',
        '-e',
        'tcp.flags.str',
        '-e',
        'ip.ttl',
        '-e',
        'ipv6.hlim',
        '-Y',
        'ip.dst==198.18.0.1 or ipv6.dst==2001:db8:cc::1',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
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
