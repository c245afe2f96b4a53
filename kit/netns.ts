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
 * pinned to 1 with tcp_syn_linear_timeouts 0 where the kernel has it (an unanswered attempt sends
 * its SYN at 0 s and 1 s and fails at 3 s).
 *
 * Every command is bounded in time (`timeoutMs`, default 10 s). `destroy()` always cleans up:
 * it kills the processes started with `spawn` and anything else left inside the two namespaces
 * (all of it started by the test), then deletes the namespaces (the veth pair goes with them).
 * It never throws, and is safe to call twice. Creating a pair first removes namespaces of this
 * naming scheme left by test processes that died (owner PID gone, no process inside). The
 * mechanism is the chain's too (namespaces.ts).
 *
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN); `requireRoot` throws a clear message otherwise,
 * so that the test fails instead of skipping.
 */
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import {
  addressUp,
  addVethLink,
  checkTagAndSubnet,
  NamespaceSet,
  noIcmpRateLimit,
  oneSynRetry,
  removeStale,
  run,
  type ExecOptions,
  type ExecResult,
  type LinkEnd,
} from './namespaces.js';

export { requireRoot, type ExecOptions, type ExecResult } from './namespaces.js';

/** How to create a pair. */
export interface NetnsPairOptions {
  /** Short tag naming the test file in the namespace names: 1..6 of [a-z0-9]. */
  tag: string;
  /** Also create VLAN 100 sub-interfaces (`rwc0.100`, `rws0.100`) with their own addresses. */
  vlan?: boolean;
  /** Third group of the IPv6 prefix, 2001:db8:<subnet>::/48 (hex, 1..ffff; default 'aa'). */
  subnet?: string;
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

/** Deletes namespaces of this scheme whose owner process is gone and that have no process inside. */
export function removeStaleNamespaces(): string[] {
  return removeStale(NS_PATTERN);
}

/** Creates the pair described in the module comment; on any failure it removes what it made and throws. */
export function createNetnsPair(options: NetnsPairOptions): NetnsPair {
  const subnet = options.subnet ?? 'aa';
  checkTagAndSubnet(options.tag, subnet);
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
  const set = new NamespaceSet();
  set.build(() => {
    set.add(client);
    set.add(server);
    addVethLink(
      { ns: client, dev: clientIf, v4: `${addr.client4}/24`, v6: `${addr.client6}/64` },
      { ns: server, dev: serverIf, v4: `${addr.server4}/24`, v6: `${addr.server6}/64` },
    );
    if (vlan) {
      addVlan({ ns: client, dev: clientIf, v4: `${addr.clientVlan4}/24`, v6: `${addr.clientVlan6}/64` });
      addVlan({ ns: server, dev: serverIf, v4: `${addr.serverVlan4}/24`, v6: `${addr.serverVlan6}/64` });
    }
    noIcmpRateLimit(set, server);
    oneSynRetry(set, client);
  });

  return {
    client,
    server,
    clientIf,
    serverIf,
    clientVlanIf: vlan ? `${clientIf}.100` : null,
    serverVlanIf: vlan ? `${serverIf}.100` : null,
    addr,
    exec: set.exec,
    spawn: set.spawn,
    destroy: set.destroy,
  };
}

/** Adds VLAN 100 on `parent.dev` as `<dev>.100` with `parent`'s addresses (the VLAN ones), up. */
function addVlan(parent: LinkEnd): void {
  const sub = `${parent.dev}.100`;
  const r = run('ip', ['-n', parent.ns, 'link', 'add', 'link', parent.dev, 'name', sub, 'type', 'vlan', 'id', '100'], { allowFail: true });
  if (r.status !== 0) {
    throw new Error(
      `cannot create VLAN sub-interface ${sub}: ${r.stderr.trim()}` +
        (/Unknown device type/.test(r.stderr) ? ' (this kernel has no 802.1Q support: CONFIG_VLAN_8021Q / the 8021q module)' : ''),
    );
  }
  addressUp({ ns: parent.ns, dev: sub, v4: parent.v4, v6: parent.v6 });
}
