/**
 * Two network namespaces joined by a veth pair, for tests that need real kernel traffic: a client
 * and a server side with IPv4 and IPv6 addresses, optionally a VLAN sub-interface on each end.
 * Traffic never leaves the pair (documentation prefixes, no route out).
 *
 * Usage (vitest):
 *
 *   import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
 *   let net: NetnsPair;
 *   beforeAll(() => { requireRoot('test/x/y.test.ts'); net = createNetnsPair({ tag: 'xy', vlan: true }); });
 *   afterAll(() => net?.destroy());
 *   ...
 *   net.exec(net.server, 'iptables', ['-A', 'INPUT', '-p', 'tcp', '--dport', '81', '-j', 'REJECT']);
 *   const child = net.spawn(net.server, process.execPath, ['server.mjs']);
 *
 * Topology (names are fixed inside the namespaces: the namespaces themselves are unique):
 *
 *   namespace rw-<tag>-c-<pid>                     namespace rw-<tag>-s-<pid>
 *     rwc0     198.51.100.1/24  2001:db8:<subnet>::1/64  <-veth->  rws0     .2 / ::2
 *     rwc0.100 203.0.113.1/24   2001:db8:<subnet>:100::1/64 (VLAN 100)  rws0.100 .2 / ::2
 *
 * VLAN sub-interfaces need a kernel with 802.1Q (CONFIG_VLAN_8021Q or the 8021q module); without
 * it `createNetnsPair({ vlan: true })` throws saying so. Tagged frames can still be put on the wire
 * by injecting them (see test/capture/fixtures/inject-child.mjs).
 *
 * IPv6 addresses are added `nodad` (usable at once). `lo` is up in both. The server side's ICMP
 * rate limits are off (every rejected SYN gets its ICMP error), and the client's SYN retries are
 * pinned to 1 (an unanswered attempt ends after about 3 s).
 *
 * Every command is bounded in time (`timeoutMs`, default 10 s). `destroy()` always cleans up:
 * it kills the processes started with `spawn` and anything else left inside the two namespaces
 * (all of it started by the test), then deletes the namespaces (the veth pair goes with them).
 * It never throws, and is safe to call twice. Creating a pair first removes namespaces of this
 * naming scheme left by test processes that died (owner PID gone, no process inside).
 *
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); `requireRoot` throws a clear message otherwise,
 * so that the test fails instead of skipping.
 */
