/**
 * docs/metrics.md against src/metrics/names.ts: every family rstwatch registers has a table row
 * with its type and exactly its labels, every family a row names exists, and the collectors of
 * rstwatch_scrape_collector_success are the ones the code reports.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COLLECTORS, METRICS } from '../../src/metrics/names.js';

const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');

/** The `| metric | type | labels | meaning |` rows of the doc, by metric name. */
const rows = new Map<string, { type: string; labels: string[] }>();
for (const line of doc.split('\n')) {
  const cells = line.split('|').map((c) => c.trim());
  const name = /^`(rstwatch_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
  if (name === undefined) continue;
  // The histogram's `le` is Prometheus's own label, not one of the family's.
  const labels = [...(cells[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).filter((l) => l !== 'le');
  rows.set(name, { type: cells[2], labels });
}

describe('docs/metrics.md', () => {
  it.each(Object.values(METRICS).map((m) => [m.name, m] as const))('documents %s with its type and labels', (name, spec) => {
    const row = rows.get(name);
    expect(row, `no row for ${name}`).toBeDefined();
    expect(row?.type.startsWith(spec.type), `${name}: type '${row?.type}'`).toBe(true);
    expect(row?.labels).toEqual([...spec.labels]);
  });

  it('lists the collectors of rstwatch_scrape_collector_success', () => {
    const line = doc.split('\n').find((l) => l.startsWith(`| \`${METRICS.collectorSuccess.name}\``)) ?? '';
    const listed = /Collectors: (.*?)\. \|/.exec(line)?.[1] ?? '';
    expect([...listed.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort()).toEqual(Object.values(COLLECTORS).sort());
  });

  it('names no family that rstwatch does not register', () => {
    const registered = new Set<string>(Object.values(METRICS).map((m) => m.name));
    expect([...rows.keys()].filter((n) => !registered.has(n))).toEqual([]);
  });
});
