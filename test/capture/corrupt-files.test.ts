/**
 * The built binary on damaged captures: a bounded run of the corrupt-input harness (kit/corrupt-run.ts
 * over kit/capture-mutator.ts), a fresh seed each run, printed, and RSTWATCH_FUZZ_SEED to replay
 * one; and the real capture whose times lie beyond the range of a date. `npm run fuzz` runs
 * thousands (docs/capture.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { indexCapture } from '../../kit/capture-index.js';
import { loadSeeds, makeMutant } from '../../kit/capture-mutator.js';
import { DEFAULT_LIMITS, describeMutant, documentedReplayStatuses, GNU_TIME, runCorruptFiles, summarize } from '../../kit/corrupt-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const dir = mkdtempSync(join(tmpdir(), 'rstwatch-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files per run: about 15 s on two idle cores, well under a minute on two loaded ones. */
const FILES = 300;

function runSeed(): number {
  const env = process.env.RSTWATCH_FUZZ_SEED;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env) || Number(env) > 0xffffffff) throw new Error(`RSTWATCH_FUZZ_SEED must be an integer 0..4294967295, not '${env}'`);
    return Number(env);
  }
  return Math.floor(Math.random() * 2 ** 32);
}

describe('the binary on damaged captures', () => {
  it('the mutator is deterministic: the same seed and index make the same bytes', () => {
    const seeds = loadSeeds(join(root, 'pcaps'));
    for (const i of [0, 1, 77]) expect(makeMutant(seeds, 42, i).bytes.equals(makeMutant(seeds, 42, i).bytes)).toBe(true);
    expect(makeMutant(seeds, 42, 5).bytes.equals(makeMutant(seeds, 43, 5).bytes)).toBe(false);
  });

  it(`${FILES} mutants of pcaps/: documented exit, no stack trace, no hang, bounded memory, nothing lost before the fault`, async () => {
    expect(existsSync(GNU_TIME), `${GNU_TIME} (Debian package time; scripts/setup.sh --test installs it)`).toBe(true);
    const seed = runSeed();
    // Printed first, so that a run cut short by a timeout can still be replayed.
    process.stdout.write(`corrupt-files: seed ${seed} (RSTWATCH_FUZZ_SEED=${seed} replays this run)\n`);
    const results = await runCorruptFiles({
      seeds: loadSeeds(join(root, 'pcaps')),
      runSeed: seed,
      count: FILES,
      jobs: 2,
      cli,
      dir,
      limits: DEFAULT_LIMITS,
      documented: documentedReplayStatuses(readFileSync(join(root, 'docs/exit-codes.md'), 'utf8')),
    });
    const s = summarize(seed, results);
    process.stdout.write(
      `corrupt-files: ${s.files} files, exit ${JSON.stringify(s.statuses)}, worst RSS ${s.worstRssKb} KiB, worst ${s.worstSeconds.toFixed(2)} s\n`,
    );
    const failures = s.failures.map((f) => `${describeMutant(seed, f.index, f.mutant)}\n  ${f.problems.join('\n  ')}`);
    expect(failures, `RSTWATCH_FUZZ_SEED=${seed}`).toEqual([]);
    // The run reached both outcomes: sound or cut files read to the end, and faults.
    expect(s.statuses['0']).toBeGreaterThan(0);
    expect(s.statuses['4']).toBeGreaterThan(0);
  }, 120_000);

  it("PcapPlusPlus's pcapng-example (its refusal dated year 586524): exit 0, every packet and attempt, as tshark counts", () => {
    const file = resolve(root, '../shared/pcaps-more/pcapplusplus_pcapng-example.pcapng');
    expect(existsSync(file), `${file}: ../shared/pcaps-more beside the repository, as CI lays it out`).toBe(true);
    const r = spawnSync(process.execPath, [cli, 'replay', '--json', file], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // ../shared/pcaps-more/SOURCES.md: 159 packets, 2 attempts, 1 accepted, 1 refused.
    expect([report.packets, report.totals.attempts, report.totals.accepted, report.totals.refused]).toEqual([159, 2, 1, 1]);
    // Its 100 frames of year 586524 take the time of the frame before each; the latest known time
    // is its frame 2's, 2894531997.938836488 s as tshark shows it.
    expect([report.capture.first, report.capture.last, report.capture.out_of_range_times]).toEqual([
      '2015-01-29T10:39:58.578Z',
      '2061-09-21T12:39:57.938Z',
      100,
    ]);
    expect(r.stderr).toMatch(/^rstwatch: warning: .*100 frames have a capture time outside the range of a date .*byte offset 10752/m);
    expect(indexCapture(readFileSync(file)).packets).toBe(159);
  });
});
