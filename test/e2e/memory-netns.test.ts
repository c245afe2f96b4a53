/**
 * `rstwatch live` under the load that once took it past its documented memory (issue 11): the
 * built daemon (dist/rstwatch.js) with its defaults captures in the server namespace of a pair
 * while the client namespace sends three full port scans (3 x 65535 SYNs to closed ports, each
 * refused by the server's kernel) and then 1 M SYNs from distinct random sources to one closed
 * port (refused too: the server routes its RSTs back through the client). The daemon's peak RSS
 * (VmHWM) must stay within the budget docs/live.md tables (src/live/memory-budget.ts), and every
 * SYN the server received must be an attempt, within what the kernel says it dropped.
 *
 * The SYNs are crafted and injected with kit/syn-flood.ts at a bounded rate; every step is bounded
 * in time. Before the fix the peak was 264-316 MiB against a budget of 232 MiB.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLiveConfig } from '../../src/config.js';
import { budgetTotal, memoryBudget } from '../../src/live/memory-budget.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import type { FloodPlan, FloodReport } from '../../kit/syn-flood.js';
import { sleep, until, untilAnswered } from '../../kit/wait.js';
import { parseSamples } from '../metrics/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const flooder = join(root, 'kit/syn-flood.ts');
const METRICS_PORT = 7465;
/** SYNs per second the client sends (each scan about 1.6 s, the flood 25 s). */
const RATE_PPS = 40_000;
const SCANS = 3;
const FLOOD_SYNS = 1_000_000;
const CLOSED_PORT = 9;
const MiB = 1024 * 1024;

let net: NetnsPair;
let daemon: ChildProcess;
let log = '';

/** The daemon's exposition, fetched inside the server namespace. */
function scrape(): string {
  const script = `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t))`;
  const r = net.exec(net.server, process.execPath, ['-e', script], { timeoutMs: 30_000, allowFail: true });
  if (r.status !== 0) throw new Error(`scrape failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The sum of every sample of `name` (optionally only those whose labels include `labels`). */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return parseSamples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

/** A counter of an interface in namespace `ns` (/sys/class/net/IF/statistics/NAME). */
function ifStat(ns: string, dev: string, name: string): number {
  return Number(net.exec(ns, 'cat', [`/sys/class/net/${dev}/statistics/${name}`]).stdout.trim());
}

/** Frames lost between the two veth ends (a full backlog on the receiving side). */
function vethDrops(): number {
  return ifStat(net.client, net.clientIf, 'tx_dropped') + ifStat(net.server, net.serverIf, 'rx_dropped');
}

function mac(ns: string, dev: string): string {
  return (JSON.parse(net.exec(ns, 'ip', ['-j', 'link', 'show', dev]).stdout) as { address: string }[])[0].address;
}

/** Sends one flood from the client namespace; resolves to what it sent. */
function flood(plan: Omit<FloodPlan, 'srcMac' | 'dstMac' | 'src' | 'dst' | 'ratePps' | 'maxSeconds'>): FloodReport {
  const full: FloodPlan = {
    ...plan,
    srcMac: mac(net.client, net.clientIf),
    dstMac: mac(net.server, net.serverIf),
    src: net.addr.client4,
    dst: net.addr.server4,
    ratePps: RATE_PPS,
    maxSeconds: 60,
  };
  const r = net.exec(net.client, process.execPath, [tsx, flooder, net.clientIf, JSON.stringify(full)], { timeoutMs: 90_000 });
  return JSON.parse(r.stdout) as FloodReport;
}

/** VmHWM and VmRSS of the daemon, bytes. */
function memoryOf(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { hwm: kib('VmHWM'), rss: kib('VmRSS') };
}

beforeAll(async () => {
  requireRoot('test/e2e/memory-netns.test.ts');
  net = createNetnsPair({ tag: 'mem', subnet: 'e11' });
  // The flood's sources are anywhere: the server answers them through the client, which drops the RSTs.
  net.exec(net.server, 'ip', ['route', 'add', 'default', 'via', net.addr.client4]);
  daemon = net.spawn(net.server, process.execPath, [cli, 'live', '-i', net.serverIf, '--listen', `127.0.0.1:${METRICS_PORT}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  daemon.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  daemon.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await untilAnswered(
    'the daemon capturing',
    () => (total(scrape(), 'rstwatch_capture_up') === 1 ? true : undefined),
    30_000,
    () => log,
  );
});

afterAll(async () => {
  daemon?.kill('SIGTERM');
  await sleep(500);
  net?.destroy();
});

describe('rstwatch live under three full port scans and a 1 M random-source flood', () => {
  it('keeps its peak RSS within the documented budget and counts every SYN the server got', async () => {
    expect(readFileSync(`/proc/${daemon.pid}/comm`, 'utf8').trim()).toBe('node');
    const before = scrape();
    const dropsBefore = vethDrops();
    let sent = 0;
    for (let s = 0; s < SCANS; s++) sent += flood({ kind: 'scan', firstPort: 1, lastPort: 65_535, sport: 40_000 + s }).sent;
    sent += flood({ kind: 'random', count: FLOOD_SYNS, dport: CLOSED_PORT, seed: 11 }).sent;
    expect(sent).toBe(SCANS * 65_535 + FLOOD_SYNS);

    // Until the daemon has read all of it: its frame count stands still for two seconds.
    let last = -1;
    const after = await until(
      'the daemon to read every frame',
      async () => {
        const text = scrape();
        const frames = total(text, 'rstwatch_capture_packets_total');
        if (frames === last) return text;
        last = frames;
        await sleep(1000);
        return undefined;
      },
      60_000,
      () => log,
      1000,
    );
    const memory = memoryOf(daemon.pid as number);
    const budget = budgetTotal(memoryBudget(loadLiveConfig([], {})));
    const figures = {
      hwmMiB: (memory.hwm / MiB).toFixed(1),
      rssMiB: (memory.rss / MiB).toFixed(1),
      budgetMiB: (budget / MiB).toFixed(1),
      residentMetricMiB: (total(after, 'process_resident_memory_bytes') / MiB).toFixed(1),
    };
    process.stdout.write(`memory-netns: ${JSON.stringify(figures)}\n`);

    const attempts = total(after, 'rstwatch_syn_attempts_total') - total(before, 'rstwatch_syn_attempts_total');
    const refused = total(after, 'rstwatch_refused_total') - total(before, 'rstwatch_refused_total');
    const pcapDrops = total(after, 'rstwatch_capture_dropped_total') - total(before, 'rstwatch_capture_dropped_total');
    const lost = vethDrops() - dropsBefore + pcapDrops;
    const counts = { sent, attempts, refused, vethDrops: vethDrops() - dropsBefore, pcapDrops };
    // Every SYN is an attempt (distinct tuples), but those the kernel dropped before rstwatch saw them.
    expect(attempts, JSON.stringify(counts)).toBeLessThanOrEqual(sent);
    expect(attempts, JSON.stringify(counts)).toBeGreaterThanOrEqual(sent - lost);
    // And every attempt was refused by the server's kernel, but those whose RST was dropped.
    expect(refused, JSON.stringify(counts)).toBeGreaterThanOrEqual(attempts - lost);
    expect(refused, JSON.stringify(counts)).toBeLessThanOrEqual(attempts);
    // The load must be the load: a capture that dropped most of it would prove nothing.
    expect(lost, JSON.stringify(counts)).toBeLessThan(sent / 10);

    expect(memory.hwm, JSON.stringify(figures)).toBeLessThanOrEqual(budget);
  }, 240_000);
});
