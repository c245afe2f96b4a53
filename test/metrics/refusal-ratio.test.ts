import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/metrics.js';
import { until } from '../../kit/wait.js';
import { fakeCapture, metricsFor, samplesOf, Traffic, valueOf } from './helpers.js';

const S = '198.51.100.2';
let clientPort = 30000;

/** `refused` refused and `accepted` accepted attempts on S:port, at `ts` capture seconds. */
function traffic(t: Traffic, port: number, refused: number, accepted: number, ts: number): void {
  for (let i = 0; i < refused; i++) {
    const c = `192.0.2.1:${clientPort++}`;
    t.syn(c, `${S}:${port}`, ts);
    t.rst(`${S}:${port}`, c, ts);
  }
  for (let i = 0; i < accepted; i++) {
    const c = `192.0.2.1:${clientPort++}`;
    t.syn(c, `${S}:${port}`, ts);
    t.synAck(`${S}:${port}`, c, ts);
  }
}

async function ratios(m: { registry: { metrics(): Promise<string> } }): Promise<Record<string, number>> {
  const text = await m.registry.metrics();
  return Object.fromEntries(samplesOf(text, 'rstwatch_refusal_ratio').map((s) => [`${s.labels.direction}/${s.labels.port}`, s.value]));
}

/** Metrics with a fake clock; `at(ms, act)` moves the clock, runs `act`, samples, returns the ratios. */
function windowed(t: Traffic, options: Parameters<typeof metricsFor>[1]) {
  const { metrics, clock } = metricsFor(t, options);
  const at = async (ms: number, act?: () => void): Promise<Record<string, number>> => {
    clock.ms = ms;
    act?.();
    metrics.sample();
    return ratios(metrics);
  };
  return { metrics, at };
}

