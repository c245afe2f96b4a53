/**
 * record-netns.ts: records real kernel TCP refusals between two network namespaces into the
 * fixture captures netns-refusals-v4.pcap and netns-refusals-v6.pcap.
 *
 * usage: npm run record:netns -- [--out DIR] [--count N] [-h|--help]
 *    or: node node_modules/tsx/dist/cli.mjs scripts/record-netns.ts [--out DIR] [--count N] [-h|--help]
 *   --out DIR    where the two .pcap files go (default: pcaps/ of this repository); created if
 *                needed. Files are written only when the run succeeds (exit 0), replacing old ones.
 *   --count N    connection attempts per port and per family (default 3, 1..20)
 *
 * Two namespaces, rw-rec-c-PID and rw-rec-s-PID, joined by one veth pair (rwc0 / rws0), made by
 * createNetnsPair (kit/netns.ts). Client 198.51.100.1/24 + 2001:db8:52::1/64, server
 * 198.51.100.2/24 + 2001:db8:52::2/64 (TEST-NET-2 and documentation prefixes; traffic never
 * leaves the pair). The server namespace has a Node listener on 8080 and 8082-8085, nothing on
 * 8081, and INPUT rules (iptables and ip6tables): 8082 REJECT tcp-reset, 8083 REJECT
 * port-unreachable, 8084 REJECT admin-prohibited, 8085 DROP (scripts/netns-refusals.ts). tcpdump
 * records on the server's veth end (v4 filter "ip"; v6 filter "ip6 and (tcp or (icmp6 and
 * ip6[40] < 128))": TCP and ICMPv6 errors, without the neighbour discovery, MLD and router
 * solicitations whose number and timing vary). The client namespace runs scripts/netns-client.mjs
 * for ports 8080..8085, v4 then v6, N sequential attempts each. Its SYN retries are pinned
 * (tcp_syn_retries=1, and tcp_syn_linear_timeouts=0 where the kernel has it): an unanswered
 * attempt sends exactly one retransmission (SYN at 0 s and 1 s) and fails with ETIMEDOUT at 3 s.
 * The server's ICMP rate limits are off so that every rejected SYN gets its ICMP error.
 *
 * At the end, per file and per server port, the attempts are derived from the capture by the
 * tshark oracle (kit/tshark-oracle.ts: attempts, accepted, refused, icmp_rejected by reason,
 * unanswered, syn_retransmits, following docs/semantics.md), compared with what the client
 * reported, and compared with the design above. The counts are printed as pcaps/README.md's tables.
 *
 * Needs root and: ip, tcpdump, tshark, iptables, ip6tables. The iptables backend is chosen at run
 * time: the first of iptables/ip6tables, iptables-nft/ip6tables-nft, iptables-legacy/ip6tables-legacy
 * that accepts every rule in the fresh namespace. Everything the script creates (namespaces, veth,
 * processes, temporary directory) is removed on exit, also on failure, Ctrl-C or SIGTERM.
 * Namespaces left by a run killed with SIGKILL (owner PID gone, no process inside) are removed at
 * the next start.
 *
 * Exit codes:
 *   0   captures written; capture, client and design agree
 *   1   unexpected failure (a setup command failed, tcpdump or the server did not start, ...)
 *   2   usage error, not root, or a required tool is missing
 *   3   the client's outcomes disagree with the counts derived from the capture
 *   4   capture and client agree, but some port did not behave as designed
 *   5   no iptables backend accepts the rules
 *   130 interrupted (SIGINT), 143 terminated (SIGTERM)
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetnsPair, requireRoot, type NetnsPair } from '../kit/netns.js';
import { oracleCounts, type Family } from '../kit/tshark-oracle.js';
import { collect, exitOf, sleep, stopChild, waitForLine } from '../kit/wait.js';
import { clientProblems, countsTable, designProblems, portRows, PORT_DESIGN, type ClientConnect } from './netns-refusals.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const CLIENT_JS = join(ROOT, 'scripts/netns-client.mjs');
const TOOLS = ['ip', 'tcpdump', 'tshark', 'iptables', 'ip6tables'];
const FAMILIES = [4, 6] as const;
/** Safety bound only: the kernel ends every attempt well before it. */
const CONNECT_TIMEOUT_MS = 10_000;
const FILTERS: Record<Family, string> = { 4: 'ip', 6: 'ip6 and (tcp or (icmp6 and ip6[40] < 128))' };
const BACKENDS = [
  ['iptables', 'ip6tables'],
  ['iptables-nft', 'ip6tables-nft'],
  ['iptables-legacy', 'ip6tables-legacy'],
] as const;

