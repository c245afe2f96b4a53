import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Counter } from '../../src/track/counters.js';
import { DIRECTION_NAMES } from '../../src/track/direction.js';
import { byPort, metricsFor, parseSamples, samplesOf, Traffic } from './helpers.js';
import { ALL_PORTS, fullScanMetrics } from './scenarios.js';

const LOCAL = '198.51.100.2';
const REMOTE = '203.0.113.9';
const PORT_FAMILIES = [
  'rstwatch_syn_attempts_total',
  'rstwatch_syn_retransmits_total',
  'rstwatch_accepted_total',
  'rstwatch_refused_total',
  'rstwatch_unanswered_total',
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('bounded series', () => {
  it('a scan of all 65535 ports in every direction stays within maxPorts + keepPorts + other per direction', async () => {
    const { metrics, keep } = fullScanMetrics();
    const text = await metrics.registry.metrics();
    for (const name of PORT_FAMILIES) {
      const series = samplesOf(text, name);
      expect(series).toHaveLength(3 * (100 + keep.size + 1));
    }
    expect(samplesOf(text, 'rstwatch_icmp_rejected_total')).toHaveLength(3 * (100 + keep.size + 1) * 5);
    // Every attempt is counted once: selected ports plus "other".
    for (const d of DIRECTION_NAMES) {
      const ports = byPort(text, 'rstwatch_syn_attempts_total', d);
      expect(Object.values(ports).reduce((a, b) => a + b, 0)).toBe(65535);
      expect(ports.other).toBe(65535 - 104);
      for (const k of keep) expect(ports[k]).toBe(1);
    }
    // First seen first admitted, in PortCounters.seenPorts order (first attempt in any direction):
    // the inbound scan saw 1, 2, 3 ... first, so within one refresh every direction admits
    // 1..101 but 22 (a keep port, outside the bound).
    for (const d of DIRECTION_NAMES) {
      const own = Object.keys(byPort(text, 'rstwatch_syn_attempts_total', d))
        .map(Number)
        .filter((p) => Number.isFinite(p) && !keep.has(p));
      expect(own.sort((a, b) => a - b)).toEqual(range(1, 101).filter((p) => p !== 22));
    }
    // The whole exposition stays small (default metrics included); promtool.test.ts checks it is valid.
    expect(text.split('\n').length).toBeLessThan(3 * 105 * 12 + 500);
    metrics.close();
  });

  it('admits ports per direction: a scan in one direction does not use the bound of another', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 3 });
    t.scan(LOCAL, REMOTE, range(1, 1000), 0); // outbound: 1, 2, 3 admitted
    await metrics.registry.metrics();
    t.scan('192.0.2.1', LOCAL, [5432, 80], 1); // inbound, ports already seen outbound
    const text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 5432: 1, 80: 1 });
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'outbound')).toEqual({ 1: 1, 2: 1, 3: 1, other: 997 });
    metrics.close();
  });

  it('emits only touched series: no traffic, no port series; "other" only once something is folded', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 2, keepPorts: new Set([443]) });
    let text = await metrics.registry.metrics();
    for (const name of PORT_FAMILIES) expect(samplesOf(text, name)).toEqual([]);
    t.scan('192.0.2.1', LOCAL, [80, 81], 0);
    text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 80: 1, 81: 1 });
    expect(samplesOf(text, 'rstwatch_syn_attempts_total').map((s) => s.labels.direction)).toEqual(['inbound', 'inbound']);
    t.scan('192.0.2.1', LOCAL, [82], 1);
    text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 80: 1, 81: 1, other: 1 });
    metrics.close();
  });

  it('keepPorts always get their own series, even after the bound is used up, and do not count against it', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 2, keepPorts: new Set([22, 443]) });
    t.scan('192.0.2.1', LOCAL, [1000, 22, 1001, 1002, 1003], 0);
    let text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 1000: 1, 22: 1, 1001: 1, other: 2 });
    t.scan('192.0.2.1', LOCAL, [443, 443, 1004], 1);
    text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 1000: 1, 22: 1, 1001: 1, 443: 2, other: 3 });
    // A keep port seen first in another direction is still kept once it appears here.
    t.scan(LOCAL, REMOTE, range(2000, 2100), 2);
    t.scan(LOCAL, REMOTE, [22], 3);
    text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'outbound')).toEqual({ 2000: 1, 2001: 1, 22: 1, other: 99 });
    metrics.close();
  });

  it('selection is stable: a folded port stays folded however busy, a selected one stays selected however idle', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 2 });
    t.scan('192.0.2.1', LOCAL, [5000, 4000, 3000], 0);
    let text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 5000: 1, 4000: 1, other: 1 });
    t.scan('192.0.2.2', LOCAL, Array<number>(500).fill(3000), 1);
    text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 5000: 1, 4000: 1, other: 501 });
    metrics.close();
  });

  it('property: "other" never decreases, selected + other = total, the bound holds, selection only grows', async () => {
    // An operation: (direction 0..2, port from a small pool, counter to bump, scrape after?)
    const op = fc.record({
      dir: fc.integer({ min: 0, max: 2 }),
      port: fc.integer({ min: 0, max: 30 }),
      counter: fc.constantFrom(Counter.Attempts, Counter.Refused, Counter.Accepted, Counter.Unanswered, Counter.IcmpOther, Counter.SynRetransmits),
      scrape: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), fc.integer({ min: 0, max: 6 }), fc.subarray([1, 2, 3, 29]), async (ops, maxPorts, keep) => {
        const t = new Traffic();
        const { metrics } = metricsFor(t, { maxPorts, keepPorts: new Set(keep) });
        const pc = t.tracker.ports;
        const lastOther = new Map<string, number>();
        const selected = DIRECTION_NAMES.map(() => new Set<string>());
        const check = async (): Promise<void> => {
          const samples = parseSamples(await metrics.registry.metrics());
          for (let d = 0; d < 3; d++) {
            const dir = DIRECTION_NAMES[d];
            for (const [c, name] of [
              [Counter.Attempts, 'rstwatch_syn_attempts_total'],
              [Counter.Refused, 'rstwatch_refused_total'],
              [Counter.SynRetransmits, 'rstwatch_syn_retransmits_total'],
            ] as const) {
              const mine = samples.filter((s) => s.name === name && s.labels.direction === dir);
              const other = mine.find((s) => s.labels.port === 'other')?.value ?? 0;
              expect(mine.reduce((a, s) => a + s.value, 0)).toBe(pc.total(d, c));
              const key = `${d}:${c}`;
              expect(other).toBeGreaterThanOrEqual(lastOther.get(key) ?? 0);
              lastOther.set(key, other);
              const ports = mine.map((s) => s.labels.port).filter((p) => p !== 'other');
              for (const p of selected[d]) expect(ports).toContain(p);
              for (const p of ports) selected[d].add(p);
              expect(ports.filter((p) => !keep.includes(Number(p))).length).toBeLessThanOrEqual(maxPorts);
            }
          }
        };
        for (const o of ops) {
          // Bump counters the way the tracker does: an attempt first (it registers the port).
          if (o.counter === Counter.Attempts || pc.get(o.dir, o.port, Counter.Attempts) === 0) pc.incAttempt(o.dir, o.port);
          if (o.counter !== Counter.Attempts) pc.inc(o.dir, o.port, o.counter);
          if (o.scrape) await check();
        }
        await check();
        metrics.close();
      }),
      { numRuns: 150 },
    );
  });

  it('a scrape reads only the selected series once the ports are known (no 65536 x directions pass)', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 100, keepPorts: new Set([7]) });
    t.scan('192.0.2.1', LOCAL, ALL_PORTS, 0); // inbound: fills the bound, the rest folded
    t.scan(LOCAL, REMOTE, [5432], 0); // outbound: one port, 65534 seen ports still admissible
    await metrics.registry.metrics(); // discovers the seen ports once
    const pc = t.tracker.ports;
    let reads = 0;
    const get = pc.get.bind(pc);
    pc.get = (d: number, p: number, c: number): number => {
      reads++;
      return get(d, p, c);
    };
    // More traffic: on selected and folded inbound ports, on the known outbound port.
    t.scan('192.0.2.2', LOCAL, [1, 2, 60000, 7], 1);
    t.scan('198.51.100.3', REMOTE, [5432, 5432], 1);
    const text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'outbound')).toEqual({ 5432: 3 });
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound').other).toBe(65535 - 101 + 1);
    // Per family: one read per exported series (six port-counter families, ICMP: five reasons),
    // plus the refresh's few.
    const series = 101 + 1 + 1; // inbound selected + keep, inbound other, outbound 5432
    expect(reads).toBeLessThanOrEqual(series * (6 + 5) + 20);
    metrics.close();
  });
});

describe('admission order', () => {
  it('follows first attempts across refreshes: a port first seen after a refresh comes after those before it', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t, { maxPorts: 3 });
    t.scan('192.0.2.1', LOCAL, [900, 800], 0);
    await metrics.registry.metrics();
    t.scan(LOCAL, REMOTE, [700], 1); // outbound first
    t.scan('192.0.2.1', LOCAL, [600, 700, 500], 1);
    const text = await metrics.registry.metrics();
    // Inbound: 900, 800 admitted at the first refresh; then 700 (seen before 600 and 500 globally).
    expect(
      samplesOf(text, 'rstwatch_syn_attempts_total')
        .filter((s) => s.labels.direction === 'inbound')
        .map((s) => s.labels.port),
    ).toEqual(['900', '800', '700', 'other']);
    metrics.close();
  });
});