describe('rstwatch_refusal_ratio over a sliding window (fake clock)', () => {
  it('is refused / ended over the last window seconds, and absent once nothing ended in it', async () => {
    const t = new Traffic();
    const { metrics, clock } = metricsFor(t, { ratioWindowSeconds: 10 });
    expect(await ratios(metrics)).toEqual({});

    clock.ms = 1_000;
    traffic(t, 80, 3, 1, 1);
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 0.75 });

    clock.ms = 5_400;
    traffic(t, 80, 0, 4, 5);
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 3 / 8 });

    // At 12 s the window (2 s, 12 s] holds only the 4 accepted attempts of second 5.
    clock.ms = 12_000;
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 0 });

    // At 16 s nothing ended in (6 s, 16 s]: the series is left out, not NaN.
    clock.ms = 16_000;
    metrics.sample();
    const text = await metrics.registry.metrics();
    expect(samplesOf(text, 'rstwatch_refusal_ratio')).toEqual([]);
    expect(text).not.toContain('NaN');
    // The counters, of course, stay.
    expect(valueOf(text, 'rstwatch_refused_total', { direction: 'inbound', port: '80' })).toBe(3);
    metrics.close();
  });

  it('counts unanswered and ICMP-rejected attempts as ended', async () => {
    const t = new Traffic();
    const { metrics, clock } = metricsFor(t, { ratioWindowSeconds: 60 });
    clock.ms = 2_000;
    traffic(t, 443, 1, 0, 2);
    t.syn('192.0.2.9:1111', `${S}:443`, 2);
    t.icmp('192.0.2.9:1111', `${S}:443`, 10, 2.1);
    t.syn('192.0.2.9:2222', `${S}:443`, 2);
    t.tracker.finish(); // the last one: unanswered
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/443': 1 / 3 });
    metrics.close();
  });

  it('a port admitted later starts from zero; "other" has its own ratio; each direction apart', async () => {
    const t = new Traffic();
    const { metrics, clock } = metricsFor(t, { ratioWindowSeconds: 30, maxPorts: 1 });
    clock.ms = 1_000;
    traffic(t, 80, 1, 1, 1);
    metrics.sample();
    clock.ms = 3_000;
    traffic(t, 81, 2, 0, 3); // folded into "other": maxPorts is 1
    t.syn(`${S}:40000`, '203.0.113.9:5432', 3);
    t.rst('203.0.113.9:5432', `${S}:40000`, 3); // outbound, admitted now
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 0.5, 'inbound/other': 1, 'outbound/5432': 1 });
    metrics.close();
  });

  it('leaves out attempts that ended before the metrics existed', async () => {
    const t = new Traffic();
    traffic(t, 80, 5, 0, 0);
    const { metrics, clock } = metricsFor(t, { ratioWindowSeconds: 60 });
    clock.ms = 1_000;
    metrics.sample();
    expect(await ratios(metrics)).toEqual({});
    traffic(t, 80, 0, 2, 1);
    clock.ms = 2_000;
    metrics.sample();
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 0 });
    metrics.close();
  });

  it('survives a stalled sampler (skipped seconds) and a clock that goes back', async () => {
    const t = new Traffic();
    const { metrics, at } = windowed(t, { ratioWindowSeconds: 5 });
    await at(1_000, () => traffic(t, 80, 1, 0, 1));
    expect(await at(3_000, () => traffic(t, 80, 0, 1, 3))).toEqual({ 'inbound/80': 0.5 });
    // A stall of 100 s: the window then holds nothing.
    expect(await at(103_000)).toEqual({});
    // Back in time: written into the newest second.
    expect(await at(102_500, () => traffic(t, 80, 1, 0, 103))).toEqual({ 'inbound/80': 1 });
    metrics.close();
  });

  it('a window above 120 s moves in 120 steps (600 s: 5 s steps), so a ring holds 121 snapshots whatever the window', async () => {
    const t = new Traffic();
    const { metrics, at } = windowed(t, { ratioWindowSeconds: 600 });
    await at(0);
    expect(await at(10_000, () => traffic(t, 80, 3, 1, 10))).toEqual({ 'inbound/80': 0.75 });
    // At 605 s the oldest step kept is (5 s, 10 s): the attempts of second 10 are in the window...
    expect(await at(605_000)).toEqual({ 'inbound/80': 0.75 });
    // ... and two steps later they are out of it.
    expect(await at(615_000)).toEqual({});
    metrics.close();
  });

  it('rounds a fractional window to whole seconds (at least 1)', async () => {
    const t = new Traffic();
    const { metrics, at } = windowed(t, { ratioWindowSeconds: 0.2 });
    expect(await at(1_000, () => traffic(t, 80, 1, 0, 1))).toEqual({ 'inbound/80': 1 });
    expect(await at(2_000)).toEqual({});
    metrics.close();
  });

  it('a sampler that throws is reported by the refusal_ratio collector until a sample succeeds', async () => {
    const t = new Traffic();
    const { metrics, at } = windowed(t, { ratioWindowSeconds: 60 });
    await at(1_000, () => traffic(t, 80, 1, 0, 1));
    const pc = t.tracker.ports;
    const get = pc.get;
    pc.get = () => {
      throw new Error('boom');
    };
    metrics.sample(); // caught: a throw in the timer must not crash the process
    pc.get = get;
    let text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'refusal_ratio' })).toBe(0);
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'attempts' })).toBe(1);
    expect(samplesOf(text, 'rstwatch_refusal_ratio')).toEqual([]);
    expect(await at(2_000)).toEqual({ 'inbound/80': 1 });
    text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'refusal_ratio' })).toBe(1);
    metrics.close();
  });

  it('the default sampler runs on a timer, and close() stops it', async () => {
    const t = new Traffic();
    const clock = { ms: 0 };
    const metrics = createMetrics(
      { tracker: t.tracker, sink: t.sink, capture: fakeCapture(), version: 'x' },
      { maxPorts: 100, keepPorts: new Set(), ratioWindowSeconds: 60, nowMs: () => clock.ms, sampleIntervalMs: 5 },
    );
    clock.ms = 1_000;
    traffic(t, 80, 1, 1, 1);
    await until('the sampler to take a snapshot', async () => (Object.keys(await ratios(metrics)).length > 0 ? true : undefined), 5_000, undefined, 5);
    expect(await ratios(metrics)).toEqual({ 'inbound/80': 0.5 });
    metrics.close();
    clock.ms = 2_000;
    traffic(t, 80, 2, 0, 2);
    await new Promise((r) => setTimeout(r, 30));
    // Stopped: no new snapshot (the registries are empty too).
    expect(await metrics.registry.metrics()).toBe('\n');
  });
});
