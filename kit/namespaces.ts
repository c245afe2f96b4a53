/**
 * What the namespace pair (netns.ts) and the chain (netns-chain.ts) share: bounded commands, the
 * root check, a set of namespaces that owns what runs inside them and removes them all on
 * `destroy()`, veth links with their addresses, the sysctls every topology sets, and the removal
 * of namespaces left by test processes that died.
 *
 * Every command is bounded in time (`timeoutMs`, default 10 s). IPv6 addresses are added `nodad`
 * (usable at once). Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): call `requireRoot` first.
 */
import { spawn as spawnChild, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

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
    throw new Error(
      `${cmd} ${args.join(' ')} failed (status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ''}): ${result.stderr.trim()}`,
    );
  }
  return result;
}

/** `ip -n ns ARGS`, bounded in time; throws on failure. */
export function ipIn(ns: string, ...args: string[]): ExecResult {
  return run('ip', ['-n', ns, ...args]);
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

/**
 * Deletes the namespaces whose name matches `pattern` (its first group: the owner's pid) when the
 * owner process is gone and no process is inside; returns their names.
 */
export function removeStale(pattern: RegExp): string[] {
  const removed: string[] = [];
  for (const line of run('ip', ['netns', 'list'], { allowFail: true }).stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = pattern.exec(name);
    if (!m || alive(Number(m[1])) || nsPids(name).length > 0) continue;
    run('ip', ['netns', 'del', name], { allowFail: true });
    removed.push(name);
  }
  return removed;
}

/** Throws unless `tag` is 1..6 of [a-z0-9] and `subnet` a hex group 1..ffff (the names and prefixes the topologies use). */
export function checkTagAndSubnet(tag: string, subnet: string): void {
  if (!/^[a-z0-9]{1,6}$/.test(tag)) throw new Error(`netns tag must be 1..6 of [a-z0-9], got '${tag}'`);
  if (!/^[0-9a-f]{1,4}$/.test(subnet) || subnet === '0') throw new Error(`netns subnet must be 1..ffff in hex, got '${subnet}'`);
}

/**
 * The namespaces of one topology and the processes started in them. `destroy()` kills what
 * `spawn` started and anything else left inside (all of it started by the topology's user), then
 * deletes the namespaces (their veth links go with them); it never throws and is idempotent.
 */
export class NamespaceSet {
  private readonly created: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  /** Creates namespace `ns` with `lo` up; it is deleted by `destroy()`. */
  add(ns: string): void {
    run('ip', ['netns', 'add', ns]);
    this.created.push(ns);
    ipIn(ns, 'link', 'set', 'lo', 'up');
  }

  /** Runs `cmd args` inside namespace `ns`, bounded in time; throws on failure unless allowFail. */
  readonly exec = (ns: string, cmd: string, args: readonly string[], o: ExecOptions = {}): ExecResult => run('ip', ['netns', 'exec', ns, cmd, ...args], o);

  /** Starts `cmd args` inside namespace `ns` (`ip netns exec`); `destroy` kills it if still running. */
  readonly spawn = (ns: string, cmd: string, args: readonly string[], o: SpawnOptions = {}): ChildProcess => {
    if (this.destroyed) throw new Error('spawn() after destroy()');
    const child = spawnChild('ip', ['netns', 'exec', ns, cmd, ...args], o);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  };

  /** Kills what was started inside, deletes the namespaces; never throws, idempotent. */
  readonly destroy = (): void => {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) killQuietly(child.pid);
    }
    for (const ns of this.created) {
      // Whatever still runs inside was started by this topology's user (through spawn or exec).
      for (const pid of nsPids(ns)) killQuietly(pid);
      run('ip', ['netns', 'del', ns], { allowFail: true });
    }
  };

  /** Runs `build`; when it throws, destroys what was made so far and rethrows. */
  build(build: () => void): void {
    try {
      build();
    } catch (err) {
      this.destroy();
      throw err;
    }
  }
}

/** One end of a veth link: its namespace, interface name and addresses (`a.b.c.d/len`, `x::y/len`). */
export interface LinkEnd {
  ns: string;
  dev: string;
  v4: string;
  v6: string;
}

/** Joins `a` and `b` with a veth pair, gives each end its addresses and brings it up. */
export function addVethLink(a: LinkEnd, b: LinkEnd): void {
  run('ip', ['link', 'add', 'name', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
  for (const end of [a, b]) addressUp(end);
}

/** Adds `end`'s IPv4 and IPv6 (`nodad`) addresses to its interface and brings it up. */
export function addressUp(end: LinkEnd): void {
  ipIn(end.ns, 'addr', 'add', end.v4, 'dev', end.dev);
  ipIn(end.ns, '-6', 'addr', 'add', end.v6, 'dev', end.dev, 'nodad');
  ipIn(end.ns, 'link', 'set', end.dev, 'up');
}

/** Turns ICMP rate limits off in `ns`: every rejected SYN gets its ICMP error. */
export function noIcmpRateLimit(set: NamespaceSet, ns: string): void {
  set.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0']);
}

/** How many SYN retransmissions wait a linear 1 s before the timeouts double (absent where the kernel only doubles). */
const SYN_LINEAR_TIMEOUTS = '/proc/sys/net/ipv4/tcp_syn_linear_timeouts';

/**
 * Pins the SYN retransmissions of `ns` (v4 and v6): `tcp_syn_retries=1`, and
 * `tcp_syn_linear_timeouts=0` where the kernel has it. An unanswered attempt sends its SYN at 0 s
 * and exactly once more at 1 s, then fails with ETIMEDOUT at 3 s.
 */
export function oneSynRetry(set: NamespaceSet, ns: string): void {
  set.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv4.tcp_syn_retries=1']);
  if (existsSync(SYN_LINEAR_TIMEOUTS)) set.exec(ns, 'sysctl', ['-q', '-w', 'net.ipv4.tcp_syn_linear_timeouts=0']);
}
