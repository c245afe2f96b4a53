import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_SECONDS, LatencyHistogram } from '../../src/track/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('puts each observation in the first bucket whose bound is >= it (Prometheus le)', () => {
    const h = new LatencyHistogram();
    h.observe(0, 0.0001); // == first bound
    h.observe(0, 0.00011);
    h.observe(0, 120); // beyond the last bound: +Inf
    expect(h.counts[0]).toBe(1);
    expect(h.counts[1]).toBe(1);
    expect(h.counts[LATENCY_BUCKETS_SECONDS.length]).toBe(1);
    expect(h.count[0]).toBe(3);
    expect(h.sumSeconds[0]).toBeCloseTo(120.00021, 9);
    expect(h.minSeconds[0]).toBe(0.0001);
    expect(h.maxSeconds[0]).toBe(120);
  });

  it('estimates quantiles within a few percent', () => {
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 1; i <= 1000; i++) values.push(0.0002 * i); // 0.2 ms .. 200 ms, uniform
    for (const v of values) h.observe(1, v);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      expect(Math.abs(h.quantile(q, [1]) - exact) / exact).toBeLessThan(0.04);
    }
  });

  it('does not invent values: six 100 ms refusals and one of 30 s have a 100 ms median', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 6; i++) h.observe(2, 0.1 + i * 1e-9);
    h.observe(2, 30);
    expect(Math.abs(h.quantile(0.5, [2]) - 0.1) / 0.1).toBeLessThan(0.04);
    expect(h.quantile(1, [2])).toBe(30);
  });

  it('merges directions, and is NaN when empty', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5, [0, 1, 2])).toBeNaN();
    h.observe(0, 0.001);
    h.observe(1, 0.003);
    expect(h.quantile(0, [0, 1])).toBeCloseTo(0.001, 6);
    expect(h.quantile(1, [0, 1])).toBeCloseTo(0.003, 6);
  });

  it('counts negative latencies (non-monotonic captures) as zero', () => {
    const h = new LatencyHistogram();
    h.observe(0, -0.5);
    expect(h.minSeconds[0]).toBe(0);
    expect(h.counts[0]).toBe(1);
  });
});
