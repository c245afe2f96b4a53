import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { METRICS } from '../../src/metrics/names.js';
import { byPort, fakeCapture, metricsFor, parseSamples, samplesOf, Traffic, valueOf } from './helpers.js';
import { everyOutcome, everyOutcomeMetrics, failingCaptureMetrics, suspectResetsMetrics, textBetweenOpenMetricsScrapes } from './scenarios.js';

const FRAMES = 21;

describe('createMetrics: exact values from a real tracker and pipeline', () => {
  const { t, metrics } = everyOutcomeMetrics();

  it('exports every attempt and outcome counter by direction and port', async () => {
    const text = await metrics.registry.metrics();
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'inbound')).toEqual({ 80: 3, 443: 1, 8080: 1 });
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'outbound')).toEqual({ 5432: 3 });
    expect(byPort(text, 'rstwatch_syn_attempts_total', 'unknown')).toEqual({ 22: 1 });
    expect(byPort(text, 'rstwatch_syn_retransmits_total', 'inbound')).toEqual({ 80: 1, 443: 0, 8080: 0 });
    expect(byPort(text, 'rstwatch_accepted_total', 'inbound')).toEqual({ 80: 1, 443: 0, 8080: 0 });
    expect(byPort(text, 'rstwatch_refused_total', 'inbound')).toEqual({ 80: 1, 443: 1, 8080: 1 });
    expect(byPort(text, 'rstwatch_refused_total', 'outbound')).toEqual({ 5432: 1 });
    expect(byPort(text, 'rstwatch_refused_total', 'unknown')).toEqual({ 22: 0 });
    expect(byPort(text, 'rstwatch_unanswered_total', 'outbound')).toEqual({ 5432: 1 });
    expect(byPort(text, 'rstwatch_unanswered_total', 'unknown')).toEqual({ 22: 1 });
    expect(byPort(text, 'rstwatch_icmp_rejected_total', 'inbound', { reason: 'port_unreachable' })).toEqual({ 80: 1, 443: 0, 8080: 0 });
    expect(byPort(text, 'rstwatch_icmp_rejected_total', 'outbound', { reason: 'admin_prohibited' })).toEqual({ 5432: 1 });
    // Five reasons per touched series, all present (zeros included) so rate() sees the first one.
    expect(samplesOf(text, 'rstwatch_icmp_rejected_total')).toHaveLength(5 * 5);
    const reasons = new Set(samplesOf(text, 'rstwatch_icmp_rejected_total').map((s) => s.labels.reason));
    expect([...reasons].sort()).toEqual(['admin_prohibited', 'host_unreachable', 'net_unreachable', 'other', 'port_unreachable']);
    // No "other" series: nothing was folded.
    expect(samplesOf(text, 'rstwatch_syn_attempts_total').some((s) => s.labels.port === 'other')).toBe(false);
  });

  it('exports the refusal latency as a cumulative histogram per direction', async () => {
    const text = await metrics.registry.metrics();
    const name = 'rstwatch_refusal_latency_seconds';
    const buckets = (direction: string): Record<string, number> =>
      Object.fromEntries(
        samplesOf(text, `${name}_bucket`)
          .filter((s) => s.labels.direction === direction)
          .map((s) => [s.labels.le, s.value]),
      );
    expect(buckets('inbound')).toEqual({
      '0.0001': 0,
      '0.00025': 0,
      '0.0005': 1,
      '0.001': 2,
      '0.0025': 2,
      '0.005': 2,
      '0.01': 2,
      '0.025': 3,
      '0.05': 3,
      '0.1': 3,
      '0.25': 3,
      '0.5': 3,
      '1': 3,
      '2.5': 3,
      '5': 3,
      '10': 3,
      '30': 3,
      '60': 3,
      '+Inf': 3,
    });
    expect(buckets('outbound')['0.25']).toBe(0);
    expect(buckets('outbound')['0.5']).toBe(1);
    expect(buckets('outbound')['+Inf']).toBe(1);
    expect(buckets('unknown')).toEqual({}); // no refusal: no series
    expect(valueOf(text, `${name}_count`, { direction: 'inbound' })).toBe(3);
    expect(valueOf(text, `${name}_sum`, { direction: 'inbound' })).toBeCloseTo(0.0004 + 0.02 + 0.001, 9);
    expect(valueOf(text, `${name}_count`, { direction: 'outbound' })).toBe(1);
    expect(valueOf(text, `${name}_sum`, { direction: 'outbound' })).toBeCloseTo(0.3, 9);
  });

  it('exports tracker, capture, decode and build metrics', async () => {
    const text = await metrics.registry.metrics();
    expect(t.sink.packets).toBe(FRAMES);
    expect(valueOf(text, 'rstwatch_capture_packets_total')).toBe(FRAMES);
    expect(valueOf(text, 'rstwatch_capture_up')).toBe(1);
    expect(valueOf(text, 'rstwatch_capture_dropped_total', { where: 'kernel' })).toBe(7);
    expect(valueOf(text, 'rstwatch_capture_dropped_total', { where: 'interface' })).toBe(2);
    expect(valueOf(text, 'rstwatch_capture_dropped_total', { where: 'queue' })).toBe(5);
    expect(valueOf(text, 'rstwatch_resets_seen_total')).toBe(5);
    expect(valueOf(text, 'rstwatch_unmatched_answers_total', { kind: 'reset' })).toBe(1);
    expect(valueOf(text, 'rstwatch_unmatched_answers_total', { kind: 'syn_ack' })).toBe(0);
    expect(valueOf(text, 'rstwatch_unmatched_answers_total', { kind: 'icmp' })).toBe(0);
    expect(valueOf(text, 'rstwatch_attempts_tracked')).toBe(7); // answered attempts lingering
    expect(valueOf(text, 'rstwatch_attempt_evictions_total', { state: 'pending' })).toBe(0);
    expect(valueOf(text, 'rstwatch_attempt_evictions_total', { state: 'resolved' })).toBe(0);
    const errors = samplesOf(text, 'rstwatch_decode_errors_total');
    expect(errors).toHaveLength(12); // every error reason, only error reasons
    expect(errors.filter((s) => s.value > 0).map((s) => [s.labels.reason, s.value])).toEqual([['truncated_link', 1]]);
    expect(errors.some((s) => s.labels.reason.startsWith('ok_') || s.labels.reason === 'not_ip')).toBe(false);
    const skipped = samplesOf(text, 'rstwatch_frames_skipped_total');
    expect(skipped.map((s) => s.labels.reason)).toEqual(['not_ip', 'not_tcp', 'ip_fragment', 'icmp_not_tcp', 'icmp_frag_needed']);
    expect(skipped.filter((s) => s.value > 0).map((s) => [s.labels.reason, s.value])).toEqual([
      ['not_ip', 1],
      ['not_tcp', 1],
    ]);
    expect(valueOf(text, 'rstwatch_build_info', { version: '9.8.7-test' })).toBe(1);
    expect(samplesOf(text, 'rstwatch_suspect_resets_total')).toEqual([]);
    expect(text).toContain('# TYPE rstwatch_suspect_resets_total counter');
    expect(samplesOf(text, 'rstwatch_scrape_collector_success').every((s) => s.value === 1)).toBe(true);
    // prom-client's default metrics are there.
    expect(valueOf(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(samplesOf(text, 'nodejs_heap_size_used_bytes')).toHaveLength(1);
  });

  it('every family in names.ts is in the exposition with its help text and type', async () => {
    const text = await metrics.registry.metrics();
    for (const spec of Object.values(METRICS)) {
      expect(text).toContain(`# HELP ${spec.name} ${spec.help}\n# TYPE ${spec.name} ${spec.type}\n`);
      expect(spec.name).toMatch(/^rstwatch_[a-z0-9_]+$/);
      if (spec.type === 'counter') expect(spec.name).toMatch(/_total$/);
      else expect(spec.name).not.toMatch(/_total$/);
    }
  });

  it('OpenMetrics: same values, counters typed without _total, samples with it, ends with # EOF', async () => {
    const om = await metrics.openMetricsRegistry.metrics();
    expect(metrics.openMetricsRegistry.contentType).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(om.endsWith('\n# EOF\n')).toBe(true);
    expect(om.split('\n').filter((l) => l === '')).toEqual(['']); // only after # EOF
    expect(om).toContain('# TYPE rstwatch_refused counter\n');
    expect(om).not.toContain('# TYPE rstwatch_refused_total');
    expect(om).toContain('# TYPE rstwatch_refusal_latency_seconds histogram\n');
    const text = await metrics.registry.metrics();
    const ours = (s: string) => parseSamples(s).filter((x) => x.name.startsWith('rstwatch_'));
    expect(ours(om)).toEqual(ours(text));
  });

  it('text format keeps _total after OpenMetrics scrapes (separate collector objects per registry)', async () => {
    for (const s of await textBetweenOpenMetricsScrapes(metrics)) {
      expect(s).toContain('# TYPE rstwatch_refused_total counter\n');
      expect(s).toContain('# TYPE process_cpu_user_seconds_total counter\n');
    }
  });

  it('leaves the drop counters out when the backend has no pcap_stats', async () => {
    const { metrics: m } = metricsFor(t, {}, { capture: fakeCapture({ statsSupported: false, up: () => false }) });
    const text = await m.registry.metrics();
    expect(samplesOf(text, 'rstwatch_capture_dropped_total')).toEqual([]);
    expect(valueOf(text, 'rstwatch_capture_up')).toBe(0);
    m.close();
  });

  it('exports how long and how often the capture stopped, as the capture tells at scrape time', async () => {
    let down = 0;
    const { metrics: m } = metricsFor(t, {}, { capture: fakeCapture({ up: () => false, downSeconds: () => (down += 2.5), faults: () => 3 }) });
    for (const want of [2.5, 5]) {
      const text = await m.registry.metrics();
      expect(text).toContain('# TYPE rstwatch_capture_down_seconds_total counter\n');
      expect(valueOf(text, 'rstwatch_capture_down_seconds_total')).toBe(want);
      expect(valueOf(text, 'rstwatch_capture_faults_total')).toBe(3);
    }
    m.close();
  });
});

