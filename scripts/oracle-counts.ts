/**
 * Prints the tshark oracle's attempt counts (kit/tshark-oracle.ts) for capture files.
 *
 *   node node_modules/tsx/dist/cli.mjs scripts/oracle-counts.ts [--table] [--timeout SECONDS] FILE...
 *
 * Default output: a JSON array, one OracleResult per file (its ns times as decimal strings).
 * --table: a compact text table, one totals row per file followed by its per-port rows.
 */
import { oracleCounts, type OracleResult } from '../kit/tshark-oracle.js';

const COLUMNS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const;

function usage(): never {
  process.stderr.write('usage: oracle-counts.ts [--table] [--timeout SECONDS] FILE...\n');
  process.exit(2);
}

function table(results: OracleResult[]): string {
  const rows: string[][] = [['file / port', 'tcp_frames', ...COLUMNS]];
  for (const r of results) {
    rows.push([r.file, String(r.tcpFrames), ...COLUMNS.map((c) => String(r.totals[c]))]);
    for (const p of r.ports) rows.push([`  ${p.port}`, '', ...COLUMNS.map((c) => String(p[c]))]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

const args = process.argv.slice(2);
let asTable = false;
let timeout = 0;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--table') asTable = true;
  else if (a === '--timeout') {
    timeout = Number(args[++i]);
    if (!Number.isFinite(timeout) || timeout < 0) usage();
  } else if (a === '-h' || a === '--help') usage();
  else files.push(a);
}
if (files.length === 0) usage();

const results = files.map((f) => oracleCounts(f, { attemptTimeoutSeconds: timeout }));
// Times are bigint nanoseconds (exact): written as decimal strings.
const json = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);
process.stdout.write(asTable ? `${table(results)}\n` : `${JSON.stringify(results, json, 2)}\n`);