/** A documented exit: its status, the message, and what to print before it. */
class Exit extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details = '',
  ) {
    super(message);
  }
}

const log = (line: string) => process.stderr.write(`record-netns: ${line}\n`);
const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** What a run has made and must remove on any exit. */
interface Made {
  net?: NetnsPair;
  work?: string;
  tmpFiles: string[];
}

/** Removes what the run made; idempotent, never throws. */
function cleanUp(made: Made): void {
  made.net?.destroy(); // kills what runs inside, deletes the namespaces (the veth goes with them)
  if (made.work) rmSync(made.work, { recursive: true, force: true });
  for (const f of made.tmpFiles) rmSync(f, { force: true });
}

interface Options {
  out: string;
  count: number;
}

/** This file's leading comment, as plain text: the help. */
function helpText(): string {
  return readFileSync(SELF, 'utf8')
    .split('*/')[0]
    .replace(/^\/\*\*\n|^ \* ?/gm, '')
    .trimEnd()
    .concat('\n');
}

/** The options, or null for --help (printed); throws Exit(2) on a usage error. */
function parseArgs(args: readonly string[]): Options | null {
  let out = join(ROOT, 'pcaps');
  let count = '3';
  for (let i = 0; i < args.length; i++) {
    const joined = /^(--[a-z]+)=(.*)$/s.exec(args[i]); // --out=DIR, --count=N
    const [flag, inline] = joined ? [joined[1], joined[2]] : [args[i], undefined];
    const value = (what: string) => {
      if (inline !== undefined) return inline;
      if (i + 1 >= args.length) throw new Exit(2, `${flag} needs ${what} (try -h)`);
      return args[++i];
    };
    if (flag === '-h' || flag === '--help') {
      process.stdout.write(helpText());
      return null;
    } else if (flag === '--out') out = value('a directory');
    else if (flag === '--count') count = value('a number');
    else throw new Exit(2, `unknown argument '${args[i]}' (try -h)`);
  }
  if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > 20) throw new Exit(2, `--count must be 1..20, got '${count}'`);
  if (out === '') throw new Exit(2, '--out must not be empty');
  return { out: resolve(out), count: Number(count) };
}

/** Throws Exit(2) when not root or a tool is missing. */
function checkPrerequisites(): void {
  try {
    requireRoot('scripts/record-netns.ts');
  } catch (err) {
    throw new Exit(2, (err as Error).message);
  }
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length > 0) throw new Exit(2, `missing tools: ${missing.join(' ')} (Debian: apt-get install -y iproute2 tcpdump tshark iptables)`);
  if (!existsSync(CLIENT_JS)) throw new Exit(2, `missing ${CLIENT_JS}`);
}

/** Puts PORT_DESIGN's INPUT rules in with the first backend that takes them all; throws Exit(5) if none does. */
function setUpFirewall(net: NetnsPair): string {
  const errors: string[] = [];
  const addRule = (ipt: string, family: Family, port: number, target: string[]) => {
    const r = net.exec(net.server, ipt, ['-A', 'INPUT', '-i', net.serverIf, '-p', 'tcp', '--dport', String(port), '-j', ...target], { allowFail: true });
    if (r.status !== 0) errors.push(`${ipt}: ${r.stderr.trim() || `status ${r.status}`}`);
    return r.status === 0;
  };
  for (const pair of BACKENDS) {
    if (!pair.every(onPath)) continue;
    const ok = FAMILIES.every((family) => PORT_DESIGN.every((d) => d.target === null || addRule(pair[family === 4 ? 0 : 1], family, d.port, d.target(family))));
    if (ok) return `${pair.join(' ')} (${net.exec(net.server, pair[0], ['-V'], { allowFail: true }).stdout.trim() || '?'})`;
    for (const ipt of pair) net.exec(net.server, ipt, ['-F', 'INPUT'], { allowFail: true });
  }
  throw new Exit(5, 'no iptables backend (default, nft, legacy) accepts the REJECT/DROP rules here; try: apt-get install -y iptables', errors.join('\n'));
}

