/**
 * One row per scan: the server ports and the (server, port, client) pairs a named scan failed on
 * once each (one attempt, not accepted) are summed into one row per scan, so that the rows left
 * are those that stand out (the ports a scan found open, the pairs that failed again and again).
 * The table (table.ts) and the page (html/) pick their rows here, alike.
 */
import { Counter } from '../track/counters.js';
import { outcomes } from './outcomes.js';
import type { PortRow, PortSource } from './port-rows.js';
import type { PairJson } from './replay-report.js';
import type { ScanRow } from './scans.js';

/** What a scan's `distinct` counts, by kind. */
export const SCAN_SPANS: Readonly<Record<string, string>> = { vertical: 'ports', horizontal: 'servers', flood: 'clients' };

/** Ports a capture needs at least for its port rows to be ordered as a scan's: the 15 ports of Zeek's scan.zeek. */
export const SCAN_ORDER_MIN_PORTS = 15;

/** Whether pair `p` is one of scan `s`'s: its client and server (vertical), client and port (horizontal), server and port (flood). */
export function scanHas(s: ScanRow, p: Pick<PairJson, 'server' | 'port' | 'client'>): boolean {
  if (s.kind === 'vertical') return s.client === p.client && s.server === p.server;
  if (s.kind === 'horizontal') return s.client === p.client && s.port === p.port;
  return s.server === p.server && s.port === p.port;
}

/** Rows summed per scan (by its index in the scan list), and the rows left, each in the order given. */
export interface Grouped<T> {
  groups: [scan: number, rows: T[]][];
  single: T[];
}

/** `rows` split by `scanOf` (a scan's index, or -1 to keep the row); groups in the order of their first row. */
export function groupByScan<T>(rows: Iterable<T>, scanOf: (row: T) => number): Grouped<T> {
  const groups = new Map<number, T[]>();
  const single: T[] = [];
  for (const row of rows) {
    const k = scanOf(row);
    if (k < 0) {
      single.push(row);
      continue;
    }
    let group = groups.get(k);
    if (group === undefined) groups.set(k, (group = []));
    group.push(row);
  }
  return { groups: [...groups], single };
}

/** The pairs a scan failed on once each, grouped by the first scan that has them; the others left in order. */
export function groupPairs(scans: readonly ScanRow[], pairs: readonly PairJson[]): Grouped<PairJson> {
  return groupByScan(pairs, (p) => (p.attempts === 1 && p.accepted === 0 ? scans.findIndex((s) => scanHas(s, p)) : -1));
}

/**
 * The scans (their indexes) each port belongs to: a horizontal scan or a flood by its port, a
 * vertical scan by the pairs of its client and server on the port (a pair folded past --max-pairs
 * is not seen, and its port names no scan).
 */
export function scansByPort(scans: readonly ScanRow[], pairs: readonly PairJson[]): Map<number, number[]> {
  const byPort = new Map<number, number[]>();
  const add = (port: number, i: number): void => {
    const list = byPort.get(port) ?? [];
    if (!list.includes(i)) list.push(i);
    byPort.set(port, list);
  };
  const vertical = new Map<string, number>();
  scans.forEach((s, i) => {
    if (s.kind === 'vertical') vertical.set(`${s.server} ${s.client}`, i);
    else if (s.port !== null) add(s.port, i);
  });
  if (vertical.size === 0) return byPort;
  for (const p of pairs) {
    const i = vertical.get(`${p.server} ${p.client}`);
    if (i !== undefined) add(p.port, i);
  }
  return byPort;
}

/**
 * Whether the port rows are a scan's: at least SCAN_ORDER_MIN_PORTS ports, most of which saw one
 * attempt, so that "busiest first" would list them by port number.
 */
export function scanOrdered(rows: PortSource): boolean {
  let once = 0;
  for (let i = 0; i < rows.count; i++) if (rows.value(i, Counter.Attempts) === 1) once++;
  return rows.count >= SCAN_ORDER_MIN_PORTS && once * 2 > rows.count;
}

