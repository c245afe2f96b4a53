import { describe, expect, it } from 'vitest';
import { CAUSES } from '../../src/causes/classify.js';
import { FAILURE_KIND_NAMES, FailureKind } from '../../src/track/attempt-events.js';
import { metricsFor, parseSamples, samplesOf, Traffic, valueOf } from './helpers.js';
import { decidedAndPendingCauses, everyFailureOutcome, foldedCauses, refuse } from './scenarios.js';

const CAUSES_TOTAL = 'rstwatch_failure_causes_total';
const PENDING = 'rstwatch_failure_causes_pending';

/** Per inbound port label: [causes + pending, the outcome counter] for each outcome. */
function sums(text: string): Record<string, Record<string, [number, number]>> {
  const samples = parseSamples(text);
  const inbound = (name: string, port: string): number =>
    samples.filter((s) => s.name === name && s.labels.direction === 'inbound' && s.labels.port === port).reduce((a, s) => a + s.value, 0);
  const classified = (port: string, outcome: string): number =>
    samples
      .filter((s) => (s.name === CAUSES_TOTAL || s.name === PENDING) && s.labels.port === port && s.labels.outcome === outcome)
      .reduce((a, s) => a + s.value, 0);
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
  const off = Object.entries(all).flatMap(([port, byOutcome]) =>
    Object.entries(byOutcome)
      .filter(([, [a, b]]) => a !== b)
      .map(([o, v]) => `${port} ${o} ${v.join(' != ')}`),
  );
  expect(off).toEqual([]);
  expect(Object.keys(all).length).toBeGreaterThan(0);
}

describe('rstwatch_failure_causes_* metrics', () => {
  it('count decided causes by port, outcome and cause, and the pending ones by port and outcome', async () => {
    const { causes, metrics, scrape, read } = await decidedAndPendingCauses();
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

    causes.addRead(read(3000));
    text = await scrape();
    expect(valueOf(text, CAUSES_TOTAL, { port: '8080', outcome: 'refused', cause: 'no_listener' })).toBe(4);
    expect(samplesOf(text, PENDING)).toEqual([]);
    expectSumsBalance(text);
    metrics.close();
  });

  it('exports every outcome, and OpenMetrics carries the same samples', async () => {
    const { metrics, scrape } = await everyFailureOutcome();
    const text = await scrape();
    expect(valueOf(text, CAUSES_TOTAL, { port: '22', outcome: 'icmp_rejected', cause: 'firewall_icmp' })).toBe(1);
    expect(valueOf(text, CAUSES_TOTAL, { port: '443', outcome: 'unanswered', cause: 'firewall_drop' })).toBe(1);
    expect(valueOf(text, CAUSES_TOTAL, { port: '9000', outcome: 'early_reset', cause: 'backlog_overflow' })).toBe(1);
    expect(samplesOf(text, CAUSES_TOTAL)).toHaveLength(3);
    expectSumsBalance(text);
    expect(sums(text)['9000'].early_reset).toEqual([1, 1]);
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
    const { causes, metrics, scrape } = await foldedCauses();
    const text = await scrape();
    const byPort = (name: string): Record<string, number> => Object.fromEntries(samplesOf(text, name).map((s) => [s.labels.port, s.value]));
    expect(byPort(CAUSES_TOTAL)).toEqual({ 22: 1, 8080: 1, other: 3 });
    expect(byPort(PENDING)).toEqual({ 22: 1, other: 1 });
    const no = FailureKind.Refused;
    const nl = CAUSES.indexOf('no_listener');
    expect(valueOf(text, CAUSES_TOTAL, { port: 'other', outcome: 'refused', cause: 'no_listener' })).toBe(
      causes.total(no, nl) - causes.get(22, no, nl) - causes.get(8080, no, nl),
    );
    expect(valueOf(text, PENDING, { port: 'other', outcome: 'refused' })).toBe(causes.pendingTotal(no) - causes.pending(22, no));
    expect(Object.keys(sums(text)).sort()).toEqual(['22', '8080', 'other']);
    expectSumsBalance(text);
    metrics.close();
  });
});
