/** A kernel-state snapshot for tests: `listeners` at `takenAtMs`, everything else read fine and quiet. */
import type { KernelStateSnapshot } from '../../src/kernel/kernel-state.js';
import type { Listener } from '../../src/kernel/listeners.js';

/** The snapshot; `overrides` replace any part. */
export function kernelSnapshot(takenAtMs: number, listeners: Listener[] = [], overrides: Partial<KernelStateSnapshot> = {}): KernelStateSnapshot {
  return {
    takenAtMs,
    listeners,
    sockDiag: true,
    tcpExt: null,
    sysctls: { somaxconn: 4096, tcpMaxSynBacklog: 512, tcpAbortOnOverflow: 0, tcpSyncookies: 1, bindv6only: 0, errors: [] },
    owners: new Map(),
    unreadablePids: [],
    ownersTruncated: false,
    errors: [],
    ...overrides,
  };
}