/** The row indexes by failures: most first, then most attempts, then the lower port. */
export function byFailures(rows: PortSource): Int32Array {
  const failures = new Float64Array(rows.count);
  const attempts = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i++) {
    attempts[i] = rows.value(i, Counter.Attempts);
    failures[i] = attempts[i] - rows.value(i, Counter.Accepted);
  }
  return Int32Array.from({ length: rows.count }, (_, i) => i).sort(
    (a, b) => failures[b] - failures[a] || attempts[b] - attempts[a] || rows.port(a) - rows.port(b),
  );
}

/** The row indexes, busiest first: most attempts, then the lower port. */
export function busiest(rows: PortSource): Int32Array {
  const attempts = new Float64Array(rows.count);
  for (let i = 0; i < rows.count; i++) attempts[i] = rows.value(i, Counter.Attempts);
  return Int32Array.from({ length: rows.count }, (_, i) => i).sort((a, b) => attempts[b] - attempts[a] || rows.port(a) - rows.port(b));
}

/** The sum of the port rows `indexes` of `rows`, as a row (its port 0: a sum has none). */
export function sumPorts(rows: PortSource, indexes: readonly number[]): PortRow {
  const fromOther = indexes.reduce((n, i) => n + rows.icmpFromOther(i), 0);
  return { port: 0, ...outcomes((c) => indexes.reduce((n, i) => n + rows.value(i, c), 0), fromOther) };
}

/** The port rows a table or the page shows, picked by selectPorts. */
export interface PortSelection {
  /** Ports that saw an attempt. */
  total: number;
  /** Whether the rows are a scan's (scanOrdered): then by failures, and grouped. */
  scan: boolean;
  /** The scans (indexes) of each port. */
  scanOf: Map<number, number[]>;
  /** One row per scan: the ports it failed on once each, summed. */
  groups: { scan: number; ports: number; sum: PortRow }[];
  /** The rows shown, in order. */
  shown: PortRow[];
  /** The ports neither grouped nor shown, summed; null when none is left. */
  rest: { ports: number; sum: PortRow } | null;
}

/**
 * The port rows to show, at most `maxRows` (groups first, then single ports): by failures when `order` is
 * `failures` or the rows are a scan's, else busiest first; on a scan, the ports that saw one failed
 * attempt and belong to one scan are one row per scan. Only the rows shown become objects: a scan
 * of 65535 ports makes `maxRows` of them.
 */
export function selectPorts(
  rows: PortSource,
  scans: readonly ScanRow[],
  pairs: readonly PairJson[],
  maxRows: number,
  order: 'failures' | 'busiest',
): PortSelection {
  const scan = scanOrdered(rows);
  const scanOf = scansByPort(scans, pairs);
  const sorted = scan || order === 'failures' ? byFailures(rows) : busiest(rows);
  const { groups, single } = groupByScan(sorted, (i) => {
    const of = scanOf.get(rows.port(i));
    // A port the scan found open (accepted) stands out: it keeps its row.
    if (!scan || of === undefined || of.length !== 1 || rows.value(i, Counter.Attempts) !== 1 || rows.value(i, Counter.Accepted) !== 0) return -1;
    return of[0];
  });
  // At most maxRows rows, groups first (one per vertical scan: there may be thousands).
  const kept = groups.slice(0, maxRows);
  const shown = single.slice(0, Math.max(0, maxRows - kept.length));
  const left = [...groups.slice(kept.length).flatMap(([, ports]) => ports), ...single.slice(shown.length)];
  return {
    total: rows.count,
    scan,
    scanOf,
    groups: kept.map(([k, ports]) => ({ scan: k, ports: ports.length, sum: sumPorts(rows, ports) })),
    shown: shown.map((i) => rows.row(i)),
    rest: left.length === 0 ? null : { ports: left.length, sum: sumPorts(rows, left) },
  };
}
