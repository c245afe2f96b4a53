/**
 * One snapshot of the kernel state the cause classifier needs: listeners, listen-path counters,
 * sysctls and the processes holding the listeners. Read by the daemon's timer (never per packet)
 * and once by `rstwatch diagnose`; a failure to read one part is recorded in `errors` and leaves
 * the others intact.
 */
import { readListeners, type Listener } from './listeners.js';
import { readTcpExtCounters, type TcpExtCounters } from './netstat.js';
import { readSysctls, type ListenSysctls } from './sysctl.js';
import { readSocketOwners, type SocketOwner } from './sockets-to-processes.js';

/** A part that could not be read, and why. */
export interface KernelStateError {
  /** `listeners`, `sock_diag`, `tcp_ext`, `sysctl <name>`, `owners`. */
  what: string;
  message: string;
}

/** The kernel state at one moment. */
export interface KernelStateSnapshot {
  /** Clock time the read started, milliseconds (the caller's clock). */
  takenAtMs: number;
  /**
   * Clock time the read ended, milliseconds: the state is what it was somewhere between the two.
   * Absent in snapshots made by hand (tests): `takenAtMs` stands for both.
   */
  doneAtMs?: number;
  /** LISTEN sockets of both families; empty when they could not be read (see errors). */
  listeners: Listener[];
  /** True when backlogs and v6only came from sock_diag (`ss`). */
  sockDiag: boolean;
  /** Listen-path counters; null when /proc/net/netstat could not be read. */
  tcpExt: TcpExtCounters | null;
  sysctls: ListenSysctls;
  /** Listener inode -> processes holding it (only listener inodes are looked up). */
  owners: Map<number, SocketOwner[]>;
  /** Processes whose descriptors could not be read: a listener may belong to one of them. */
  unreadablePids: number[];
  /** True when the owner scan hit its bounds. */
  ownersTruncated: boolean;
  errors: KernelStateError[];
}

/** Options of `readKernelState`. */
export interface ReadKernelStateOptions {
  /** Root of the proc filesystem (default '/proc'; tests point it at a fixture tree). */
  procRoot?: string;
  /** Clock in milliseconds, read when the read ends (default Date.now). */
  nowMs?: () => number;
  /** `ss` for sock_diag, or null for /proc only (default 'ss'). */
  ssPath?: string | null;
  /**
   * Listeners whose owning processes are looked up: 'all' (default), or 'queued', only those
   * with connections waiting in their accept queue (no scan at all when none has).
   */
  ownersOf?: 'all' | 'queued';
  /** Bounds of the owner scan. */
  maxProcesses?: number;
  maxFds?: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Reads every part once, now; never rejects. */
export async function readKernelState(options: ReadKernelStateOptions = {}, takenAtMs = Date.now()): Promise<KernelStateSnapshot> {
  const procRoot = options.procRoot ?? '/proc';
  const errors: KernelStateError[] = [];
  const [listenersRead, tcpExt, sysctls] = await Promise.all([
    readListeners(procRoot, { ssPath: options.ssPath }).catch((err: unknown) => {
      errors.push({ what: 'listeners', message: message(err) });
      return null;
    }),
    readTcpExtCounters(procRoot).catch((err: unknown) => {
      errors.push({ what: 'tcp_ext', message: message(err) });
      return null;
    }),
    readSysctls(procRoot),
  ]);
  if (listenersRead?.sockDiagError) errors.push({ what: 'sock_diag', message: listenersRead.sockDiagError });
  for (const e of sysctls.errors) errors.push({ what: `sysctl ${e.what}`, message: e.message });
  const listeners = listenersRead?.listeners ?? [];
  let owners = new Map<number, SocketOwner[]>();
  let unreadablePids: number[] = [];
  let ownersTruncated = false;
  try {
    const wanted = options.ownersOf === 'queued' ? listeners.filter((l) => l.acceptQueue > 0) : listeners;
    const r = await readSocketOwners(new Set(wanted.map((l) => l.inode).filter((i) => i > 0)), procRoot, {
      maxProcesses: options.maxProcesses,
      maxFds: options.maxFds,
    });
    owners = r.owners;
    unreadablePids = r.unreadablePids;
    ownersTruncated = r.truncated;
  } catch (err) {
    errors.push({ what: 'owners', message: message(err) });
  }
  const doneAtMs = Math.max(takenAtMs, (options.nowMs ?? Date.now)());
  return { takenAtMs, doneAtMs, listeners, sockDiag: listenersRead?.sockDiag ?? false, tcpExt, sysctls, owners, unreadablePids, ownersTruncated, errors };
}
