/**
 * Listening sockets as sock_diag netlink reports them, asked through `ss -ltnHe` (no header,
 * extended): the listen() backlog and IPV6_V6ONLY, which /proc/net/tcp does not print. `ss` always
 * reports the namespace it runs in. One line per listener:
 *
 *   LISTEN 0      511    127.0.0.1:7001 0.0.0.0:* ino:390822 sk:1001 cgroup:unreachable:1 <->
 *   LISTEN 0      511        [::1]:7005    [::]:* ino:390825 sk:1003 cgroup:unreachable:1 v6only:1 <->
 *
 * For a listener Recv-Q is the accept queue and Send-Q the backlog (`sk_max_ack_backlog`).
 */
import { execFile } from 'node:child_process';
import { formatAddress, parseAddress } from '../net/address.js';
import { IPV4_MAPPED_WORD2 } from '../wire/decoded-packet.js';
import { TcpState, type AddressFamily, type ProcNetTcpParse, type TcpSocketEntry } from './proc-net-tcp.js';

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

/** Runs `ss -ltnHe` and returns its standard output; rejects on failure or timeout. */
function readSsListenOutput(ssPath: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(ssPath, ['-ltnHe'], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

/** What `askSs` got: the output of `ss -ltnHe`, or why there is none. */
export interface SsAnswer {
  /** The command as messages name it (`ss -ltnHe`). */
  command: string;
  /** Standard output; null when `ss` was switched off or failed. */
  text: string | null;
  /** Why `ss` failed (the first line of its error); null when it answered or was switched off. */
  error: string | null;
}

/** Runs `ss -ltnHe` (nothing when `ssPath` is null); never rejects: a failure is told in `error`. */
export async function askSs(ssPath: string | null, timeoutMs: number): Promise<SsAnswer> {
  const command = `${ssPath} -ltnHe`;
  if (ssPath === null) return { command, text: null, error: null };
  try {
    return { command, text: await readSsListenOutput(ssPath, timeoutMs), error: null };
  } catch (err) {
    return { command, text: null, error: `${command}: ${(err as Error).message.split('\n')[0]}` };
  }
}
