import { defineConfig } from 'vitest/config';

/**
 * Test files that need more than Node and the npm packages, and what each needs. They form the
 * `system` project; every other test file is in `unit` (`npm run test:unit`: no root, no network
 * namespace, no external tool, no built binary; well under a minute). `npm test` runs both.
 * A unit test that starts needing one of these fails in `test:unit` on a machine without it:
 * move it here, with its reason. The README's table of subsets is this list.
 */
export const SYSTEM_TESTS: Readonly<Record<string, string>> = {
  'test/capture/live-capture.test.ts': 'root, network namespaces, tcpdump, iptables',
  'test/capture/live-open.test.ts': 'root, network namespaces',
  'test/capture/capture-thread.test.ts': 'root, network namespaces, the native addon (the capture thread and its queue under a stalled event loop)',
  'test/capture/oracle.test.ts': 'tshark, ../shared/pcaps',
  'test/capture/corrupt-files.test.ts': 'the built binary (dist/), GNU time, ../shared/pcaps-more',
  'test/capture/real-cuts.test.ts': '../shared/pcaps, ../shared/pcaps-more (every real capture cut short at many offsets)',
  'test/deploy/package.test.ts': 'npm pack and install (the npm cache or registry for the optional cap), a C compiler, libpcap-dev',
  'test/deploy/prometheus-rules.test.ts': 'promtool',
  'test/kernel/kernel-state-netns.test.ts': 'root, network namespaces, ss',
  'test/live/faults-netns.test.ts': 'root, network namespaces, the built binary',
  'test/live/privileges-netns.test.ts': 'root, network namespaces, capsh, unshare, the built binary and native addon',
  'test/live/signals-netns.test.ts': 'root, network namespaces, the built binary',
  'test/e2e/cli-replay.test.ts': 'the built binary (dist/)',
  'test/e2e/diagnose-netns.test.ts': 'root, network namespaces, the built binary',
  'test/e2e/failure-causes-netns.test.ts': 'root, network namespaces, iptables, the built binary',
  'test/e2e/fixtures.test.ts': 'tshark',
  'test/e2e/html-report.test.ts': 'chromium (headless), the built binary (dist/), ../shared/pcaps',
  'test/e2e/memory-netns.test.ts': 'root, network namespaces, the built binary and native addon (it injects the SYNs); about a minute',
  'test/e2e/live-netns.test.ts': 'root, network namespaces, iptables, tcpdump, tshark, prometheus, the built binary',
  'test/e2e/record-netns.test.ts': 'root, network namespaces, iptables, tcpdump, tshark',
  'test/e2e/shared-pcaps.test.ts': 'tshark, ../shared/pcaps',
  'test/e2e/suspect-resets.test.ts': 'root, network namespaces, tcpdump, tshark, the built binary, ../shared/pcaps',
  'test/http/prometheus.test.ts': 'prometheus (a real server scraping the daemon)',
  'test/metrics/promtool.test.ts': 'promtool',
  'test/oracle/tshark-oracle.test.ts': 'tshark, tcpdump, ../shared/pcaps',
  'test/oracle/replay-pairs.test.ts':
    'tshark, the built binary (dist/), ../shared/pcaps (every capture replayed four times: --bucket 1 and 0.001, --max-pairs 3)',
  'test/report/scans-captures.test.ts': 'tshark, ../shared/pcaps, ../shared/pcaps-more',
  'test/report/report-thread.test.ts': 'the built binary and report thread (dist/), ../shared/pcaps',
  'test/wire/tshark-crosscheck.test.ts': 'tshark, ../shared/pcaps',
  'test/wire/untracked-segment-captures.test.ts': '../shared/pcaps',
};

const system = Object.keys(SYSTEM_TESTS);

export default defineConfig({
  test: {
    // Network-namespace and subprocess tests share kernel state: keep files in separate
    // processes, and give real traffic time (every wait inside the tests is bounded).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: system } },
      // dist/ is built (when stale) only for this project: some of its tests run the binary.
      { extends: true, test: { name: 'system', include: system, globalSetup: ['test/global-setup.ts'] } },
    ],
  },
});
