/**
 * The `kernel` collector: listen counters and sysctls of rstwatch's network namespace, from the
 * latest snapshot the daemon's timer read (never read here, at scrape time). Always registered:
 * HELP/TYPE only until a snapshot exists.
 */
import type { Sample } from '../collector.js';
import { COLLECTORS, METRICS } from '../names.js';
import type { AddFamily, Shared } from '../sources.js';

const one = (v: number | null | undefined): Sample[] => (v === null || v === undefined ? [] : [{ value: v }]);

/** Registers the rstwatch_kernel_* families. */
export function registerKernel(add: AddFamily, shared: Shared): void {
  const kernel = shared.sources.kernel ?? { latest: () => undefined };
  add(METRICS.kernelListenOverflows, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.listenOverflows));
  add(METRICS.kernelListenDrops, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.listenDrops));
  add(METRICS.kernelSyncookiesSent, COLLECTORS.kernel, () => one(kernel.latest()?.tcpExt?.syncookiesSent));
  add(METRICS.kernelSomaxconn, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.somaxconn));
  add(METRICS.kernelTcpMaxSynBacklog, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpMaxSynBacklog));
  add(METRICS.kernelTcpAbortOnOverflow, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpAbortOnOverflow));
  add(METRICS.kernelSyncookies, COLLECTORS.kernel, () => one(kernel.latest()?.sysctls.tcpSyncookies));
}
