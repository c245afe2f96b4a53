/**
 * Readers of the TCP socket tables the kernel prints in /proc/net/tcp and /proc/net/tcp6 (per
 * network namespace: the reader sees the namespace it runs in).
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
 *   which listeners.ts asks through `ss` when it can (ss-listeners.ts; see docs/diagnose.md).
 * - The kernel accepts into the queue while its length is <= the backlog, so a full queue holds
 *   backlog + 1 connections.
 *
 * Deliberately ignored: the timer, retransmit, timeout, refcount, socket pointer and congestion
 * fields (nothing in the cause classifier needs them). TIME_WAIT and SYN_RECV lines are shorter
 * (no congestion fields) and parse the same way.
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { formatAddress, parseAddress } from '../net/address.js';
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

const LINE =
  /^\s*\d+:\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})\s+\S+\s+\S+\s+(\d+)\s+\S+\s+(\d+)(?:\s|$)/;

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

/** Both tables of `procRoot` as read by `readTcpTables`. */
export interface TcpTables {
  v4: ProcNetTcpParse;
  v6: ProcNetTcpParse;
}

/**
 * Reads and parses `<procRoot>/net/tcp` and `tcp6`. A missing tcp6 (kernel without IPv6) counts
 * as an empty table; any other failure rejects.
 */
export async function readTcpTables(procRoot = '/proc'): Promise<TcpTables> {
  const v4 = parseProcNetTcp(await readFile(join(procRoot, 'net/tcp'), 'utf8'), 4);
  let v6: ProcNetTcpParse = { entries: [], malformedLines: 0 };
  try {
    v6 = parseProcNetTcp(await readFile(join(procRoot, 'net/tcp6'), 'utf8'), 6);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return { v4, v6 };
}
