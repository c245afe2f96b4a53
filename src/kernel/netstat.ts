/**
 * Readers of the kernel's protocol counters in /proc/net/netstat (TcpExt:, IpExt:, MPTcpExt:) and
 * /proc/net/snmp (Ip:, Icmp:, Tcp:, Udp:, ...), per network namespace. Both files are pairs of
 * lines with the same prefix: a line of names, then a line of values.
 *
 *   TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ... ListenOverflows ListenDrops ...
 *   TcpExt: 0 0 0 ... 6 6 ...
 *
 * Values are unsigned 64-bit in the kernel (snmp's Tcp MaxConn is printed as -1). They are read as
 * JavaScript numbers: exact up to 2^53, which a counter incremented once per event does not reach.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Counters by prefix (`TcpExt`, no colon) then by name. */
export type CounterTable = Map<string, Map<string, number>>;

/** What `parseNetstat` found. */
export interface NetstatParse {
  counters: CounterTable;
  /** Lines that are not part of a well-formed name/value pair (unpaired, counts differ, not numbers); skipped. */
  malformedLines: number;
}

const PREFIX = /^([A-Za-z0-9]+):(.*)$/;

/**
 * Parses /proc/net/netstat or /proc/net/snmp text. Pure; never throws. Prefixes are matched exactly
 * (`TcpExt` is not `MPTcpExt`). A pair whose value count differs from its name count is skipped whole.
 */
export function parseNetstat(text: string): NetstatParse {
  const counters: CounterTable = new Map();
  let malformedLines = 0;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = 0; i < lines.length; i++) {
    const head = PREFIX.exec(lines[i]);
    const next = i + 1 < lines.length ? PREFIX.exec(lines[i + 1]) : null;
    if (!head || !next || next[1] !== head[1]) {
      malformedLines++;
      continue;
    }
    i++;
    const names = head[2].trim().split(/\s+/);
    const values = next[2].trim().split(/\s+/);
    if (names.length !== values.length || names.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) || values.some((v) => !/^-?\d+$/.test(v))) {
      malformedLines += 2;
      continue;
    }
    let table = counters.get(head[1]);
    if (!table) counters.set(head[1], (table = new Map()));
    for (let k = 0; k < names.length; k++) table.set(names[k], Number(values[k]));
  }
  return { counters, malformedLines };
}

/** The TCP listen-path counters the cause classifier and the metrics use; null when this kernel does not print one. */
export interface TcpExtCounters {
  /** Connections that found the accept queue full (completed handshake dropped), count since boot of the namespace. */
  listenOverflows: number | null;
  /** Incoming SYNs/ACKs dropped by a listener for any reason (includes the overflows), count. */
  listenDrops: number | null;
  /** SYN cookies sent (SYN queue full, net.ipv4.tcp_syncookies on), count. */
  syncookiesSent: number | null;
  /** Valid SYN cookies received, count. */
  syncookiesRecv: number | null;
  /** Invalid SYN cookies received, count. */
  syncookiesFailed: number | null;
  /** SYNs dropped because the SYN queue was full and cookies were off, count. */
  reqQFullDrop: number | null;
  /** SYNs answered with a cookie because the SYN queue was full, count. */
  reqQFullDoCookies: number | null;
  /** Every counter of both files, for whoever needs another one. */
  all: CounterTable;
  /** Malformed lines in both files. */
  malformedLines: number;
}

/** Picks the listen-path counters out of parsed tables. Pure. */
export function parseTcpExtCounters(all: CounterTable, malformedLines = 0): TcpExtCounters {
  const ext = all.get('TcpExt');
  const pick = (name: string): number | null => ext?.get(name) ?? null;
  return {
    listenOverflows: pick('ListenOverflows'),
    listenDrops: pick('ListenDrops'),
    syncookiesSent: pick('SyncookiesSent'),
    syncookiesRecv: pick('SyncookiesRecv'),
    syncookiesFailed: pick('SyncookiesFailed'),
    reqQFullDrop: pick('TCPReqQFullDrop'),
    reqQFullDoCookies: pick('TCPReqQFullDoCookies'),
    all,
    malformedLines,
  };
}

/**
 * Reads `<procRoot>/net/netstat` and `<procRoot>/net/snmp` (the reader's network namespace when
 * procRoot is /proc). netstat must be readable; a missing snmp only leaves its prefixes out.
 */
export async function readTcpExtCounters(procRoot = '/proc'): Promise<TcpExtCounters> {
  const netstat = parseNetstat(await readFile(join(procRoot, 'net/netstat'), 'utf8'));
  let malformed = netstat.malformedLines;
  try {
    const snmp = parseNetstat(await readFile(join(procRoot, 'net/snmp'), 'utf8'));
    malformed += snmp.malformedLines;
    for (const [prefix, table] of snmp.counters) if (!netstat.counters.has(prefix)) netstat.counters.set(prefix, table);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return parseTcpExtCounters(netstat.counters, malformed);
}
