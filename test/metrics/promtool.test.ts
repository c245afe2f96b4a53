/**
 * `promtool check metrics` on every exposition that the metrics and HTTP tests build: the same
 * scenarios (scenarios.ts), the same scrapes in the same order, the same strictness (a clean
 * check where the original asked for one, status 0 where it asked for that). promtool comes from
 * Debian's prometheus package (scripts/setup.sh --test); without it these tests fail, never skip.
 *
 * Where each case comes from (original file › describe › test; "status 0" marks the cases that
 * check the status only, the others expect status 0 and no output):
 *  1. metrics.test.ts › createMetrics: exact values from a real tracker and pipeline ›
 *     passes promtool check metrics (text format)
 *  2. metrics.test.ts › createMetrics: exact values from a real tracker and pipeline ›
 *     text format keeps _total after OpenMetrics scrapes (both text scrapes; status 0)
 *  3. metrics.test.ts › a collector that throws › is reported as rstwatch_scrape_collector_success 0,
 *     the scrape still succeeds, and recovers (the text scrape while the collector fails; status 0)
 *  4. metrics.test.ts › suspect resets › reads the source through the same port selection (status 0)
 *  5. kernel-metrics.test.ts › rstwatch_kernel_* metrics › export the listen counters and sysctls
 *     of the latest snapshot, read from this namespace
 *  6. port-selection.test.ts › bounded series › a scan of all 65535 ports in every direction stays
 *     within maxPorts + keepPorts + other per direction
 *  7. failure-causes-metrics.test.ts › count decided causes by port, outcome and cause, and the
 *     pending ones (the first scrape)
 *  8. failure-causes-metrics.test.ts › exports every outcome, and OpenMetrics carries the same samples
 *     (the text scrape)
 *  9. failure-causes-metrics.test.ts › with --max-ports small, port="other" is the total minus the
 *     selected ports
 * 10. http/server.test.ts › /metrics › serves the text format by default (GET /metrics, no Accept)
 * 11. http/server.test.ts › /metrics › answers concurrent scrapes of both formats consistently
 *     (the first body, text; status 0)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server.js';
import {
  concurrentScrapes,
  decidedAndPendingCauses,
  everyFailureOutcome,
  everyOutcomeMetrics,
  failingCaptureMetrics,
  foldedCauses,
  fullScanMetrics,
  kernelSnapshotMetrics,
  startMetricsServer,
  suspectResetsMetrics,
  textBetweenOpenMetricsScrapes,
  url,
  type CausesFixture,
} from './scenarios.js';

/** The promtool binary; fails (never skips) when it is not installed. */
function promtoolPath(): string {
  for (const p of ['/usr/bin/promtool', '/usr/local/bin/promtool']) if (existsSync(p)) return p;
  throw new Error("promtool is not installed: run `bash scripts/setup.sh --test` (installs Debian's prometheus package, which has it)");
}

/** Runs `promtool check metrics` on an exposition; status 0 and no output means clean. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync(promtoolPath(), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** Builds a failure-causes scenario, checks its first text scrape cleanly, and closes it. */
async function expectCleanCauses(build: () => Promise<CausesFixture>): Promise<void> {
  const { metrics, scrape } = await build();
  expect(promtoolCheck(await scrape())).toEqual({ status: 0, output: '' });
  metrics.close();
}

/** Starts the HTTP server of server.test.ts, runs `use` on it, and stops it (and its metrics). */
async function withServer(use: (s: HttpServer) => Promise<void>): Promise<void> {
  const { server, metrics } = await startMetricsServer();
  try {
    await use(server);
  } finally {
    await server.close();
    metrics.close();
  }
}

describe('metrics.test.ts', () => {
  describe('createMetrics: exact values from a real tracker and pipeline', () => {
    const { metrics } = everyOutcomeMetrics();
    afterAll(() => metrics.close());

    it('1. passes promtool check metrics (text format)', async () => {
      expect(promtoolCheck(await metrics.registry.metrics())).toEqual({ status: 0, output: '' });
    });

    it('2. text format keeps _total after OpenMetrics scrapes', async () => {
      for (const s of await textBetweenOpenMetricsScrapes(metrics)) expect(promtoolCheck(s).status).toBe(0);
    });
  });

  it('3. a collector that throws: the scrape that reports it', async () => {
    const { metrics } = failingCaptureMetrics();
    for (const registry of [metrics.registry, metrics.openMetricsRegistry]) await registry.metrics();
    expect(promtoolCheck(await metrics.registry.metrics()).status).toBe(0);
    metrics.close();
  });

  it('4. suspect resets through the port selection', async () => {
    const metrics = suspectResetsMetrics();
    expect(promtoolCheck(await metrics.registry.metrics()).status).toBe(0);
    metrics.close();
  });
});

describe('kernel-metrics.test.ts', () => {
  it('5. rstwatch_kernel_* from this namespace', async () => {
    const { metrics } = await kernelSnapshotMetrics();
    expect(promtoolCheck(await metrics.registry.metrics())).toEqual({ status: 0, output: '' });
    metrics.close();
  });
});

describe('port-selection.test.ts', () => {
  it('6. a scan of all 65535 ports in every direction', async () => {
    const { metrics } = fullScanMetrics();
    expect(promtoolCheck(await metrics.registry.metrics())).toEqual({ status: 0, output: '' });
    metrics.close();
  });
});

describe('failure-causes-metrics.test.ts', () => {
  it('7. decided and pending causes', () => expectCleanCauses(decidedAndPendingCauses));
  it('8. every failure outcome', () => expectCleanCauses(everyFailureOutcome));
  it('9. causes folded into port="other"', () => expectCleanCauses(foldedCauses));
});

describe('http/server.test.ts', () => {
  it('10. GET /metrics in the default (text) format', () =>
    withServer(async (s) => {
      const text = await (await fetch(url(s, '/metrics'))).text();
      expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    }));

  it('11. the first of concurrent scrapes of both formats', () =>
    withServer(async (s) => {
      const results = await concurrentScrapes(s);
      expect(promtoolCheck(results[0]).status).toBe(0);
    }));
});
