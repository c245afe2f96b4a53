/**
 * Readers of the TCP socket tables the kernel prints in /proc/net/tcp and /proc/net/tcp6 (per
 * network namespace: the reader sees the namespace it runs in), and of the LISTEN sockets in them.
 *
 * Line format (kernel `get_tcp4_sock` / `get_tcp6_sock`), one socket per line after a header:
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ...
 *    0: 0100007F:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 390822 1 ...
 *
 * - Addresses are the in-memory (network order) bytes printed as host-order 32-bit integers: on a
 *   little-endian host `0100007F` is 127.0.0.1. IPv6 addresses are four such words, each in host order.
 * - Ports are hex numbers in host order (`1B59` = 7001).
 * - For a LISTEN socket `rx_queue` is the accept queue length (`sk_ack_backlog`: handshakes completed,
 *   not yet accept()ed). `tx_queue` is NOT the backlog: it is `write_seq - snd_una`, always 0 for a
 *   listener (checked on Linux 6.18: a listener with backlog 2 holding 2 connections prints
 *   `00000000:00000002`, while `ss` shows Send-Q 2 from sock_diag). The backlog (`sk_max_ack_backlog`,
 *   the listen() argument capped at net.core.somaxconn) is only available through sock_diag netlink,
 *   which `readListeners` asks through `ss` when it can (see docs/diagnose.md).
 * - The kernel accepts into the queue while its length is <= the backlog, so a full queue holds
 *   backlog + 1 connections.
 *
 * Deliberately ignored: the timer, retransmit, timeout, refcount, socket pointer and congestion
 * fields (nothing in the cause classifier needs them). TIME_WAIT and SYN_RECV lines are shorter
 * (no congestion fields) and parse the same way.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { formatAddress, parseAddress } from '../track/direction.js';
import { IPV4_MAPPED_WORD2 } from '../wire/decoded-packet.js';

/** TCP states as /proc/net/tcp prints them (hex), from the kernel's `include/net/tcp_states.h`. */
export const TcpState = {
  Established: 0x01,
  SynSent: 0x02,
  SynRecv: 0x03,
  FinWait1: 0x04,
  FinWait2: 0x05,
  TimeWait: 0x06,
  Close: 0x07,
  CloseWait: 0x08,
  LastAck: 0x09,
  Listen: 0x0a,
  Closing: 0x0b,
  NewSynRecv: 0x0c,
} as const;

/** True on a little-endian host (x86, arm64): /proc prints address words in host byte order. */
export const HOST_LITTLE_ENDIAN = endianness() === 'LE';

/** Address family of a socket table: 4 for /proc/net/tcp, 6 for /proc/net/tcp6. */
export type AddressFamily = 4 | 6;

/** One line of /proc/net/tcp or /proc/net/tcp6. */
export interface TcpSocketEntry {
  /** Which table the line came from (an IPv4-mapped local address can appear in tcp6). */
  family: AddressFamily;
  /** Local address as text (dotted quad for IPv4 and IPv4-mapped, RFC 5952 for IPv6). */
  localAddress: string;
  /** Local address as four big-endian words, IPv4 in IPv4-mapped form (as src/track uses). */
  localWords: readonly number[];
  localPort: number;
  remoteAddress: string;
  remoteWords: readonly number[];
  /** 0 for a listener. */
  remotePort: number;
  /** A `TcpState` code. */
  state: number;
  /** Bytes sent and not yet acknowledged (0 for a listener: see the module comment). */
  txQueueBytes: number;
  /** Bytes received and not yet read; for a LISTEN socket the accept queue length in connections. */
  rxQueue: number;
  /** Owner's effective uid when the socket was made. */
  uid: number;
  /** Socket inode (0 for sockets with no file: TIME_WAIT, SYN_RECV, not yet accepted). */
  inode: number;
}

/** What `parseProcNetTcp` found. */
export interface ProcNetTcpParse {
  entries: TcpSocketEntry[];
  /** Non-empty lines that are neither the header nor a socket line; skipped. */
  malformedLines: number;
}

