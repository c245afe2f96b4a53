/**
 * The cause classifier of issue 5: why an inbound attempt failed, decided from the kernel state
 * of the namespace at the time of the attempt. Pure: the caller gives the attempt and a
 * snapshot's facts; the result is a cause and the evidence that decided it. Whenever the evidence
 * does not decide, the cause is `unknown`: it never guesses.
 */
import { parseAddress } from '../net/address.js';
import type { Listener } from '../kernel/listeners.js';
import type { SocketOwner } from '../kernel/sockets-to-processes.js';

/** How the attempt failed. */
export type FailureOutcome = 'refused' | 'icmp_rejected' | 'unanswered' | 'early_reset';

/** Causes, as the `cause` label values. */
export const CAUSES = [
  'no_listener',
  'wrong_bind',
  'firewall_reset',
  'middlebox',
  'firewall_icmp',
  'backlog_overflow',
  'fd_exhaustion',
  'firewall_drop',
  'syn_flood',
  'unknown',
] as const;

/** One cause. */
export type Cause = (typeof CAUSES)[number];

/** What to do about each cause, in a line. */
export const REMEDIES: Readonly<Record<Cause, string>> = {
  no_listener: 'start the service, or check the port it listens on',
  wrong_bind: 'bind 0.0.0.0 and :: (or a dual-stack ::, IPV6_V6ONLY off), or the address clients use',
  firewall_reset: 'review the REJECT --reject-with tcp-reset rule in front of the port (iptables -S, nft list ruleset)',
  middlebox: 'the RST was forged on the path: find the middlebox (IPS, load balancer, censor) that resets; rstwatch replay --json lists the evidence',
  firewall_icmp: 'review the REJECT rule (or the router) answering with ICMP unreachable (iptables -S, nft list ruleset)',
  backlog_overflow: 'make the service accept faster, or raise its listen backlog and net.core.somaxconn',
  fd_exhaustion: 'raise its open-files limit (LimitNOFILE=, ulimit -n) or find the descriptor leak',
  firewall_drop: 'review the DROP rule in front of the port (iptables -S, nft list ruleset)',
  syn_flood: 'enable SYN cookies (net.ipv4.tcp_syncookies=1) and raise net.ipv4.tcp_max_syn_backlog; find the source of the SYNs',
  unknown: 'the kernel state did not decide: see the evidence, and rstwatch diagnose --port on the port',
};

/** What the classifier needs to know of one failed attempt and the kernel state around it. */
export interface FailureFacts {
  outcome: FailureOutcome;
  /** The SYN's destination address (text) and port: the server side, local to rstwatch. */
  serverAddress: string;
  port: number;
  /** The refusing RST was found suspect (detect/). */
  suspect: boolean;
  /**
   * LISTEN sockets of the namespace (all ports) at the last read before the attempt; null when
   * they could not be read.
   */
  listeners: readonly Listener[] | null;
  /**
   * The same at the first read after the attempt, when there is one. When the port's listeners
   * differ between the two reads (a service starting or stopping), bindings do not decide; a
   * queue found full in either read counts as full.
   */
  listenersAfter?: readonly Listener[] | null;
  /** Listener inode -> owning processes; absent inodes: unknown owner. */
  owners: ReadonlyMap<number, readonly SocketOwner[]>;
  /** Some processes' descriptors could not be read: an unknown owner may be one of them. */
  ownersUnreadable?: boolean;
  /** TcpExt ListenOverflows rose around the attempt (since the snapshot before); undefined: not known (no read after it). */
  listenOverflowsRising: boolean | undefined;
  /** SYN cookies were sent, or SYNs dropped for a full SYN queue, around the attempt; undefined: not known. */
  synQueueOverflowing: boolean | undefined;
  /**
   * Whether listeners on other ports had connections queued, or a full queue, in either read.
   * Computed from `listeners` and `listenersAfter` when absent; a caller that indexes the reads
   * gives it (and may then give only the port's own listeners).
   */
  otherPorts?: { queued: boolean; full: boolean };
}

