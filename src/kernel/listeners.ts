/**
 * The LISTEN sockets of both families, with their accept queues, and with backlog and IPV6_V6ONLY
 * when sock_diag (`ss`) answers: the two sources of ss-listeners.ts and proc-net-tcp.ts joined by
 * inode, v6only inferred when `ss` could not tell it.
 */
import { readTcpTables, TcpState, type AddressFamily, type TcpSocketEntry } from './proc-net-tcp.js';
import { askSs, parseSsListenerEntries, parseSsListeners, type SockDiagListener } from './ss-listeners.js';

/** How a listener's `v6only` was learned. */
export type V6onlySource =
  /** From the kernel through sock_diag (`ss`): exact. */
  | 'sock_diag'
  /** An IPv4 listener shares the port with this wildcard IPv6 one: that bind would have failed on a dual-stack socket. */
  | 'ipv4_listener_on_port'
  /** Not a wildcard IPv6 listener, so IPv4 cannot reach it either way; or nothing could tell. */
  | 'not_applicable'
  | 'unknown';

/** A LISTEN socket of either family. */
export interface Listener {
  family: AddressFamily;
  /** Bound address as text (`0.0.0.0`, `::`, `127.0.0.1`, `::1`, ...). */
  address: string;
  port: number;
  /**
   * For IPv6 listeners: true when IPV6_V6ONLY is set (IPv4 SYNs to the port are not for it),
   * false for a dual-stack socket, undefined when it could not be told (see `v6onlySource`).
   * Undefined for IPv4 listeners.
   */
  v6only: boolean | undefined;
  v6onlySource: V6onlySource;
  /** Accept queue length, connections (rx_queue). A full queue holds `backlog + 1`. */
  acceptQueue: number;
  /** listen() backlog in force, connections; null when sock_diag (`ss`) was not available. */
  backlog: number | null;
  inode: number;
  uid: number;
}

/** What `readListeners` found. */
export interface ListenersRead {
  listeners: Listener[];
  /** Lines of the two tables that could not be read. */
  malformedLines: number;
  /** True when `ss` answered: backlogs and v6only are exact. */
  sockDiag: boolean;
  /** Why `ss` was not used or failed (null when it answered or was switched off). */
  sockDiagError: string | null;
}

/** Options of `readListeners`. */
export interface ReadListenersOptions {
  /** The `ss` program to ask sock_diag through, or null to use /proc alone (default 'ss'). */
  ssPath?: string | null;
  /** Kill `ss` after this many milliseconds (default 2000). */
  ssTimeoutMs?: number;
}

/**
 * Listeners from already read tables: joins the sock_diag view (may be empty) by inode and infers
 * v6only without it. Pure.
 */
export function parseListeners(v4: readonly TcpSocketEntry[], v6: readonly TcpSocketEntry[], diag: ReadonlyMap<number, SockDiagListener>): Listener[] {
  const listening = [...v4, ...v6].filter((e) => e.state === TcpState.Listen);
  const v4Ports = new Set(listening.filter((e) => e.family === 4).map((e) => e.localPort));
  return listening.map((e) => {
    const d = diag.get(e.inode);
    let v6only: boolean | undefined;
    let v6onlySource: V6onlySource = 'not_applicable';
    if (e.family === 6) {
      const w = e.localWords;
      const wildcard = w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0;
      if (d?.v6only !== undefined) {
        v6only = d.v6only;
        v6onlySource = 'sock_diag';
      } else if (wildcard && v4Ports.has(e.localPort)) {
        v6only = true;
        v6onlySource = 'ipv4_listener_on_port';
      } else if (wildcard) {
        v6onlySource = 'unknown';
      }
    }
    return {
      family: e.family,
      address: e.localAddress,
      port: e.localPort,
      v6only,
      v6onlySource,
      acceptQueue: e.rxQueue,
      backlog: d ? d.backlog : null,
      inode: e.inode,
      uid: e.uid,
    };
  });
}

/**
 * Reads the LISTEN sockets of both families. In rstwatch's own namespace (`procRoot` '/proc') with
 * `ss` available, sock_diag alone gives them all, backlogs and IPV6_V6ONLY included. Otherwise
 * `<procRoot>/net/tcp` and `tcp6` are read, joined by inode to what `ss` said (`ss` always reports
 * the reader's namespace, so a `procRoot` of another namespace simply gets no match). A missing
 * tcp6 (kernel without IPv6) counts as no IPv6 listeners.
 */
export async function readListeners(procRoot = '/proc', options: ReadListenersOptions = {}): Promise<ListenersRead> {
  const ss = await askSs(options.ssPath === undefined ? 'ss' : options.ssPath, options.ssTimeoutMs ?? 2000);
  let sockDiagError = ss.error;
  // In rstwatch's own namespace sock_diag alone gives every listener, at a fraction of the cost of
  // /proc/net/tcp (whose read walks the kernel's whole connection hash table: about 10 ms here).
  if (ss.text !== null && procRoot === '/proc') {
    const fromSs = parseSsListenerEntries(ss.text);
    if (fromSs.malformedLines === 0) {
      const v4 = fromSs.entries.filter((e) => e.family === 4);
      const v6 = fromSs.entries.filter((e) => e.family === 6);
      return { listeners: parseListeners(v4, v6, parseSsListeners(ss.text)), malformedLines: 0, sockDiag: true, sockDiagError: null };
    }
    // A line it could not read would be a listener missing: use the tables this time, and say so.
    sockDiagError = `${ss.command}: ${fromSs.malformedLines} lines not understood; listeners read from /proc/net/tcp instead`;
  }
  const { v4, v6 } = await readTcpTables(procRoot);
  const diag = ss.text === null ? new Map<number, SockDiagListener>() : parseSsListeners(ss.text);
  return {
    listeners: parseListeners(v4.entries, v6.entries, diag),
    malformedLines: v4.malformedLines + v6.malformedLines,
    sockDiag: ss.text !== null,
    sockDiagError,
  };
}
