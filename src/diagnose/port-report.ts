/**
 * `rstwatch diagnose`: a one-shot report, per port, of the kernel state that decides whether a
 * connection to it can be accepted: who listens (address, family, IPv6-only), how full the accept
 * queue is against its backlog, which process owns the socket and how close it is to its
 * open-files limit; plus the namespace's listen counters and sysctls, what could not be seen, and
 * for each port the problem this state already shows, with its remedy in a line. It reads the
 * state once; it does not watch traffic (live failures and their causes are the daemon's).
 */
import { isLoopback, REMEDIES } from '../causes/classify.js';
import type { CausesReport } from '../causes/failure-causes.js';
import type { KernelStateSnapshot } from '../kernel/kernel-state.js';
import type { Listener } from '../kernel/listeners.js';

/** What the report says of one listener. */
export interface ListenerReport {
  address: string;
  family: 4 | 6;
  /** true / false, or null when it could not be told (see `v6only_source`). */
  v6only: boolean | null;
  v6only_source: string;
  accept_queue: number;
  backlog: number | null;
  queue_full: boolean | null;
  owners: { pid: number; comm: string; open_fds: number; nofile_soft: number | null; at_fd_limit: boolean }[];
}

/** What the state already shows on a port, and what to do. */
export interface Finding {
  /** A cause name as the daemon's `cause` label uses it, for the problems it can see statically. */
  cause: 'no_listener' | 'wrong_bind' | 'backlog_overflow' | 'fd_exhaustion' | 'none';
  evidence: string;
  remedy: string;
}

/** Failures of one outcome the daemon saw on a port, by cause. */
export interface FailureReport {
  outcome: string;
  count: number;
  /** Failures still waiting for the kernel read that decides them. */
  pending: number;
  causes: { cause: string; count: number; evidence: string; last_seen: string; remedy: string }[];
}

/** One port's section. */
export interface PortReport {
  port: number;
  listeners: ListenerReport[];
  /** What the state read now shows. */
  findings: Finding[];
  /** What the running daemon saw on the port since it started (empty when it saw nothing or was not asked). */
  failures: FailureReport[];
}

/** Whom `rstwatch diagnose` asked for the failures and their causes, and what came of it. */
export interface DaemonAnswer {
  url: string;
  /** The daemon's report, or null with `error` when it did not answer. */
  report: CausesReport | null;
  error?: string;
}

/** The whole report (`--json` prints it). */
export interface DiagnoseReport {
  taken_at: string;
  /** The daemon asked (null with --no-daemon), whether it answered, and when it last read the kernel state. */
  daemon: { url: string; answered: boolean; error: string | null; last_read: string | null } | null;
  ports: PortReport[];
  kernel: {
    listen_overflows: number | null;
    listen_drops: number | null;
    syncookies_sent: number | null;
    somaxconn: number | null;
    tcp_max_syn_backlog: number | null;
    tcp_abort_on_overflow: number | null;
    syncookies: number | null;
  };
  /** What could not be seen, each in a sentence. */
  not_seen: string[];
}

function listenerReport(l: Listener, s: KernelStateSnapshot): ListenerReport {
  return {
    address: l.address,
    family: l.family,
    v6only: l.v6only ?? null,
    v6only_source: l.v6onlySource,
    accept_queue: l.acceptQueue,
    backlog: l.backlog,
    queue_full: l.backlog === null ? null : l.acceptQueue > l.backlog,
    owners: (s.owners.get(l.inode) ?? []).map((o) => ({
      pid: o.pid,
      comm: o.comm,
      open_fds: o.openFds,
      nofile_soft: o.nofileSoft === null || Number.isFinite(o.nofileSoft) ? o.nofileSoft : null,
      at_fd_limit: o.nofileSoft !== null && Number.isFinite(o.nofileSoft) && o.openFds >= o.nofileSoft,
    })),
  };
}

