/**
 * buildDiagnoseReport: which ports it reports, and how the daemon's failures and the remedies are
 * put beside the kernel state.
 */
import { describe, expect, it } from 'vitest';
import { REMEDIES } from '../../src/causes/classify.js';
import type { CausesReport, PortCauses } from '../../src/causes/failure-causes.js';
import type { KernelStateSnapshot } from '../../src/kernel/kernel-state.js';
import type { Listener } from '../../src/kernel/listeners.js';
import { buildDiagnoseReport, renderDiagnoseReport } from '../../src/diagnose/port-report.js';
import { kernelSnapshot } from '../support/kernel-snapshot.js';
import { listener } from '../support/listener.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

function snapshot(listeners: Listener[]): KernelStateSnapshot {
  return kernelSnapshot(NOW, listeners);
}

function failures(port: number, minutesAgo: number | null): PortCauses {
  const lastSeen = minutesAgo === null ? '' : new Date(NOW - minutesAgo * 60_000).toISOString();
  return {
    port,
    last_seen: lastSeen,
    outcomes: [
      {
        outcome: 'refused',
        count: 3,
        pending: 0,
        causes: [{ cause: 'no_listener', count: 3, evidence: `nothing listens on port ${port} for IPv4`, last_seen: lastSeen }],
      },
    ],
  };
}

function daemon(ports: PortCauses[]) {
  const report: CausesReport = {
    taken_at: new Date(NOW).toISOString(),
    kernel_reads: 9,
    last_read: new Date(NOW - 500).toISOString(),
    read_errors: [],
    ports_with_failures: ports.length,
    decided_from_one_read: 0,
    late_suspects: 0,
    evidence_evictions: 0,
    ports,
  };
  return { url: 'http://127.0.0.1:7465/', report };
}

describe('buildDiagnoseReport', () => {
  const state = snapshot([listener('0.0.0.0', 22), listener('127.0.0.1', 5432)]);

  it('without --port: the ports with failures in the recent window, not older ones', () => {
    const r = buildDiagnoseReport(state, [], daemon([failures(8080, 2), failures(9090, 60), failures(7070, null)]), 15);
    expect(r.ports.map((p) => p.port)).toEqual([8080]);
    expect(buildDiagnoseReport(state, [], daemon([failures(8080, 2), failures(9090, 60)]), 90).ports.map((p) => p.port)).toEqual([8080, 9090]);
  });

  it('without recent failures, or without a daemon: every listening port', () => {
    expect(buildDiagnoseReport(state, [], daemon([failures(9090, 60)]), 15).ports.map((p) => p.port)).toEqual([22, 5432]);
    expect(buildDiagnoseReport(state, []).ports.map((p) => p.port)).toEqual([22, 5432]);
  });

  it('--port wins, and each port carries the daemon failures with a remedy per cause', () => {
    const r = buildDiagnoseReport(state, [9090, 22], daemon([failures(9090, 60)]));
    expect(r.ports.map((p) => p.port)).toEqual([22, 9090]);
    expect(r.ports[0].failures).toEqual([]);
    expect(r.ports[1].failures).toEqual([
      {
        outcome: 'refused',
        count: 3,
        pending: 0,
        causes: [
          {
            cause: 'no_listener',
            count: 3,
            evidence: 'nothing listens on port 9090 for IPv4',
            last_seen: new Date(NOW - 3_600_000).toISOString(),
            remedy: REMEDIES.no_listener,
          },
        ],
      },
    ]);
    expect(r.daemon).toEqual({ url: 'http://127.0.0.1:7465/', answered: true, error: null, last_read: new Date(NOW - 500).toISOString() });
    const text = renderDiagnoseReport(r);
    expect(text).toContain('failures from rstwatch live at http://127.0.0.1:7465/');
    expect(text).toContain(
      '  failures seen by rstwatch live:\n    refused 3: no_listener 3\n      no_listener: nothing listens on port 9090 for IPv4\n        remedy: start the service',
    );
  });

  it('a daemon that did not answer is said under "not seen"', () => {
    const r = buildDiagnoseReport(state, [22], { url: 'http://127.0.0.1:7465/', report: null, error: 'ECONNREFUSED' });
    expect(r.daemon).toEqual({ url: 'http://127.0.0.1:7465/', answered: false, error: 'ECONNREFUSED', last_read: null });
    expect(r.not_seen[0]).toMatch(/no rstwatch daemon answered at http:\/\/127\.0\.0\.1:7465\/ \(ECONNREFUSED\)/);
  });
});