/** The decision and what decided it. */
export interface Classification {
  cause: Cause;
  /** One line a person reads: the facts that decided. */
  evidence: string;
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/** True when a SYN to `dst` (text) reaches `l` by its bound address and family. */
function bindTakes(l: Listener, dst: string, dstIsV4: boolean): boolean | undefined {
  if (l.family === 4) return dstIsV4 && (l.address === '0.0.0.0' || l.address === dst);
  if (l.address === '::') return dstIsV4 ? (l.v6only === undefined ? undefined : !l.v6only) : true;
  // An IPv4-mapped bind (::ffff:a.b.c.d) reads as the dotted quad, family 6.
  if (dstIsV4) return l.address === dst || l.address === `::ffff:${dst}`;
  const a = parseAddress(l.address);
  const b = parseAddress(dst);
  return a !== null && b !== null && a.every((w, i) => w === b[i]);
}

/** True when the listener's accept queue is full (the kernel holds backlog + 1); undefined when the backlog is unknown. */
export function queueFull(l: Listener): boolean | undefined {
  if (l.backlog === null) return undefined;
  return l.acceptQueue > l.backlog;
}

/** Full in either read (the same socket, by inode); unknown only when neither read tells. */
function queueFullEither(l: Listener, after: readonly Listener[] | null | undefined): boolean | undefined {
  const a = queueFull(l);
  const other = after?.find((x) => x.inode === l.inode && x.port === l.port);
  const b = other === undefined ? undefined : queueFull(other);
  if (a === true || b === true) return true;
  return a === undefined && b === undefined ? undefined : false;
}

/** No listeners (shared: a scan's failures, on ports nobody listens on, allocate no list). */
const NONE: readonly Listener[] = Object.freeze([]);

/** The listeners of `ls` on `port` (`ls` itself when all are: callers often give only the port's own). */
function onPortOf(ls: readonly Listener[], port: number): readonly Listener[] {
  if (ls.length === 0) return NONE;
  return ls.every((l) => l.port === port) ? ls : ls.filter((l) => l.port === port);
}

/** The port's listeners as comparable text: family and address (what a read always tells). */
function bindings(ls: readonly Listener[], port: number): string {
  if (ls.length === 0) return '';
  return ls
    .filter((l) => l.port === port)
    .map((l) => `${l.family === 6 ? `[${l.address}]` : l.address}:${port}`)
    .sort()
    .join(', ');
}

/** True when a socket's IPV6_V6ONLY reads differently in the two reads (both known). */
function v6onlyChanged(before: readonly Listener[], after: readonly Listener[], port: number): boolean {
  return before.some(
    (b) =>
      b.port === port && b.v6only !== undefined && after.some((a) => a.inode === b.inode && a.port === port && a.v6only !== undefined && a.v6only !== b.v6only),
  );
}

/** An owner at its open-files limit, if any. */
function ownerAtFdLimit(l: Listener, owners: ReadonlyMap<number, readonly SocketOwner[]>): SocketOwner | undefined {
  return (owners.get(l.inode) ?? []).find((o) => o.nofileSoft !== null && Number.isFinite(o.nofileSoft) && o.openFds >= o.nofileSoft);
}

/** Decides the cause of one failed inbound attempt; see the module comment. */
export function classifyFailure(f: FailureFacts): Classification {
  if (f.outcome === 'icmp_rejected')
    return { cause: 'firewall_icmp', evidence: 'an ICMP unreachable answered the SYN: a firewall rule (REJECT with ICMP) or a router' };
  if (f.outcome === 'refused' && f.suspect) return { cause: 'middlebox', evidence: 'the refusing RST did not come from the server stack (suspect reset)' };

  if (f.listeners === null) return { cause: 'unknown', evidence: 'the listening sockets could not be read at the time of the attempt' };
  if (f.listenersAfter) {
    const before = bindings(f.listeners, f.port);
    const after = bindings(f.listenersAfter, f.port);
    if (before !== after || v6onlyChanged(f.listeners, f.listenersAfter, f.port)) {
      return {
        cause: 'unknown',
        evidence: `the listeners on port ${f.port} changed around the attempt (before: ${before || 'none'}; after: ${after || 'none'}): the service was starting or stopping`,
      };
    }
  }
  const dstIsV4 = !f.serverAddress.includes(':');
  const onPort = onPortOf(f.listeners, f.port);
  const takers: Listener[] = [];
  let undecided = false;
  for (const l of onPort) {
    const t = bindTakes(l, f.serverAddress, dstIsV4);
    if (t === true) takers.push(l);
    else if (t === undefined) undecided = true;
  }
  if (takers.length === 0) return noListenerTakes(f, onPort, undecided, dstIsV4);
  return listenerTakes(f, f.listeners, takers);
}

/** No listener on the port takes this SYN: none there, or bound elsewhere. */
function noListenerTakes(f: FailureFacts, onPort: readonly Listener[], undecided: boolean, dstIsV4: boolean): Classification {
  if (undecided)
    return { cause: 'unknown', evidence: `port ${f.port}: a [::] listener whose IPV6_V6ONLY could not be read; an IPv4 SYN may or may not reach it` };
  if (onPort.length === 0) {
    if (f.outcome === 'refused') return { cause: 'no_listener', evidence: `nothing listens on port ${f.port}` };
    return { cause: 'unknown', evidence: `nothing listens on port ${f.port}, yet no RST came: a firewall dropped the SYN, or it never reached this host` };
  }
  const where = onPort.map((l) => `${l.family === 6 ? `[${l.address}]` : l.address}:${l.port}${l.v6only ? ' (IPv6 only)' : ''}`).join(', ');
  const why =
    onPort.some((l) => isLoopback(l.address)) && !isLoopback(f.serverAddress)
      ? 'bound to loopback'
      : onPort.some((l) => l.v6only && dstIsV4)
        ? 'IPv6-only, the SYN was IPv4'
        : 'bound to another address';
  if (f.outcome === 'refused')
    return { cause: 'wrong_bind', evidence: `listeners on port ${f.port} cannot take a SYN to ${f.serverAddress} (${why}): ${where}` };
  return { cause: 'unknown', evidence: `listeners on port ${f.port} cannot take a SYN to ${f.serverAddress} (${why}), yet no RST came` };
}

/** A listener (`takers`) takes this SYN: a firewall, a full queue, its owner's limit, a SYN flood, or unknown. */
function listenerTakes(f: FailureFacts, listeners: readonly Listener[], takers: readonly Listener[]): Classification {
  const full = takers.map((l) => queueFullEither(l, f.listenersAfter));
  const anyFull = full.some((x) => x === true);
  const allKnown = full.every((x) => x !== undefined);
  if (f.outcome === 'refused') {
    if (allKnown && !anyFull)
      return {
        cause: 'firewall_reset',
        evidence: `a listener on port ${f.port} would take the SYN and its queue has room, yet a RST came: a REJECT --reject-with tcp-reset rule`,
      };
    return { cause: 'unknown', evidence: `a listener on port ${f.port} would take the SYN; its queue fill ${allKnown ? 'is full' : 'could not be read'}` };
  }
  // ListenOverflows is counted for the whole namespace. Without a full queue seen on this port it
  // points here only when this port had connections queued and no other port had; a full queue
  // seen on another port explains it there; otherwise it cannot be placed.
  const all = [...listeners, ...(f.listenersAfter ?? [])];
  const queuedHere = all.some((l) => l.port === f.port && l.acceptQueue > 0);
  let others = f.otherPorts;
  if (others === undefined) {
    const elsewhere = all.filter((l) => l.port !== f.port);
    others = { queued: elsewhere.some((l) => l.acceptQueue > 0), full: elsewhere.some((l) => queueFull(l) === true) };
  }
  if (anyFull || (f.listenOverflowsRising === true && queuedHere && !others.queued)) return queueOverflow(f, takers);
  if (f.listenOverflowsRising === true && !others.full) {
    return {
      cause: 'unknown',
      evidence: `ListenOverflows rose, but no full accept queue was seen (port ${f.port}'s included) to say which listener overflowed`,
    };
  }
  if (f.synQueueOverflowing === true)
    return { cause: 'syn_flood', evidence: 'the SYN queue overflows (SYN cookies sent or SYNs dropped for a full SYN queue)' };
  if (f.listenOverflowsRising === undefined || f.synQueueOverflowing === undefined) {
    return {
      cause: 'unknown',
      evidence: `a listener on port ${f.port} would take the SYN and its queue had room, but no kernel read after the attempt shows whether an overflow counter rose`,
    };
  }
  if (f.outcome === 'unanswered' && allKnown)
    return { cause: 'firewall_drop', evidence: `a listener on port ${f.port} would take the SYN and its queue has room, yet nothing answered: a DROP rule` };
  return {
    cause: 'unknown',
    evidence: `a listener on port ${f.port} would take the SYN; the kernel state does not say why it ${f.outcome === 'early_reset' ? 'reset' : 'went unanswered'}`,
  };
}

/** The accept queue of a listener that takes the SYN overflowed: its owner at its open-files limit, or the backlog. */
function queueOverflow(f: FailureFacts, takers: readonly Listener[]): Classification {
  for (const l of takers) {
    const o = ownerAtFdLimit(l, f.owners);
    if (o)
      return {
        cause: 'fd_exhaustion',
        evidence: `${o.comm} (pid ${o.pid}) holds ${o.openFds} open files of its limit ${o.nofileSoft}: it cannot accept, so port ${f.port}'s queue stays full`,
      };
  }
  const seen = takers.flatMap((l) => [l, ...(f.listenersAfter ?? []).filter((x) => x.inode === l.inode && x.port === l.port)]);
  const l = seen.find((x) => queueFull(x) === true) ?? seen[0];
  const unseen = f.ownersUnreadable === true && takers.some((t) => (f.owners.get(t.inode) ?? []).length === 0);
  return {
    cause: 'backlog_overflow',
    evidence: `port ${f.port}: accept queue ${l.acceptQueue} of backlog ${l.backlog ?? '?'}${f.listenOverflowsRising ? ', ListenOverflows rising' : ''}${
      unseen
        ? "; the listener's process could not be read (not the same user, no CAP_SYS_PTRACE), so an open-files limit (fd_exhaustion) could not be told"
        : ''
    }`,
  };
}