function findingsFor(port: number, ls: ListenerReport[]): Finding[] {
  if (ls.length === 0) {
    return [{ cause: 'no_listener', evidence: `nothing listens on port ${port}`, remedy: REMEDIES.no_listener }];
  }
  const out: Finding[] = [];
  if (ls.every((l) => isLoopback(l.address))) {
    out.push({
      cause: 'wrong_bind',
      evidence: `port ${port} listens on loopback only (${ls.map((l) => l.address).join(', ')}): connections to any other address are refused`,
      remedy: REMEDIES.wrong_bind,
    });
  }
  if (ls.every((l) => l.family === 6 && l.v6only === true)) {
    out.push({ cause: 'wrong_bind', evidence: `port ${port} listens on IPv6 only: IPv4 connections are refused`, remedy: REMEDIES.wrong_bind });
  }
  for (const l of ls) {
    const atLimit = l.owners.find((o) => o.at_fd_limit);
    if (atLimit) {
      out.push({
        cause: 'fd_exhaustion',
        evidence: `${atLimit.comm} (pid ${atLimit.pid}) holds ${atLimit.open_fds} open files of its limit ${atLimit.nofile_soft}: it cannot accept on ${l.address}:${port}`,
        remedy: REMEDIES.fd_exhaustion,
      });
    } else if (l.queue_full === true) {
      out.push({
        cause: 'backlog_overflow',
        evidence: `the accept queue of ${l.address}:${port} is full (${l.accept_queue} of backlog ${l.backlog}): new connections are dropped, or reset with tcp_abort_on_overflow=1`,
        remedy: REMEDIES.backlog_overflow,
      });
    }
  }
  if (out.length === 0)
    out.push({
      cause: 'none',
      evidence: `port ${port} has a listener with room; failures there come from elsewhere (a firewall, the network)`,
      remedy: 'watch it live: rstwatch live counts refusals, ICMP rejections and drops per port',
    });
  return out;
}

/** The daemon's failures on `port`, with a remedy per cause. */
function failuresOf(daemon: DaemonAnswer | undefined, port: number): FailureReport[] {
  const p = daemon?.report?.ports.find((x) => x.port === port);
  if (p === undefined) return [];
  return p.outcomes.map((o) => ({
    outcome: o.outcome,
    count: o.count,
    pending: o.pending,
    causes: o.causes.map((c) => ({ ...c, remedy: REMEDIES[c.cause] ?? '' })),
  }));
}

/** Default window of "recent" failures for `rstwatch diagnose` without --port, minutes. */
export const DEFAULT_RECENT_MINUTES = 15;

/**
 * Builds the report for `ports` from one snapshot and, when asked, the daemon's failures. With no
 * `ports`: the ports the daemon saw failures on in the last `recentMinutes`, or else every
 * listening port.
 */
export function buildDiagnoseReport(
  s: KernelStateSnapshot,
  ports: readonly number[],
  daemon?: DaemonAnswer,
  recentMinutes = DEFAULT_RECENT_MINUTES,
): DiagnoseReport {
  const since = s.takenAtMs - recentMinutes * 60_000;
  const failed = (daemon?.report?.ports ?? []).filter((p) => p.last_seen !== '' && Date.parse(p.last_seen) >= since).map((p) => p.port);
  const wanted = ports.length > 0 ? [...new Set(ports)] : failed.length > 0 ? [...new Set(failed)] : [...new Set(s.listeners.map((l) => l.port))];
  wanted.sort((a, b) => a - b);
  const notSeen: string[] = [];
  if (daemon !== undefined && daemon.report === null) {
    notSeen.push(
      `failures and their causes: no rstwatch daemon answered at ${daemon.url} (${daemon.error ?? 'no answer'}); run rstwatch live beside the service, or give its address with --daemon`,
    );
  }
  if (!s.sockDiag) notSeen.push('listen backlogs and IPV6_V6ONLY (sock_diag through `ss` was not available): queue fill and IPv6-only are unknown');
  if (s.unreadablePids.length > 0) {
    notSeen.push(
      `the descriptors of ${s.unreadablePids.length} processes (pids ${s.unreadablePids.slice(0, 10).join(', ')}${s.unreadablePids.length > 10 ? ', ...' : ''}): a listener may belong to one of them; run as root or with CAP_SYS_PTRACE to see owners and their limits`,
    );
  }
  if (s.ownersTruncated) notSeen.push('some processes: the owner scan hit its bounds');
  for (const e of s.errors) notSeen.push(`${e.what}: ${e.message}`);
  return {
    taken_at: new Date(s.takenAtMs).toISOString(),
    daemon:
      daemon === undefined
        ? null
        : { url: daemon.url, answered: daemon.report !== null, error: daemon.error ?? null, last_read: daemon.report?.last_read ?? null },
    ports: wanted.map((port) => {
      const ls = s.listeners.filter((l) => l.port === port).map((l) => listenerReport(l, s));
      return { port, listeners: ls, findings: findingsFor(port, ls), failures: failuresOf(daemon, port) };
    }),
    kernel: {
      listen_overflows: s.tcpExt?.listenOverflows ?? null,
      listen_drops: s.tcpExt?.listenDrops ?? null,
      syncookies_sent: s.tcpExt?.syncookiesSent ?? null,
      somaxconn: s.sysctls.somaxconn,
      tcp_max_syn_backlog: s.sysctls.tcpMaxSynBacklog,
      tcp_abort_on_overflow: s.sysctls.tcpAbortOnOverflow,
      syncookies: s.sysctls.tcpSyncookies,
    },
    not_seen: notSeen,
  };
}

