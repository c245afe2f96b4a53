/**
 * Suspected spoofed resets (SEMANTICS.md), end to end with real parts: a chain client - r1 - r2 -
 * r3 - server of network namespaces, genuine kernel refusals near and far, a firewall in r1
 * answering for the server with REJECT tcp-reset, forged RSTs injected from r1 racing the real
 * SYN-ACK, a burst of forged RSTs, and BGP stand-ins whose own packets carry TTL 255 or 1
 * (kit/suspect-scenarios.ts builds and documents all of it; docs/suspects.md says what rstwatch
 * says about each). `rstwatch live` watches the client's interface while tcpdump records the same
 * traffic; then the fresh captures, the committed ones (pcaps/netns-suspects-v4/v6.pcap) and
 * Zeek's real injected RST (../shared/pcaps/zeek_rst-inject-rae.pcap) are replayed.
 *
 * Verdicts are compared per RST, told by its tuple: the heuristics of every entry of a tuple are
 * put together (a reset_race verdict can only come once the late SYN-ACK is seen).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuspectRecord } from '../../src/detect/evidence-record.js';
import { BGP, checkDesign, checkTools, expectedPorts, PORTS, runSuspectScenarios, summarizeTtls, type ScenarioRun } from '../../kit/suspect-scenarios.js';
import { removeStaleChains } from '../../kit/netns-chain.js';
import { requireRoot } from '../../kit/netns.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const zeekRae = join(sharedPcaps(), 'zeek_rst-inject-rae.pcap');
const LIVE_PORT = 7471;
const LOCAL_NETS = ['--local-net', '198.18.0.0/24', '--local-net', '2001:db8:cc::/64'];
const FIELDS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const;

/** One entry of `suspect_resets` (the replay JSON and the warn log line carry the same fields). */
type Suspect = SuspectRecord;

interface ReplayJson {
  totals: Record<string, number>;
  ports: ({ port: number } & Record<string, number>)[];
  suspect_resets?: Suspect[];
}

/** The verdict on one RST: its tuple and every heuristic named for it. */
interface Verdict {
  tuple: string;
  server_port: number;
  heuristics: string[];
  entries: Suspect[];
}

/** Suspect entries grouped per tuple, heuristics put together and sorted. */
function verdicts(entries: readonly Suspect[]): Verdict[] {
  const by = new Map<string, Verdict>();
  for (const e of entries) {
    const tuple = `${e.client} ${e.client_port} ${e.server} ${e.server_port}`;
    const v = by.get(tuple) ?? { tuple, server_port: e.server_port, heuristics: [], entries: [] };
    v.entries.push(e);
    v.heuristics = [...new Set([...v.heuristics, ...e.heuristics])].sort();
    by.set(tuple, v);
  }
  return [...by.values()];
}