const LINE = /^\s*\d+:\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})\s+\S+\s+\S+\s+(\d+)\s+\S+\s+(\d+)(?:\s|$)/;

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/** Parses a /proc hex address (8 or 32 digits) into four big-endian words, or null. */
export function parseProcAddress(hex: string, family: AddressFamily, littleEndian = HOST_LITTLE_ENDIAN): number[] | null {
  const wordOf = (s: string): number => {
    const v = parseInt(s, 16) >>> 0;
    return littleEndian ? swap32(v) : v;
  };
  if (family === 4) {
    if (hex.length !== 8) return null;
    return [0, 0, IPV4_MAPPED_WORD2, wordOf(hex)];
  }
  if (hex.length !== 32) return null;
  return [wordOf(hex.slice(0, 8)), wordOf(hex.slice(8, 16)), wordOf(hex.slice(16, 24)), wordOf(hex.slice(24, 32))];
}

/**
 * Parses the text of /proc/net/tcp (`family` 4) or /proc/net/tcp6 (6). Pure; never throws: lines
 * it cannot read are skipped and counted in `malformedLines`. `littleEndian` is the byte order of
 * the host that printed the text (default: this host's).
 */
export function parseProcNetTcp(text: string, family: AddressFamily, littleEndian = HOST_LITTLE_ENDIAN): ProcNetTcpParse {
  const entries: TcpSocketEntry[] = [];
  let malformedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^\s*sl\s/.test(line)) continue;
    const m = LINE.exec(line);
    const local = m ? parseProcAddress(m[1], family, littleEndian) : null;
    const remote = m ? parseProcAddress(m[3], family, littleEndian) : null;
    if (!m || !local || !remote) {
      malformedLines++;
      continue;
    }
    entries.push({
      family,
      localAddress: formatAddress(local),
      localWords: local,
      localPort: parseInt(m[2], 16),
      remoteAddress: formatAddress(remote),
      remoteWords: remote,
      remotePort: parseInt(m[4], 16),
      state: parseInt(m[5], 16),
      txQueueBytes: parseInt(m[6], 16),
      rxQueue: parseInt(m[7], 16),
      uid: Number(m[8]),
      inode: Number(m[9]),
    });
  }
  return { entries, malformedLines };
}

/** What sock_diag (through `ss`) says of one listening socket, keyed by inode. */
export interface SockDiagListener {
  /** listen() backlog in force (`sk_max_ack_backlog`), connections. */
  backlog: number;
  /** Accept queue length, connections. */
  acceptQueue: number;
  /** IPV6_V6ONLY of an AF_INET6 socket; undefined for AF_INET. */
  v6only: boolean | undefined;
}

/**
 * Parses the output of `ss -ltnHe` (no header, extended): `LISTEN <Recv-Q> <Send-Q> <local> <peer>
 * ino:<inode> ... [v6only:0|1]`; for listeners Recv-Q is the accept queue and Send-Q the backlog.
 * Pure; lines without an inode are skipped. Returns inode -> listener.
 */
export function parseSsListeners(text: string): Map<number, SockDiagListener> {
  const out = new Map<number, SockDiagListener>();
  for (const line of text.split('\n')) {
    const m = /^\s*LISTEN\s+(\d+)\s+(\d+)\s+\S+\s+\S+(.*)$/.exec(line);
    if (!m) continue;
    const ino = /\bino:(\d+)/.exec(m[3]);
    if (!ino) continue;
    const v6 = /\bv6only:([01])\b/.exec(m[3]);
    out.set(Number(ino[1]), { acceptQueue: Number(m[1]), backlog: Number(m[2]), v6only: v6 ? v6[1] === '1' : undefined });
  }
  return out;
}

/**
 * LISTEN sockets as `ss -ltnHe` prints them, as table entries (what /proc/net/tcp and tcp6 would
 * give). The family is told by the `v6only:` field, which `ss -e` prints for AF_INET6 sockets only;
 * `*` is the wildcard address of either family; `%dev` (SO_BINDTODEVICE) is dropped; a missing
 * `uid:` is root's. Pure; lines it cannot read are counted in `malformedLines`.
 */
