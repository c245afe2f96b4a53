/**
 * The report thread (src/report/collect/report-thread.ts) for real: the built worker
 * (dist/rstwatch-report-worker.js) started by the built replay (dist/), on floods that wrap its
 * ring many times (the replay's thread waits for room) and on every shared capture: the report is
 * the same, byte for byte, as the one counted on one thread. A worker that fails makes the replay
 * fail with an internal error, not hang or print a report short of counts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCapture } from '../../bench/captures.js';
import type { ReportRun, ReportRunOptions } from '../../src/report/replay-run.js';
import type { ReplaySummary } from '../../src/report/replay-report.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;
const cli = join(root, 'dist/rstwatch.js');
const shared = join(root, '../shared/pcaps');
const tmp = mkdtempSync(join(tmpdir(), 'rstwatch-report-thread-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The built modules (the worker's bundle is found beside the built ones only). */
interface Built {
  replayForReport(paths: readonly string[], options?: ReportRunOptions): Promise<ReportRun>;
  summarizeReplay(run: ReportRun, settings: { version: string; attemptTimeoutSeconds: number; maxAttempts: number; topN: number }): ReplaySummary;
  replayReportJson(summary: ReplaySummary): Iterable<string>;
}
let built: Built;
const flood = join(tmp, 'flood.pcap');
const ordinary = join(tmp, 'ordinary.pcap');

beforeAll(async () => {
  built = {
    ...(await import(dist('report/replay-run.js'))),
    ...(await import(dist('report/replay-report.js'))),
    ...(await import(dist('report/json-report.js'))),
  } as Built;
  // 300 000 packets of flood: some 130 000 attempts, twice what the ring holds.
  await writeCapture(flood, 'flood', 300_000);
  await writeCapture(ordinary, 'ordinary', 200_000);
}, 120_000);

/** The --json text of a replay of `paths` with `options`, and whether it ran threaded. */
async function report(paths: string[], options: ReportRunOptions): Promise<{ json: string; threaded: boolean }> {
  const run = await built.replayForReport(paths, { maxAttempts: 65_536, ...options });
  const summary = built.summarizeReplay(run, { version: 'test', attemptTimeoutSeconds: 0, maxAttempts: 65_536, topN: 10 });
  return { json: [...built.replayReportJson(summary)].join(''), threaded: run.threaded };
}

describe('the report thread', () => {
  const captures = readdirSync(shared).filter((n) => /\.(pcap|pcapng|cap)$/.test(n));

  it.each([
    ['a flood (every SYN a new pair and scan key)', [flood]],
    ['ordinary traffic', [ordinary]],
    ['both, read as one capture', [ordinary, flood]],
  ])('%s: the same report as on one thread, byte for byte', async (_name, paths) => {
    const one = await report(paths, { reportThread: 'off' });
    const two = await report(paths, { reportThread: 'on' });
    expect([one.threaded, two.threaded]).toEqual([false, true]);
    expect(two.json).toBe(one.json);
    expect(JSON.parse(two.json).totals.attempts).toBeGreaterThan(10_000);
  });

  it('every shared capture: the same report on two threads as on one', async () => {
    expect(captures.length).toBeGreaterThan(10);
    for (const name of captures) {
      const one = await report([join(shared, name)], { reportThread: 'off' });
      const two = await report([join(shared, name)], { reportThread: 'on' });
      expect(two.threaded, name).toBe(true);
      expect(two.json, name).toBe(one.json);
    }
  });

  it('auto: one thread for a capture under 32 MiB or standard input, two from 32 MiB on two cores', async () => {
    const { useReportThread, THREAD_MIN_BYTES } = await import(dist('report/collect/report-thread.js'));
    expect(THREAD_MIN_BYTES).toBe(32 * 1024 * 1024);
    expect(statSync(flood).size).toBeLessThan(THREAD_MIN_BYTES);
    expect((await report([flood], { reportThread: 'auto' })).threaded).toBe(false);
    // Files of the sizes that decide (auto only looks at the size): just under, and at, the threshold.
    const under = join(tmp, 'under.pcap');
    const at = join(tmp, 'at.pcap');
    writeFileSync(under, '');
    truncateSync(under, THREAD_MIN_BYTES - 1);
    writeFileSync(at, '');
    truncateSync(at, THREAD_MIN_BYTES);
    const twoCores = availableParallelism() >= 2;
    expect(useReportThread([under], 'auto', 'worker.js')).toBe(false);
    expect(useReportThread([at], 'auto', 'worker.js')).toBe(twoCores);
    expect(useReportThread([under, flood], 'auto', 'worker.js')).toBe(twoCores);
    expect(useReportThread([at, '-'], 'auto', 'worker.js')).toBe(false);
    expect(useReportThread([at], 'auto', undefined)).toBe(false);
    expect(useReportThread([at], 'off', 'worker.js')).toBe(false);
    expect(useReportThread([flood], 'on', 'worker.js')).toBe(true);
  });

  it('a report thread that fails makes the replay fail with an internal error, in bounded time', async () => {
    const bad = join(tmp, 'bad-worker.mjs');
    writeFileSync(bad, "throw new Error('the collectors broke');\n");
    const started = Date.now();
    await expect(built.replayForReport([join(shared, 'nslkdd_nmap.pcap')], { reportThread: 'on', reportWorker: bad })).rejects.toMatchObject({
      code: 'RSTWATCH_ERR_INTERNAL',
      message: expect.stringContaining('the collectors broke'),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('the binary: --report-thread on and off print the same (on says nothing: the worker ran); on standard input, a warning; a bad choice is a configuration error (2)', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [cli, 'replay', ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
    const on = run(['--json', '--report-thread', 'on', flood]);
    const off = run(['--json', '--report-thread', 'off', flood]);
    expect([on.status, off.status, on.stderr]).toEqual([0, 0, '']);
    expect(on.stdout).toBe(off.stdout);
    const table = [run(['--report-thread', 'on', flood]), run(['--report-thread', 'off', flood])];
    expect(table[0].stdout).toBe(table[1].stdout);
    const fromStdin = spawnSync(process.execPath, [cli, 'replay', '--json', '--report-thread', 'on', '-'], {
      input: readFileSync(join(shared, 'nslkdd_nmap.pcap')),
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stderr).toBe('rstwatch: warning: --report-thread on: standard input is read on one thread; the report is counted on this thread\n');
    const bad = run(['--report-thread', 'maybe', flood]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--report-thread: 'maybe' is not a choice");
  });
});
