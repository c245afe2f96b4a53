/**
 * The rows a scan fills (src/report/scan-groups.ts), which the table and the page both show: the
 * ports a vertical scan failed on once each are one row per scan, ports it found open keep theirs,
 * and however many scans there are, at most `maxRows` rows, the rest summed.
 */
import { describe, expect, it } from 'vitest';
import { outcomes } from '../../src/report/outcomes.js';
import { PortArray, type PortRow } from '../../src/report/port-rows.js';
import type { PairJson } from '../../src/report/replay-report.js';
import { selectPorts } from '../../src/report/scan-groups.js';
import type { ScanRow } from '../../src/report/scans.js';
import { Counter } from '../../src/track/counters.js';

/** A port row of `attempts`, `accepted` of them accepted and the rest refused. */
function port(p: number, attempts: number, accepted: number): PortRow {
  const c: Record<number, number> = { [Counter.Attempts]: attempts, [Counter.Accepted]: accepted, [Counter.Refused]: attempts - accepted };
  return { port: p, ...outcomes((k) => c[k] ?? 0, 0) };
}

/** `n` vertical scans of server S, scan k by client 10.0.0.k on 15 ports of its own (one of them open), and their pairs. */
function scans(n: number): { ports: PortRow[]; pairs: PairJson[]; rows: ScanRow[] } {
  const ports: PortRow[] = [];
  const pairs: PairJson[] = [];
  const rows: ScanRow[] = [];
  for (let k = 0; k < n; k++) {
    const client = `10.0.0.${k + 1}`;
    for (let i = 0; i < 15; i++) {
      const p = 1000 + k * 100 + i;
      const open = i === 0 ? 1 : 0;
      ports.push(port(p, 1, open));
      pairs.push({
        server: '192.0.2.1',
        port: p,
        client,
        attempts: 1,
        accepted: open,
        refused: 1 - open,
        icmp_rejected: 0,
        unanswered: 0,
        first: null,
        last: null,
      });
    }
    rows.push({
      kind: 'vertical',
      client,
      server: '192.0.2.1',
      port: null,
      distinct: 14,
      attempts: 15,
      failures: 14,
      first: null,
      last: null,
      duration_seconds: 0,
    });
  }
  return { ports, pairs, rows };
}

describe('selectPorts', () => {
  it('one row per scan for the ports it failed on once each; the port it found open keeps its row', () => {
    const s = scans(3);
    const sel = selectPorts(new PortArray(s.ports), s.rows, s.pairs, 200, 'failures');
    expect(sel.scan).toBe(true);
    expect(sel.groups.map((g) => [g.scan, g.ports, g.sum.refused])).toEqual([
      [0, 14, 14],
      [1, 14, 14],
      [2, 14, 14],
    ]);
    expect(sel.shown.map((p) => p.port)).toEqual([1000, 1100, 1200]);
    expect(sel.rest).toBeNull();
  });

  it('at most maxRows rows whatever the number of scans: the groups past it are summed in the rest, none lost', () => {
    const s = scans(30);
    const sel = selectPorts(new PortArray(s.ports), s.rows, s.pairs, 5, 'failures');
    expect(sel.groups.length + sel.shown.length).toBe(5);
    expect(sel.groups.map((g) => g.scan)).toEqual([0, 1, 2, 3, 4]);
    const listed = sel.groups.reduce((n, g) => n + g.ports, 0) + sel.shown.length;
    expect(listed + (sel.rest?.ports ?? 0)).toBe(s.ports.length);
    const refused = sel.groups.reduce((n, g) => n + g.sum.refused, 0) + sel.shown.reduce((n, p) => n + p.refused, 0) + (sel.rest?.sum.refused ?? 0);
    expect(refused).toBe(30 * 14);
  });
});
