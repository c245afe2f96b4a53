/**
 * Reader of the sysctls that shape the listen path. All five are per network namespace: reading
 * /proc/sys/net/... shows the values of the namespace the reader runs in (a sidecar sees its pod's).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The listen-path sysctls; null when the file is missing or unreadable (see `errors`). */
export interface ListenSysctls {
  /** net.core.somaxconn: the cap on every listen() backlog, connections. */
  somaxconn: number | null;
  /** net.ipv4.tcp_max_syn_backlog: SYN queue size bound (half-open connections). */
  tcpMaxSynBacklog: number | null;
  /** net.ipv4.tcp_abort_on_overflow: 1 = answer a full accept queue with RST, 0 = drop silently. */
  tcpAbortOnOverflow: number | null;
  /** net.ipv4.tcp_syncookies: 0 off, 1 when the SYN queue overflows, 2 always. */
  tcpSyncookies: number | null;
  /** net.ipv6.bindv6only: the IPV6_V6ONLY default of new AF_INET6 sockets (0 dual-stack, 1 v6 only); null without IPv6. */
  bindv6only: number | null;
  /** Files that could not be read, with the reason. */
  errors: { what: string; message: string }[];
}

/** sysctl name -> path under /proc/sys and field of `ListenSysctls`. */
export const LISTEN_SYSCTLS = [
  ['net.core.somaxconn', 'somaxconn'],
  ['net.ipv4.tcp_max_syn_backlog', 'tcpMaxSynBacklog'],
  ['net.ipv4.tcp_abort_on_overflow', 'tcpAbortOnOverflow'],
  ['net.ipv4.tcp_syncookies', 'tcpSyncookies'],
  ['net.ipv6.bindv6only', 'bindv6only'],
] as const;

/** Parses the text of an integer sysctl file (`4096\n`), or returns null. Pure. */
export function parseSysctlInteger(text: string): number | null {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : null;
}

/** Reads the listen-path sysctls from `<procRoot>/sys/...`; one missing file does not hide the others. */
export async function readSysctls(procRoot = '/proc'): Promise<ListenSysctls> {
  const out: ListenSysctls = { somaxconn: null, tcpMaxSynBacklog: null, tcpAbortOnOverflow: null, tcpSyncookies: null, bindv6only: null, errors: [] };
  await Promise.all(
    LISTEN_SYSCTLS.map(async ([name, field]) => {
      try {
        const v = parseSysctlInteger(await readFile(join(procRoot, 'sys', ...name.split('.')), 'utf8'));
        if (v === null) out.errors.push({ what: name, message: 'not an integer' });
        out[field] = v;
      } catch (err) {
        out.errors.push({ what: name, message: (err as Error).message });
      }
    }),
  );
  return out;
}