import { spawn as spawnChild, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** How to create a pair. */
export interface NetnsPairOptions {
  /** Short tag naming the test file in the namespace names: 1..6 of [a-z0-9]. */
  tag: string;
  /** Also create VLAN 100 sub-interfaces (`rwc0.100`, `rws0.100`) with their own addresses. */
  vlan?: boolean;
  /** Third group of the IPv6 prefix, 2001:db8:<subnet>::/48 (hex, 1..ffff; default 'aa'). */
  subnet?: string;
}

/** What a bounded command did. */
export interface ExecResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `exec`. */
export interface ExecOptions {
  /** Kill the command after this many milliseconds (default 10000). */
  timeoutMs?: number;
  /** Return a failed result instead of throwing (default false). */
  allowFail?: boolean;
  /** Text to write to the command's standard input. */
  input?: string;
}

/** The addresses of a pair. */
export interface NetnsAddresses {
  client4: string;
  server4: string;
  client6: string;
  server6: string;
  /** On the VLAN sub-interfaces (present even without `vlan`, unused then). */
  clientVlan4: string;
  serverVlan4: string;
  clientVlan6: string;
  serverVlan6: string;
}

/** A created pair of namespaces. */
export interface NetnsPair {
  /** Client namespace name. */
  readonly client: string;
  /** Server namespace name. */
  readonly server: string;
  /** The veth end in the client namespace. */
  readonly clientIf: string;
  /** The veth end in the server namespace. */
  readonly serverIf: string;
  /** VLAN 100 sub-interface names (null without `vlan`). */
  readonly clientVlanIf: string | null;
  readonly serverVlanIf: string | null;
  /** The addresses on both sides. */
  readonly addr: NetnsAddresses;
  /** Runs `cmd args` inside namespace `ns`, bounded in time; throws on failure unless allowFail. */
  exec(ns: string, cmd: string, args: readonly string[], options?: ExecOptions): ExecResult;
  /** Starts `cmd args` inside namespace `ns` (`ip netns exec`); `destroy` kills it if still running. */
  spawn(ns: string, cmd: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Kills what was started inside, deletes both namespaces; never throws, idempotent. */
  destroy(): void;
}

const NS_PATTERN = /^rw-[a-z0-9]{1,6}-[cs]-(\d+)$/;

/** Throws a clear error when not root: live tests must fail, never skip, without privileges. */
export function requireRoot(testFile: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(
      `${testFile} must run as root: it creates network namespaces, veth pairs and firewall rules, and captures packets ` +
        '(CI runs the suite as root; run it with sudo)',
    );
  }
}

/** Runs a command to completion, bounded in time; throws on failure unless `allowFail`. */
export function run(cmd: string, args: readonly string[], options: ExecOptions = {}): ExecResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: options.timeoutMs ?? 10_000, input: options.input, killSignal: 'SIGKILL' });
  const result: ExecResult = { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
  if (!options.allowFail && (r.status !== 0 || r.error)) {
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ''}): ${result.stderr.trim()}`);
  }
  return result;
}

/** SIGKILLs `pid`; a process already gone is fine. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Pids of the processes inside namespace `ns`. */
export function nsPids(ns: string): number[] {
  const r = run('ip', ['netns', 'pids', ns], { allowFail: true });
  return r.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of this scheme whose owner process is gone and that have no process inside. */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = [];
  const list = run('ip', ['netns', 'list'], { allowFail: true }).stdout;
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = NS_PATTERN.exec(name ?? '');
    if (!m || alive(Number(m[1])) || nsPids(name).length > 0) continue;
    run('ip', ['netns', 'del', name], { allowFail: true });
    removed.push(name);
  }
  return removed;
}

/** Creates the pair described in the module comment; on any failure it removes what it made and throws. */
export function createNetnsPair(options: NetnsPairOptions): NetnsPair {
  if (!/^[a-z0-9]{1,6}$/.test(options.tag)) throw new Error(`netns tag must be 1..6 of [a-z0-9], got '${options.tag}'`);
  const subnet = options.subnet ?? 'aa';
  if (!/^[0-9a-f]{1,4}$/.test(subnet) || subnet === '0') throw new Error(`netns subnet must be 1..ffff in hex, got '${subnet}'`);
  removeStaleNamespaces();

  const client = `rw-${options.tag}-c-${process.pid}`;
  const server = `rw-${options.tag}-s-${process.pid}`;
  const clientIf = 'rwc0';
  const serverIf = 'rws0';
  const vlan = options.vlan === true;
  const addr: NetnsAddresses = {
    client4: '198.51.100.1',
    server4: '198.51.100.2',
    client6: `2001:db8:${subnet}::1`,
    server6: `2001:db8:${subnet}::2`,
    clientVlan4: '203.0.113.1',
    serverVlan4: '203.0.113.2',
    clientVlan6: `2001:db8:${subnet}:100::1`,
    serverVlan6: `2001:db8:${subnet}:100::2`,
  };
  const children = new Set<ChildProcess>();
  const created: string[] = [];
  let destroyed = false;

  const destroy = (): void => {
    if (destroyed) return;
    destroyed = true;
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) killQuietly(child.pid);
    }
    for (const ns of created) {
      // Whatever still runs inside was started by this test (through spawn or exec).
      for (const pid of nsPids(ns)) killQuietly(pid);
      run('ip', ['netns', 'del', ns], { allowFail: true });
    }
  };

  const exec = (ns: string, cmd: string, args: readonly string[], o: ExecOptions = {}): ExecResult =>
    run('ip', ['netns', 'exec', ns, cmd, ...args], o);

  try {
    for (const ns of [client, server]) {
      run('ip', ['netns', 'add', ns]);
      created.push(ns);
    }
    run('ip', ['link', 'add', 'name', clientIf, 'netns', client, 'type', 'veth', 'peer', 'name', serverIf, 'netns', server]);
    const sides: [string, string, string, string, string, string][] = [
      [client, clientIf, addr.client4, addr.client6, addr.clientVlan4, addr.clientVlan6],
      [server, serverIf, addr.server4, addr.server6, addr.serverVlan4, addr.serverVlan6],
    ];
    for (const [ns, dev, a4, a6, v4, v6] of sides) {
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${a4}/24`, 'dev', dev]);
      run('ip', ['-n', ns, '-6', 'addr', 'add', `${a6}/64`, 'dev', dev, 'nodad']);
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      if (vlan) {
        const sub = `${dev}.100`;
        const r = run('ip', ['-n', ns, 'link', 'add', 'link', dev, 'name', sub, 'type', 'vlan', 'id', '100'], { allowFail: true });
        if (r.status !== 0) {
          throw new Error(
            `cannot create VLAN sub-interface ${sub}: ${r.stderr.trim()}` +
              (/Unknown device type/.test(r.stderr) ? ' (this kernel has no 802.1Q support: CONFIG_VLAN_8021Q / the 8021q module)' : ''),
          );
        }
        run('ip', ['-n', ns, 'addr', 'add', `${v4}/24`, 'dev', sub]);
        run('ip', ['-n', ns, '-6', 'addr', 'add', `${v6}/64`, 'dev', sub, 'nodad']);
        run('ip', ['-n', ns, 'link', 'set', sub, 'up']);
      }
    }
    exec(server, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
    exec(client, 'sysctl', ['-q', '-w', 'net.ipv4.tcp_syn_retries=1']);
  } catch (err) {
    destroy();
    throw err;
  }

  return {
    client,
    server,
    clientIf,
    serverIf,
    clientVlanIf: vlan ? `${clientIf}.100` : null,
    serverVlanIf: vlan ? `${serverIf}.100` : null,
    addr,
    exec,
    spawn(ns, cmd, args, o = {}) {
      if (destroyed) throw new Error('spawn() after destroy()');
      const child = spawnChild('ip', ['netns', 'exec', ns, cmd, ...args], o);
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    destroy,
  };
}