/** The report as text a person reads. */
export function renderDiagnoseReport(r: DiagnoseReport): string {
  const out: string[] = [`rstwatch diagnose, ${r.taken_at}`];
  if (r.daemon?.answered) out.push(`failures from rstwatch live at ${r.daemon.url} (kernel state last read ${r.daemon.last_read ?? 'never'})`);
  out.push('');
  for (const p of r.ports) {
    out.push(`port ${p.port}`);
    if (p.listeners.length === 0) out.push('  no listener');
    for (const l of p.listeners) {
      const addr = l.family === 6 ? `[${l.address}]` : l.address;
      const v6 = l.family === 6 ? (l.v6only === null ? ', IPv6-only: unknown' : l.v6only ? ', IPv6 only' : ', dual stack') : '';
      const queue =
        l.backlog === null
          ? `accept queue ${l.accept_queue}, backlog unknown`
          : `accept queue ${l.accept_queue} of backlog ${l.backlog}${l.queue_full ? ' (FULL)' : ''}`;
      out.push(`  listener ${addr}:${p.port}${v6}; ${queue}`);
      for (const o of l.owners)
        out.push(`    owned by ${o.comm} (pid ${o.pid}), ${o.open_fds} open files of ${o.nofile_soft ?? 'unlimited'}${o.at_fd_limit ? ' (AT LIMIT)' : ''}`);
      if (l.owners.length === 0) out.push('    owner not seen');
    }
    for (const f of p.findings) out.push(`  => ${f.cause === 'none' ? 'no problem seen' : f.cause}: ${f.evidence}`, `     remedy: ${f.remedy}`);
    if (p.failures.length > 0) out.push('  failures seen by rstwatch live:');
    for (const f of p.failures) {
      out.push(
        `    ${f.outcome} ${f.count}${f.pending > 0 ? ` (${f.pending} not decided yet)` : ''}: ${f.causes.map((c) => `${c.cause} ${c.count}`).join(', ')}`,
      );
      for (const c of f.causes) out.push(`      ${c.cause}: ${c.evidence}`, `        remedy: ${c.remedy}`);
    }
    out.push('');
  }
  const k = r.kernel;
  out.push(
    `kernel: ListenOverflows ${k.listen_overflows ?? '?'}, ListenDrops ${k.listen_drops ?? '?'}, SyncookiesSent ${k.syncookies_sent ?? '?'}; somaxconn ${k.somaxconn ?? '?'}, tcp_max_syn_backlog ${k.tcp_max_syn_backlog ?? '?'}, tcp_abort_on_overflow ${k.tcp_abort_on_overflow ?? '?'}, tcp_syncookies ${k.syncookies ?? '?'}`,
  );
  for (const n of r.not_seen) out.push(`not seen: ${n}`);
  return `${out.join('\n')}\n`;
}
