/**
 * docs/report.md held to the report: its JSON field table names every top-level field of a real
 * report, in the report's order; its table of outcome fields names every field of an outcome
 * count; its CSV table gives each table's columns as the CSV header writes them; the README's
 * replay section links it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSV_HEADERS, CSV_TABLES } from '../../src/report/csv.js';
import { buildReplayReport } from '../../src/report/replay-report.js';
import { replayForReport } from '../../src/report/replay-run.js';

const doc = readFileSync(new URL('../../docs/report.md', import.meta.url), 'utf8');

/** The rows of the `n`th markdown table (from 0) whose header row is `header`, each split into its cells. */
function tableRows(header: string, n = 0): string[][] {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = doc.indexOf(`\n${header}\n`, at + 1);
    expect(at, `no table '${header}' (${n})`).toBeGreaterThanOrEqual(0);
  }
  const lines = doc.slice(at + 1).split('\n');
  const rows: string[][] = [];
  for (let i = 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].split(/(?<!\\)\|/).slice(1, -1));
  return rows;
}

/** The names in backquotes of a cell, in order (up to a `;`, after which the cell says more). */
function names(cell: string): string[] {
  return [...cell.split(';')[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** The report of a real capture, as --json prints it. */
async function report() {
  const result = await replayForReport([new URL('../../pcaps/netns-refusals-v4.pcap', import.meta.url).pathname]);
  return buildReplayReport(result, { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 1024, topN: 10 });
}

describe('docs/report.md', () => {
  it("names every top-level field of the JSON report, in the report's order", async () => {
    const fields = tableRows('| field | meaning |', 0);
    expect(fields.flatMap(([cell]) => names(cell))).toEqual(Object.keys(await report()));
  });

  it('names every field of an outcome count (totals, a direction, a port row)', async () => {
    const outcome = tableRows('| field | meaning |', 1);
    const { port: _port, ...counts } = (await report()).ports[0];
    expect(outcome.flatMap(([cell]) => names(cell)).sort()).toEqual(Object.keys(counts).sort());
  });

  it.each(CSV_TABLES)('gives the columns of --table %s as the CSV header writes them', (table) => {
    const row = tableRows('| `--table` | one row per | columns |').find(([cell]) => names(cell)[0] === table);
    expect(row, `no row for ${table}`).toBeDefined();
    expect(names(row?.[2] ?? '')).toEqual([...CSV_HEADERS[table]]);
  });

  it('is linked from the README replay section', () => {
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('[docs/report.md](docs/report.md)');
  });
});
