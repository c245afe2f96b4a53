/**
 * A chain of network namespaces joined by veth pairs: a client, N routers and a server, for tests
 * and scripts that need real kernel traffic crossing routers (hop counts, TTLs, firewalls in the
 * forwarding path). Traffic never leaves the chain (benchmarking and documentation prefixes, no
 * route out). The two-namespace case without routers is kit/netns.ts (createNetnsPair).
 *
 * Topology for `routers: 3` (link k joins the k-th and (k+1)-th namespace of the chain):
 *
 *   client  --link 0--  r1  --link 1--  r2  --link 2--  r3  --link 3--  server
 *
 *   link k: west end 198.18.k.1/24 and 2001:db8:<subnet>:k::1/64 (towards the client),
 *           east end 198.18.k.2/24 and 2001:db8:<subnet>:k::2/64 (towards the server).
 *   In every namespace the interface towards the client is `rww0`, the one towards the server
 *   `rwe0`. The client is 198.18.0.1, the server 198.18.N.2; r_i's own addresses are
 *   198.18.(i-1).2 (west) and 198.18.i.1 (east).
 *
 * Routes: the client and the server have a default route to their neighbour; each router routes
 * every link west of it to its west neighbour and every link east of it to its east neighbour (v4
 * and v6), and forwards (net.ipv4.ip_forward=1, net.ipv6.conf.all.forwarding=1). A packet from the
 * server reaches the client with TTL 64 - N. Extra addresses (`addAddress`) on a router's `lo` are
 * reachable from both ends through the default routes (as a /32 or /128 of their own), and from
 * the other routers when added before `routeHost`.
 *
 * Namespaces are `rwn-<tag>-<role>-<pid>`, role c, r1..r9, s. IPv6 addresses are `nodad`, `lo` is
 * up everywhere, ICMP rate limits are off everywhere, the client's SYN retries are pinned to 1 (and
 * tcp_syn_linear_timeouts to 0 where the kernel has it).
 *
 * Every command is bounded in time (default 10 s). `destroy()` kills what `spawn` started and
 * anything else left inside the namespaces, then deletes them; it never throws and is idempotent.
 * Creating a chain first removes chains of this naming scheme whose owner process is gone and that
 * have no process inside. The mechanism is the pair's too (namespaces.ts). Needs root: call
 * `requireRoot` (namespaces.ts) first.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import {
  addVethLink,
  checkTagAndSubnet,
  ipIn as ip,
  NamespaceSet,
  noIcmpRateLimit,
  oneSynRetry,
  removeStale,
  type ExecOptions,
  type ExecResult,
} from './namespaces.js';

export type { ExecOptions, ExecResult } from './namespaces.js';

/** How to build a chain. */
export interface NetnsChainOptions {
  /** Short tag naming the user in the namespace names: 1..6 of [a-z0-9]. */
  tag: string;
  /** Routers between client and server, 0..9. */
  routers: number;
  /** Third group of the IPv6 prefix, 2001:db8:<subnet>::/48 (hex, 1..ffff; default 'cc'). */
  subnet?: string;
}

/** One namespace of the chain with its addresses. */
export interface ChainNode {
  /** Namespace name. */
  readonly ns: string;
  /** 'client', 'r1'..'r9' or 'server'. */
  readonly role: string;
  /** Its address on the link towards the client (null for the client). */
  readonly west4: string | null;
  readonly west6: string | null;
  /** Its address on the link towards the server (null for the server). */
  readonly east4: string | null;
  readonly east6: string | null;
}

