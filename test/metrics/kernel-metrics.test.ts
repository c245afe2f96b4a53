import { describe, expect, it } from 'vitest';
import { readSysctls } from '../../src/kernel/sysctl.js';
import { metricsFor, Traffic, valueOf } from './helpers.js';
import { kernelSnapshotMetrics } from './scenarios.js';

describe('rstwatch_kernel_* metrics', () => {
  it('export the listen counters and sysctls of the latest snapshot, read from this namespace', async () => {
    const { snapshot, metrics } = await kernelSnapshotMetrics();
    const text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_kernel_listen_overflows_total')).toBe(snapshot.tcpExt.listenOverflows);
    expect(valueOf(text, 'rstwatch_kernel_listen_drops_total')).toBe(snapshot.tcpExt.listenDrops);
    expect(valueOf(text, 'rstwatch_kernel_syncookies_sent_total')).toBe(snapshot.tcpExt.syncookiesSent);
    expect(valueOf(text, 'rstwatch_kernel_somaxconn')).toBe(snapshot.sysctls.somaxconn);
    expect(valueOf(text, 'rstwatch_kernel_tcp_max_syn_backlog')).toBe(snapshot.sysctls.tcpMaxSynBacklog);
    expect(valueOf(text, 'rstwatch_kernel_tcp_abort_on_overflow')).toBe(snapshot.sysctls.tcpAbortOnOverflow);
    expect(valueOf(text, 'rstwatch_kernel_syncookies')).toBe(snapshot.sysctls.tcpSyncookies);
    expect(await metrics.openMetricsRegistry.metrics()).toMatch(/^rstwatch_kernel_listen_overflows_total \d+$/m);
    metrics.close();
  });

  it('before the first read, and for a value that could not be read, have no sample (only HELP/TYPE)', async () => {
    let snapshot: { tcpExt: null; sysctls: Awaited<ReturnType<typeof readSysctls>> } | undefined;
    const { metrics } = metricsFor(new Traffic(), {}, { kernel: { latest: () => snapshot } });
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/^# TYPE rstwatch_kernel_somaxconn gauge$/m);
    expect(valueOf(text, 'rstwatch_kernel_somaxconn')).toBeUndefined();
    snapshot = { tcpExt: null, sysctls: { somaxconn: 4096, tcpMaxSynBacklog: null, tcpAbortOnOverflow: 1, tcpSyncookies: 1, bindv6only: 0, errors: [] } };
    text = await metrics.registry.metrics();
    expect(valueOf(text, 'rstwatch_kernel_somaxconn')).toBe(4096);
    expect(valueOf(text, 'rstwatch_kernel_tcp_abort_on_overflow')).toBe(1);
    expect(valueOf(text, 'rstwatch_kernel_tcp_max_syn_backlog')).toBeUndefined();
    expect(valueOf(text, 'rstwatch_kernel_listen_overflows_total')).toBeUndefined();
    expect(valueOf(text, 'rstwatch_scrape_collector_success', { collector: 'kernel' })).toBe(1);
    metrics.close();
  });
});