/** Spawns `cmd args` in `ns` in its own process group (a Ctrl-C reaches only this script, which ends it). */
function spawnIn(net: NetnsPair, ns: string, cmd: string, args: readonly string[]): ChildProcess {
  return net.spawn(ns, cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A tcpdump writing one family's capture, and its stderr so far. */
interface Dump {
  family: Family;
  file: string;
  child: ChildProcess;
  stderr: () => string;
}

/** Starts both captures on the server's veth end and waits until they capture. */
async function startCaptures(net: NetnsPair, work: string): Promise<Dump[]> {
  const dumps = FAMILIES.map((family) => {
    const file = join(work, `v${family}.pcap`);
    const child = spawnIn(net, net.server, 'tcpdump', ['-Z', 'root', '-i', net.serverIf, '-nn', '-U', '--immediate-mode', '-w', file, FILTERS[family]]);
    return { family, file, child, stderr: collect(child, 'stderr') };
  });
  await Promise.all(dumps.map((d) => waitForLine(d.child, 'stderr', /listening on/, `tcpdump (v${d.family})`)));
  return dumps;
}

/** Stops a capture with SIGINT; throws unless tcpdump ended by itself, cleanly, having dropped nothing. */
async function stopCapture(d: Dump): Promise<void> {
  const end = await stopChild(d.child, 'SIGINT', 5000);
  if (end.killed) throw new Error(`tcpdump (v${d.family}) did not stop within 5 s of SIGINT`);
  if (end.code !== 0) throw new Error(`tcpdump (v${d.family}) failed (${end.code ?? end.signal}): ${d.stderr()}`);
  if (!/^0 packets dropped by kernel/m.test(d.stderr())) throw new Error(`tcpdump (v${d.family}) dropped packets: ${d.stderr()}`);
}

/** Runs netns-client.mjs connect for every port of PORT_DESIGN, v4 then v6, and returns its reports. */
async function runClients(net: NetnsPair, count: number): Promise<ClientConnect[]> {
  const reports: ClientConnect[] = [];
  for (const family of FAMILIES) {
    const host = family === 4 ? net.addr.server4 : net.addr.server6;
    for (const { port } of PORT_DESIGN) {
      log(`v${family} port ${port}: ${count} attempt(s)`);
      const child = spawnIn(net, net.client, process.execPath, [CLIENT_JS, 'connect', host, String(port), String(count), String(CONNECT_TIMEOUT_MS)]);
      const [out, err] = [collect(child, 'stdout'), collect(child, 'stderr')];
      const end = await exitOf(child, count * (CONNECT_TIMEOUT_MS + 1000) + 5000);
      if (end.code !== 0)
        throw new Error(`the client failed on v${family} port ${port} (${end.killed ? 'killed: too slow' : (end.code ?? end.signal)}): ${err()}`);
      for (const line of out().split('\n')) if (line.trim()) reports.push({ family, ...(JSON.parse(line) as Omit<ClientConnect, 'family'>) });
    }
  }
  return reports;
}

/** Makes the traffic and records it: the capture files, and what the client reported. */
async function recordTraffic(net: NetnsPair, work: string, count: number): Promise<{ dumps: Dump[]; client: ClientConnect[] }> {
  log(`firewall: ${setUpFirewall(net)}`);
  const lifetimeMs = count * PORT_DESIGN.length * FAMILIES.length * CONNECT_TIMEOUT_MS + 60_000;
  const listen = PORT_DESIGN.filter((d) => d.listen).map((d) => d.port);
  const server = spawnIn(net, net.server, process.execPath, [CLIENT_JS, 'serve', listen.join(','), String(lifetimeMs)]);
  await waitForLine(server, 'stdout', /"listening"/, 'the server');
  const dumps = await startCaptures(net, work);
  await sleep(200);
  const client = await runClients(net, count);
  await sleep(1000);
  for (const d of dumps) await stopCapture(d);
  await stopChild(server, 'SIGTERM', 3000);
  return { dumps, client };
}

/** Derives the counts of each capture, prints them, and returns the problems found. */
function checkCaptures(dumps: readonly Dump[], client: readonly ClientConnect[], count: number): { client: string[]; design: string[] } {
  const problems = { client: [] as string[], design: [] as string[] };
  for (const d of dumps) {
    const result = oracleCounts(d.file);
    const rows = portRows(result);
    const packets = tcpdumpLines(d.file).length;
    process.stdout.write(`\nnetns-refusals-v${d.family}.pcap (${packets} packets; counts from tshark, kit/tshark-oracle.ts)\n${countsTable(rows)}\n`);
    const connects = client.filter((c) => c.family === d.family);
    problems.client.push(...clientProblems(d.family, result.attemptList, connects));
    problems.design.push(...designProblems(d.family, rows, count));
  }
  process.stdout.write('\n');
  return problems;
}

/** The lines `tcpdump -nn -r` prints for `file`: one per packet. */
function tcpdumpLines(file: string): string[] {
  const r = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

/** Copies the captures into `out`, each through a temporary file renamed over the old one. */
function writeCaptures(dumps: readonly Dump[], out: string, made: Made): void {
  mkdirSync(out, { recursive: true });
  for (const d of dumps) {
    const dest = join(out, `netns-refusals-v${d.family}.pcap`);
    const tmp = `${dest}.tmp.${process.pid}`;
    made.tmpFiles.push(tmp);
    copyFileSync(d.file, tmp);
    chmodSync(tmp, 0o644);
    renameSync(tmp, dest);
    process.stdout.write(`wrote ${dest} (${statSync(dest).size} bytes)\n`);
  }
}

/** Records, checks and writes; returns the exit status (or throws Exit). */
async function record(options: Options, made: Made): Promise<number> {
  checkPrerequisites();
  made.net = createNetnsPair({ tag: 'rec', subnet: '52' });
  log(`namespaces: ${made.net.client} ${made.net.server}`);
  made.work = mkdtempSync(join(tmpdir(), `rw-rec-netns-${process.pid}-`));
  const { dumps, client } = await recordTraffic(made.net, made.work, options.count);
  const problems = checkCaptures(dumps, client, options.count);
  const [status, kind] = problems.client.length > 0 ? [3, 'MISMATCH'] : problems.design.length > 0 ? [4, 'UNEXPECTED'] : [0, ''];
  if (status !== 0) {
    for (const p of status === 3 ? problems.client : problems.design) log(`${kind} ${p}`);
    for (const d of dumps) log(`first packets of the v${d.family} capture:\n${tcpdumpLines(d.file).slice(0, 60).join('\n')}`);
    log(`client report:\n${client.map((c) => JSON.stringify(c)).join('\n')}`);
    throw new Exit(status, status === 3 ? 'the client and the capture disagree; nothing written' : 'some ports did not behave as designed; nothing written');
  }
  writeCaptures(dumps, options.out, made);
  return 0;
}

async function main(args: readonly string[]): Promise<number> {
  const made: Made = { tmpFiles: [] };
  const interrupted = (status: number) => () => {
    cleanUp(made);
    process.exit(status);
  };
  process.on('SIGINT', interrupted(130));
  process.on('SIGTERM', interrupted(143));
  try {
    const options = parseArgs(args);
    return options === null ? 0 : await record(options, made);
  } catch (err) {
    if (!(err instanceof Exit)) {
      log((err as Error).message);
      return 1;
    }
    if (err.details) process.stderr.write(`${err.details}\n`);
    log(err.message);
    return err.status;
  } finally {
    cleanUp(made);
  }
}

process.exitCode = await main(process.argv.slice(2));