/** A created chain. */
export interface NetnsChain {
  /** Client, routers, server, in path order. */
  readonly nodes: readonly ChainNode[];
  readonly client: ChainNode;
  readonly server: ChainNode;
  /** The routers, r1 (next to the client) first. */
  readonly routers: readonly ChainNode[];
  /** Runs `cmd args` inside namespace `ns`, bounded in time; throws on failure unless allowFail. */
  exec(ns: string, cmd: string, args: readonly string[], options?: ExecOptions): ExecResult;
  /** Starts `cmd args` inside namespace `ns`; `destroy` kills it if still running. */
  spawn(ns: string, cmd: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Adds `addr` (v4 or v6) to `lo` of `node` and routes it there from every other node. */
  addAddress(node: ChainNode, addr: string): void;
  /** The MAC address of interface `dev` in namespace `ns`. */
  mac(ns: string, dev: string): string;
  /** Kills what was started inside, deletes the namespaces; never throws, idempotent. */
  destroy(): void;
}

const NS_PATTERN = /^rwn-[a-z0-9]{1,6}-(?:c|s|r\d)-(\d+)$/;
/** The interface towards the client, in every namespace but the client's. */
export const WEST_IF = 'rww0';
/** The interface towards the server, in every namespace but the server's. */
export const EAST_IF = 'rwe0';

/** Deletes chain namespaces whose owner process is gone and that have no process inside. */
export function removeStaleChains(): string[] {
  return removeStale(NS_PATTERN);
}

/** Builds the chain described in the module comment; on any failure removes what it made and throws. */
export function createNetnsChain(options: NetnsChainOptions): NetnsChain {
  if (!Number.isInteger(options.routers) || options.routers < 0 || options.routers > 9) throw new Error(`routers must be 0..9, got ${options.routers}`);
  const subnet = options.subnet ?? 'cc';
  checkTagAndSubnet(options.tag, subnet);
  removeStaleChains();

  const n = options.routers;
  const roles = ['client', ...Array.from({ length: n }, (_, i) => `r${i + 1}`), 'server'];
  const v4 = (link: number, end: 1 | 2) => `198.18.${link}.${end}`;
  const v6 = (link: number, end: 1 | 2) => `2001:db8:${subnet}:${link}::${end}`;
  const nodes: ChainNode[] = roles.map((role, i) => ({
    ns: `rwn-${options.tag}-${role === 'client' ? 'c' : role === 'server' ? 's' : role}-${process.pid}`,
    role,
    west4: i === 0 ? null : v4(i - 1, 2),
    west6: i === 0 ? null : v6(i - 1, 2),
    east4: i === n + 1 ? null : v4(i, 1),
    east6: i === n + 1 ? null : v6(i, 1),
  }));
  const set = new NamespaceSet();
  const { exec } = set;

  set.build(() => {
    for (const node of nodes) set.add(node.ns);
    for (let k = 0; k <= n; k++) {
      addVethLink(
        { ns: nodes[k].ns, dev: EAST_IF, v4: `${v4(k, 1)}/24`, v6: `${v6(k, 1)}/64` },
        { ns: nodes[k + 1].ns, dev: WEST_IF, v4: `${v4(k, 2)}/24`, v6: `${v6(k, 2)}/64` },
      );
    }
    for (let i = 0; i <= n + 1; i++) {
      const ns = nodes[i].ns;
      noIcmpRateLimit(set, ns);
      if (i === 0) {
        ip(ns, 'route', 'add', 'default', 'via', v4(0, 2));
        ip(ns, '-6', 'route', 'add', 'default', 'via', v6(0, 2));
        oneSynRetry(set, ns);
      } else if (i === n + 1) {
        ip(ns, 'route', 'add', 'default', 'via', v4(n, 1));
        ip(ns, '-6', 'route', 'add', 'default', 'via', v6(n, 1));
      } else {
        exec(ns, 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
        // Links west of the west link go west, links east of the east link go east.
        for (let k = 0; k < i - 1; k++) {
          ip(ns, 'route', 'add', `198.18.${k}.0/24`, 'via', v4(i - 1, 1));
          ip(ns, '-6', 'route', 'add', `2001:db8:${subnet}:${k}::/64`, 'via', v6(i - 1, 1));
        }
        for (let k = i + 1; k <= n; k++) {
          ip(ns, 'route', 'add', `198.18.${k}.0/24`, 'via', v4(i, 2));
          ip(ns, '-6', 'route', 'add', `2001:db8:${subnet}:${k}::/64`, 'via', v6(i, 2));
        }
      }
    }
  });

  return {
    nodes,
    client: nodes[0],
    server: nodes[n + 1],
    routers: nodes.slice(1, n + 1),
    exec,
    spawn: set.spawn,
    addAddress(node, addr) {
      const six = addr.includes(':');
      const at = nodes.indexOf(node);
      if (at < 0) throw new Error(`addAddress: ${node.ns} is not in this chain`);
      ip(node.ns, ...(six ? ['-6'] : []), 'addr', 'add', `${addr}/${six ? 128 : 32}`, 'dev', 'lo', ...(six ? ['nodad'] : []));
      // Routers between the node and either end need a host route towards it; the ends use their default.
      nodes.forEach((other, j) => {
        if (j === at || j === 0 || j === n + 1) return;
        const via = j < at ? (six ? other.east6 : other.east4) : six ? other.west6 : other.west4;
        const gw = j < at ? (six ? v6(j, 2) : v4(j, 2)) : six ? v6(j - 1, 1) : v4(j - 1, 1);
        if (via !== null) ip(other.ns, ...(six ? ['-6'] : []), 'route', 'add', `${addr}/${six ? 128 : 32}`, 'via', gw);
      });
    },
    mac(ns, dev) {
      const info = JSON.parse(ip(ns, '-j', 'link', 'show', 'dev', dev).stdout) as { address: string }[];
      return info[0].address;
    },
    destroy: set.destroy,
  };
}