function replay(file: string, ...flags: string[]): ReplayJson {
  const r = spawnSync(process.execPath, [cli, 'replay', '--json', ...flags, file], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`rstwatch replay ${flags.join(' ')} ${file} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReplayJson;
}

function portCounts(report: ReplayJson): Record<number, number[]> {
  const got: Record<number, number[]> = {};
  for (const p of report.ports) got[p.port] = FIELDS.map((f) => p[f]);
  return got;
}

/** What every suspect RST of a capture must be, by server port: the verdicts per tuple, sorted. */
const WANT: Record<number, string[][]> = {
  [PORTS.firewall]: [['ttl_mismatch'], ['ttl_mismatch']],
  [PORTS.race]: [['reset_race', 'ttl_mismatch']],
  [PORTS.raceAck]: [['ack_mismatch', 'reset_race']],
  [PORTS.burst]: [['seq_burst']],
};
const GENUINE = [PORTS.accepted, PORTS.closed, PORTS.nearAccepted, PORTS.nearClosed, PORTS.bgp, PORTS.bgpClosed];

/** The checks every recorded capture (fresh or committed) must pass in replay. */
function checkReplayedCapture(file: string, family: 4 | 6): void {
  const report = replay(file, ...LOCAL_NETS);
  // A suspect refusal is still a refusal: the counts are the design's, detection or not.
  expect(portCounts(report)).toEqual(expectedPorts(family));
  const off = replay(file, ...LOCAL_NETS, '--no-detect');
  expect(portCounts(off)).toEqual(expectedPorts(family));
  expect(off.suspect_resets ?? []).toEqual([]);

  const entries = report.suspect_resets ?? [];
  const got = verdicts(entries);
  const byPort: Record<number, string[][]> = {};
  for (const v of got) (byPort[v.server_port] ??= []).push(v.heuristics);
  expect(byPort, `${file}: ${JSON.stringify(entries)}`).toEqual(WANT);
  expect(report.totals.suspect_resets).toBe(got.length);
  for (const e of entries) {
    expect(e.direction).toBe('outbound');
    expect(GENUINE).not.toContain(e.server_port);
  }
  // The evidence: TTLs as recorded (server 3 hops away, r1 next to the client).
  for (const v of got) {
    const e = v.entries[0];
    expect(e.baseline_initial_ttl, v.tuple).toBe(64);
    expect(e.baseline_hop_distance, v.tuple).toBe(3);
    expect(e.baseline_samples, v.tuple).toBeGreaterThan(0);
    if (v.server_port === PORTS.firewall || v.server_port === PORTS.race) {
      expect({ ttl: e.ttl, initial_ttl: e.initial_ttl, hop_distance: e.hop_distance }).toEqual({ ttl: 64, initial_ttl: 64, hop_distance: 0 });
    } else {
      expect({ ttl: e.ttl, initial_ttl: e.initial_ttl, hop_distance: e.hop_distance }).toEqual({ ttl: 61, initial_ttl: 64, hop_distance: 3 });
    }
    if (v.server_port === PORTS.raceAck) {
      expect(e.expected_ack).not.toBeNull();
      expect(e.received_ack).toBe(((e.expected_ack as number) - 1) >>> 0);
    }
  }
  // A looser threshold lets r1's hop-0 RSTs for a 3-hop server pass: 3 is not more than 3.
  const loose = verdicts(replay(file, ...LOCAL_NETS, '--hop-threshold', '3').suspect_resets ?? []);
  expect(loose.filter((v) => v.server_port === PORTS.firewall)).toEqual([]);
  expect(loose.find((v) => v.server_port === PORTS.race)?.heuristics).toEqual(['reset_race']);
}

let tmp = '';
let run: ScenarioRun;

beforeAll(async () => {
  requireRoot('test/e2e/suspect-resets.test.ts');
  checkTools(true);
  removeStaleChains();
  tmp = mkdtempSync(join(tmpdir(), 'rstwatch-suspects-'));
  run = await runSuspectScenarios({ workDir: tmp, livePort: LIVE_PORT });
}, 60_000);

afterAll(() => {
  // runSuspectScenarios has removed its namespaces and processes (also on failure).
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('forged and genuine resets in network namespaces', () => {
  it('every scenario behaved as designed (client outcomes, attacker, tshark counts)', () => {
    expect(checkDesign(run)).toEqual([]);
  });

  it('the TTLs on the wire are the ones the scenarios rely on', () => {
    const ttls = summarizeTtls(run.ttls).map((l) => l.replace(/ x\d+$/, ''));
    for (const [src, port, kind, ttl] of [
      ['198.18.3.2', PORTS.accepted, 'SYN-ACK', 61],
      ['198.18.3.2', PORTS.closed, 'RST', 61],
      ['198.18.3.2', PORTS.firewall, 'RST', 64],
      ['198.18.3.2', PORTS.race, 'RST', 64],
      ['198.18.3.2', PORTS.race, 'SYN-ACK', 61],
      ['198.18.0.2', PORTS.nearClosed, 'RST', 64],
      [BGP.ttl255v4, PORTS.bgp, 'SYN-ACK', 255],
      [BGP.ttl1v4, PORTS.bgp, 'SYN-ACK', 1],
      [BGP.ttl255v4, PORTS.bgpClosed, 'RST', 64],
      [`[${BGP.ttl255v6}]`, PORTS.bgp, 'SYN-ACK', 255],
      ['[2001:db8:cc:3::2]', PORTS.firewall, 'RST', 64],
      ['[2001:db8:cc:3::2]', PORTS.accepted, 'SYN-ACK', 61],
    ] as const) {
      expect(ttls).toContain(`${src}:${port} ${kind} ttl ${ttl}`);
    }
  });

  describe.each([
    ['IPv4', 4, 'v4'],
    ['IPv6', 6, 'v6'],
  ] as const)('replayed, %s', (_label, family, f) => {
    it('the fresh capture: suspects flagged with their evidence, genuine refusals not, counts unchanged', () => {
      checkReplayedCapture(run.pcaps[f], family);
    });
    it('the committed capture (pcaps/netns-suspects-*.pcap) gives the same verdicts', () => {
      const file = join(root, `pcaps/netns-suspects-${f}.pcap`);
      expect(existsSync(file), `${file} is missing: run scripts/record-suspects.ts`).toBe(true);
      checkReplayedCapture(file, family);
    });
  });

  describe('live, on the client interface', () => {
    const sample = (name: string, labels: Record<string, string>): number | undefined => {
      for (const line of run.live!.metrics.split('\n')) {
        const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        const got = Object.fromEntries(m[2].split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 2, -1)]));
        if (Object.keys(got).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
      }
      return undefined;
    };

    it('counts the same attempts as the replay of its own traffic', () => {
      expect(run.live).not.toBeNull();
      for (const port of Object.keys(expectedPorts(4)).map(Number)) {
        const l = { direction: 'outbound', port: String(port) };
        const want = expectedPorts(4)[port].map((n, i) => n + expectedPorts(6)[port][i]);
        expect({
          port,
          attempts: sample('rstwatch_syn_attempts_total', l),
          accepted: sample('rstwatch_accepted_total', l),
          refused: sample('rstwatch_refused_total', l),
        }).toEqual({
          port,
          attempts: want[0],
          accepted: want[1],
          refused: want[2],
        });
      }
    });

    it('exports rstwatch_suspect_resets_total per port and heuristic, nothing for genuine refusals', () => {
      const want: Record<string, number> = {};
      for (const [port, list] of Object.entries(WANT)) for (const hs of list) for (const h of hs) want[`${port} ${h}`] = (want[`${port} ${h}`] ?? 0) + 2; // v4 + v6
      const got: Record<string, number> = {};
      for (const line of run.live!.metrics.split('\n')) {
        if (!line.startsWith('rstwatch_suspect_resets_total{')) continue;
        const port = /port="([^"]*)"/.exec(line)?.[1];
        const h = /heuristic="([^"]*)"/.exec(line)?.[1];
        const value = Number(line.split(' ').pop());
        expect(/direction="outbound"/.test(line), line).toBe(true);
        if (value > 0) got[`${port} ${h}`] = value;
      }
      expect(got).toEqual(want);
    });

    it('logs a warn line with event suspect_reset and the evidence for each suspect RST', () => {
      const lines = run.live!.logLines.filter((l) => l.event === 'suspect_reset');
      for (const l of lines) expect(['warn', 40]).toContain(l.level);
      const got = verdicts(lines as unknown as Suspect[]);
      const byPort: Record<number, string[][]> = {};
      for (const v of got) (byPort[v.server_port] ??= []).push(v.heuristics);
      const want = Object.fromEntries(Object.entries(WANT).map(([port, list]) => [port, [...list, ...list]]));
      expect(byPort, JSON.stringify(lines)).toEqual(want);
      for (const l of lines as unknown as Suspect[]) {
        expect(l.direction).toBe('outbound');
        expect(typeof l.ttl).toBe('number');
        expect(l.baseline_hop_distance).toBe(3);
      }
    });
  });
});

describe('a real injected RST (Zeek rst-inject-rae.pcap)', () => {
  it('is flagged in replay: ack = ISN, reserved bits, and the genuine SYN-ACK after it', () => {
    const report = replay(zeekRae);
    expect(report.totals.refused).toBe(1);
    const got = verdicts(report.suspect_resets ?? []);
    expect(got.map((v) => [v.tuple, v.heuristics])).toEqual([['1.2.0.2 2527 1.2.0.3 6649', ['ack_mismatch', 'reserved_bits', 'reset_race', 'ttl_mismatch']]]);
    const e = got[0].entries.find((x) => x.heuristics.includes('ttl_mismatch'))!;
    expect({ ttl: e.ttl, baseline_hop_distance: e.baseline_hop_distance, hop_distance: e.hop_distance }).toEqual({
      ttl: 46,
      baseline_hop_distance: 15,
      hop_distance: 18,
    });
    expect(got[0].entries[0].received_ack).toBe(1569339004);
    expect(got[0].entries[0].expected_ack).toBe(1569339005);
  });
});