export function parseSsListenerEntries(text: string): ProcNetTcpParse {
  const entries: TcpSocketEntry[] = [];
  let malformedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\s*LISTEN\s+(\d+)\s+\d+\s+(\S+)\s+\S+(.*)$/.exec(line);
    const ino = m ? /\bino:(\d+)/.exec(m[3]) : null;
    const local = m ? /^(\*|\[[^\]]+\]|[^%:[\]]+)(?:%[^:]+)?:(\d+)$/.exec(m[2]) : null;
    if (!m || !ino || !local) {
      malformedLines++;
      continue;
    }
    const family: AddressFamily = /\bv6only:[01]\b/.test(m[3]) ? 6 : 4;
    // A scope id ([fe80::1%eth0]) names the link of a link-local address: the address is before it.
    const host = local[1] === '*' ? (family === 6 ? '::' : '0.0.0.0') : local[1].replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const words = parseAddress(host);
    if (words === null) {
      malformedLines++;
      continue;
    }
    const uid = /\buid:(\d+)/.exec(m[3]);
    entries.push({
      family,
      localAddress: formatAddress(words),
      localWords: [...words],
      localPort: Number(local[2]),
      remoteAddress: family === 6 ? '::' : '0.0.0.0',
      remoteWords: family === 6 ? [0, 0, 0, 0] : [0, 0, IPV4_MAPPED_WORD2, 0],
      remotePort: 0,
      state: TcpState.Listen,
      txQueueBytes: 0,
      rxQueue: Number(m[1]),
      uid: uid ? Number(uid[1]) : 0,
      inode: Number(ino[1]),
    });
  }
  return { entries, malformedLines };
}

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

/** Runs `ss -ltnHe` and returns its standard output; rejects on failure or timeout. */
export function readSsListenOutput(ssPath: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ssPath, ['-ltnHe'], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
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
  const ssPath = options.ssPath === undefined ? 'ss' : options.ssPath;
  let ssText: string | null = null;
  let sockDiagError: string | null = null;
  if (ssPath !== null) {
    try {
      ssText = await readSsListenOutput(ssPath, options.ssTimeoutMs ?? 2000);
    } catch (err) {
      sockDiagError = `${ssPath} -ltnHe: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  // In rstwatch's own namespace sock_diag alone gives every listener, at a fraction of the cost of
  // /proc/net/tcp (whose read walks the kernel's whole connection hash table: about 10 ms here).
  let fromSs: ProcNetTcpParse | null = null;
  if (ssText !== null && procRoot === '/proc') {
    fromSs = parseSsListenerEntries(ssText);
    // A line it could not read would be a listener missing: use the tables this time, and say so.
    if (fromSs.malformedLines > 0) sockDiagError = `${ssPath} -ltnHe: ${fromSs.malformedLines} lines not understood; listeners read from /proc/net/tcp instead`;
  }
  if (ssText !== null && fromSs !== null && fromSs.malformedLines === 0) {
    const diag = parseSsListeners(ssText);
    return {
      listeners: parseListeners(
        fromSs.entries.filter((e) => e.family === 4),
        fromSs.entries.filter((e) => e.family === 6),
        diag,
      ),
      malformedLines: fromSs.malformedLines,
      sockDiag: true,
      sockDiagError: null,
    };
  }
  const v4 = parseProcNetTcp(await readFile(join(procRoot, 'net/tcp'), 'utf8'), 4);
  let v6: ProcNetTcpParse = { entries: [], malformedLines: 0 };
  try {
    v6 = parseProcNetTcp(await readFile(join(procRoot, 'net/tcp6'), 'utf8'), 6);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const diag = ssText === null ? new Map<number, SockDiagListener>() : parseSsListeners(ssText);
  return {
    listeners: parseListeners(v4.entries, v6.entries, diag),
    malformedLines: v4.malformedLines + v6.malformedLines,
    sockDiag: ssText !== null,
    sockDiagError,
  };
}