describe('a collector that throws', () => {
  it('is reported as rstwatch_scrape_collector_success 0, the scrape still succeeds, and recovers', async () => {
    const { metrics, warnings, repair } = failingCaptureMetrics();
    for (const registry of [metrics.registry, metrics.openMetricsRegistry]) {
      const text = await registry.metrics();
      expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'capture' })).toBe(0);
      for (const s of samplesOf(text, 'rstwatch_scrape_collector_success')) if (s.labels.collector !== 'capture') expect(s.value).toBe(1);
      expect(text).toMatch(/# TYPE rstwatch_capture_dropped(_total)? counter\n(?!rstwatch_capture_dropped)/);
      expect(valueOf(text, 'rstwatch_capture_up')).toBe(1); // the other families of the collector stay
      expect(byPort(text, 'rstwatch_refused_total', 'inbound')).toEqual({ 80: 1, 443: 1, 8080: 1 });
    }
    // Logged once when it started failing, not at every scrape.
    expect(warnings).toHaveLength(1);
    expect(String((warnings[0] as unknown[])[1])).toContain("'capture'");
    repair();
    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'capture' })).toBe(1);
    expect(valueOf(text, 'rstwatch_capture_dropped_total', { where: 'kernel' })).toBe(3);
    metrics.close();
  });

  it('covers prom-client default metrics too (collector "process")', async () => {
    const t = new Traffic();
    const { metrics } = metricsFor(t);
    const cpu = metrics.registry.getSingleMetric('process_cpu_user_seconds_total') as unknown as { collect: () => void };
    cpu.collect = () => {
      throw new Error('no /proc');
    };
    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'process' })).toBe(0);
    expect(samplesOf(text, 'process_cpu_user_seconds_total')).toEqual([]);
    expect(valueOf(text, 'rstwatch_build_info', { version: '9.8.7-test' })).toBe(1);
    // The other registry has its own default metrics, unaffected.
    const om = await metrics.openMetricsRegistry.metrics();
    expect(valueOf(om, 'rstwatch_scrape_collector_success', { collector: 'process' })).toBe(1);
    metrics.close();
  });

  it('a failing tracker read leaves out only that family', async () => {
    const t = everyOutcome();
    const { metrics } = metricsFor(t);
    Object.defineProperty(t.tracker, 'tracked', {
      get() {
        throw new Error('boom');
      },
    });
    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'tracker' })).toBe(0);
    expect(samplesOf(text, 'rstwatch_attempts_tracked')).toEqual([]);
    expect(valueOf(text, 'rstwatch_resets_seen_total')).toBe(5);
    metrics.close();
  });
});

describe('suspect resets (source filled by a later issue)', () => {
  it('reads the source through the same port selection, non-zero series only', async () => {
    const metrics = suspectResetsMetrics();
    const text = await metrics.registry.metrics();
    const got = samplesOf(text, 'rstwatch_suspect_resets_total').map((s) => [s.labels.direction, s.labels.port, s.labels.heuristic, s.value]);
    // Ports 80 and 443 were admitted first; 22 is folded into "other".
    expect(got).toEqual([
      ['inbound', '80', 'ttl_mismatch', 2],
      ['inbound', 'other', 'ack_mismatch', 1],
    ]);
    metrics.close();
  });
});
