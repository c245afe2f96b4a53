import { beforeAll, describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/diagnose/classify.js';
import { FailureCauses } from '../../src/diagnose/failure-causes.js';
import { readKernelState, type KernelStateSnapshot } from '../../src/diagnose/kernel-state.js';
import type { Listener } from '../../src/diagnose/proc-net-tcp.js';
import type { CauseSource, MetricsOptions, RstwatchMetrics } from '../../src/metrics/metrics.js';
import { FAILURE_KIND_NAMES, FailureKind } from '../../src/track/tracker.js';
import { ethernet, tcp4 } from '../support/craft.js';
import { metricsFor, parseSamples, promtoolCheck, samplesOf, Traffic, valueOf } from './helpers.js';

const C = '192.0.2.10';
const S = '198.51.100.2'; // local: attempts to it are inbound
const R = '203.0.113.9'; // remote
const CAUSES_TOTAL = 'rstwatch_failure_causes_total';
const PENDING = 'rstwatch_failure_causes_pending';

/** This namespace's kernel state, read for real once; each read of a test is a copy with its own time and listeners. */
let base: KernelStateSnapshot;
beforeAll(async () => {
  base = await readKernelState({ ssPath: null, ownersOf: 'queued' });
});

function read(takenAtMs: number, listeners: Listener[] = []): KernelStateSnapshot {
  return { ...base, takenAtMs, doneAtMs: takenAtMs, listeners, errors: [] };
}

function listener(port: number, full = false): Listener {
  return { family: 4, address: '0.0.0.0', port, v6only: undefined, v6onlySource: 'not_applicable', acceptQueue: full ? 3 : 0, backlog: 2, inode: 7000 + port, uid: 0 };
}

/** Traffic whose tracker tells its failures to a FailureCauses (as the daemon wires them), and metrics over both. */
function setup(options: Partial<MetricsOptions> = {}): { t: Traffic; causes: FailureCauses; metrics: RstwatchMetrics; scrape: () => Promise<string> } {
  const t = new Traffic({ attemptTimeoutSeconds: 5, failures: { attemptFailed: (kind, slot, ts) => causes.attemptFailed(kind, slot, ts) } });
  const causes = new FailureCauses(t.tracker, { historyMs: 30_000 });
  const source: CauseSource = { outcomeNames: FAILURE_KIND_NAMES, causeNames: CAUSES, get: (p, o, c) => causes.get(p, o, c), total: (o, c) => causes.total(o, c), pending: (p, o) => causes.pending(p, o), pendingTotal: (o) => causes.pendingTotal(o) };
  const { metrics } = metricsFor(t, options, { causes: source });
  return { t, causes, metrics, scrape: () => metrics.registry.metrics() };
}

function refuse(t: Traffic, port: number, sport: number, ts: number): void {
  t.syn(`${C}:${sport}`, `${S}:${port}`, ts);
  t.rst(`${S}:${port}`, `${C}:${sport}`, ts + 0.001);
}

/** Per inbound port label: [causes + pending, the outcome counter] for each outcome. */
function sums(text: string): Record<string, Record<string, [number, number]>> {
  const samples = parseSamples(text);
  const inbound = (name: string, port: string): number =>
    samples.filter((s) => s.name === name && s.labels.direction === 'inbound' && s.labels.port === port).reduce((a, s) => a + s.value, 0);
  const classified = (port: string, outcome: string): number =>
    samples.filter((s) => (s.name === CAUSES_TOTAL || s.name === PENDING) && s.labels.port === port && s.labels.outcome === outcome).reduce((a, s) => a + s.value, 0);
  const counters: Record<string, string> = {
    refused: 'rstwatch_refused_total',
    icmp_rejected: 'rstwatch_icmp_rejected_total',
    unanswered: 'rstwatch_unanswered_total',
    early_reset: 'rstwatch_early_resets_total',
  };
  const out: Record<string, Record<string, [number, number]>> = {};
  for (const s of samplesOf(text, 'rstwatch_syn_attempts_total')) {
    if (s.labels.direction !== 'inbound') continue;
    const port = s.labels.port;
    out[port] = Object.fromEntries(FAILURE_KIND_NAMES.map((o) => [o, [classified(port, o), inbound(counters[o], port)]]));
  }
  return out;
}

/** Every (port, outcome) of `sums` balances. */
function expectSumsBalance(text: string): void {
  const all = sums(text);
  const off = Object.entries(all).flatMap(([port, byOutcome]) => Object.entries(byOutcome).filter(([, [a, b]]) => a !== b).map(([o, v]) => `${port} ${o} ${v.join(' != ')}`));
  expect(off).toEqual([]);
  expect(Object.keys(all).length).toBeGreaterThan(0);
}

describe('rstwatch_failure_causes_* metrics', () => {
  it('count decided causes by port, outcome and cause, and the pending ones by port and outcome', async () => {
    const { t, causes, metrics, scrape } = setup();
    causes.addRead(read(1000));
    refuse(t, 8080, 40001, 1.1);
    refuse(t, 8080, 40002, 1.2);
    refuse(t, 8080, 40003, 1.3);
    t.syn(`${S}:50001`, `${R}:5432`, 1.4);
    t.rst(`${R}:5432`, `${S}:50001`, 1.5); // outbound: no cause series
    causes.addRead(read(2000));
    refuse(t, 8080, 40004, 2.1); // waits for the next read
    let text = await scrape();
    expect(text).toMatch(/^rstwatch_failure_causes_total\{port="8080",outcome="refused",cause="no_listener"\} 3$/m);
    expect(text).toMatch(/^rstwatch_failure_causes_pending\{port="8080",outcome="refused"\} 1$/m);
    expect(text).toMatch(/^# TYPE rstwatch_failure_causes_total counter$/m);
    expect(text).toMatch(/^# TYPE rstwatch_failure_causes_pending gauge$/m);
    expect(samplesOf(text, CAUSES_TOTAL)).toHaveLength(1); // zero counts are left out
    expect(samplesOf(text, CAUSES_TOTAL).some((s) => s.labels.port === '5432')).toBe(false);
    expect(valueOf(text, 'rstwatch_refused_total', { direction: 'inbound', port: '8080' })).toBe(4);
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'causes' })).toBe(1);
    expectSumsBalance(text);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });

    causes.addRead(read(3000));
    text = await scrape();
    expect(valueOf(text, CAUSES_TOTAL, { port: '8080', outcome: 'refused', cause: 'no_listener' })).toBe(4);
    expect(samplesOf(text, PENDING)).toEqual([]);
    expectSumsBalance(text);
    metrics.close();
  });

  it('exports every outcome, and OpenMetrics carries the same samples', async () => {
    const { t, causes, metrics, scrape } = setup();
    const ls = [listener(443), listener(9000, true)];
    causes.addRead(read(1000, ls));
    t.syn(`${C}:40001`, `${S}:22`, 1.1);
    t.icmp(`${C}:40001`, `${S}:22`, 13, 1.2); // ICMP-rejected
    t.syn(`${C}:40002`, `${S}:443`, 1.3); // unanswered at 6.3+
    t.syn(`${C}:40003`, `${S}:9000`, 1.4);
    t.synAck(`${S}:9000`, `${C}:40003`, 1.41);
    t.frame(ethernet(tcp4({ src: S, dst: C, sport: 9000, dport: 40003, flags: 'R', seq: 5001 })), 1.5); // early reset
    causes.addRead(read(2000, ls));
    t.tracker.expire(7);
    const text = await scrape();
    expect(valueOf(text, CAUSES_TOTAL, { port: '22', outcome: 'icmp_rejected', cause: 'firewall_icmp' })).toBe(1);
    expect(valueOf(text, CAUSES_TOTAL, { port: '443', outcome: 'unanswered', cause: 'firewall_drop' })).toBe(1);
    expect(valueOf(text, CAUSES_TOTAL, { port: '9000', outcome: 'early_reset', cause: 'backlog_overflow' })).toBe(1);
    expect(samplesOf(text, CAUSES_TOTAL)).toHaveLength(3);
    expectSumsBalance(text);
    expect(sums(text)['9000'].early_reset).toEqual([1, 1]);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    const om = await metrics.openMetricsRegistry.metrics();
    expect(om).toMatch(/^# TYPE rstwatch_failure_causes counter$/m);
    expect(om).toMatch(/^rstwatch_failure_causes_total\{port="443",outcome="unanswered",cause="firewall_drop"\} 1$/m);
    expect(om).toMatch(/^# EOF$/m);
    metrics.close();
  });

  it('without a causes source, the families have HELP and TYPE only', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t);
    refuse(t, 8080, 40001, 1);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# HELP rstwatch_failure_causes_total /m);
    expect(samplesOf(text, CAUSES_TOTAL)).toEqual([]);
    expect(samplesOf(text, PENDING)).toEqual([]);
    metrics.close();
  });

  it('with --max-ports small, port="other" is the total minus the selected ports, and the sums still balance', async () => {
    const { t, causes, metrics, scrape } = setup({ maxPorts: 1, keepPorts: new Set([8080]) });
    causes.addRead(read(1000));
    refuse(t, 22, 40001, 1.1); // admitted first
    refuse(t, 80, 40002, 1.2); // folded
    refuse(t, 81, 40003, 1.3); // folded
    refuse(t, 81, 40004, 1.35);
    refuse(t, 8080, 40005, 1.4); // a keep port: its own series
    causes.addRead(read(2000));
    refuse(t, 80, 40006, 2.2); // pending, folded
    refuse(t, 22, 40007, 2.3); // pending, selected
    const text = await scrape();
    const byPort = (name: string): Record<string, number> => Object.fromEntries(samplesOf(text, name).map((s) => [s.labels.port, s.value]));
    expect(byPort(CAUSES_TOTAL)).toEqual({ 22: 1, 8080: 1, other: 3 });
    expect(byPort(PENDING)).toEqual({ 22: 1, other: 1 });
    const no = FailureKind.Refused;
    const nl = CAUSES.indexOf('no_listener');
    expect(valueOf(text, CAUSES_TOTAL, { port: 'other', outcome: 'refused', cause: 'no_listener' })).toBe(causes.total(no, nl) - causes.get(22, no, nl) - causes.get(8080, no, nl));
    expect(valueOf(text, PENDING, { port: 'other', outcome: 'refused' })).toBe(causes.pendingTotal(no) - causes.pending(22, no));
    expect(Object.keys(sums(text)).sort()).toEqual(['22', '8080', 'other']);
    expectSumsBalance(text);
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    metrics.close();
  });
});
