/**
 * The corrupt-input harness's own checks can fail: a run that exits 0 after skipping most of a
 * damaged file as a cut-short tail is a failure (it was not before issue 11's review: "0 failures"
 * hid 23 such files in 2000), while a file merely cut short passes. And `npm run fuzz -- --help`
 * prints the usage.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSeeds, makeMutant } from '../../kit/capture-mutator.js';
import { checkOutcome, DEFAULT_LIMITS, type RunOutcome } from '../../kit/corrupt-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seeds = loadSeeds(join(root, 'pcaps'));

/** What the binary printed for a file: exit 0, `packets`, and a cut-short tail of `tail` bytes at `at`. */
function exitZero(path: string, packets: number, at: number, tail: number): RunOutcome {
  const warning = `${path}: the last record at byte offset ${at} is cut short (${tail} bytes present); the ${packets} complete records before it were read`;
  const report = { complete: true, packets, error: null, files: [{ truncated_tail: true }], warnings: [warning] };
  return {
    status: 0,
    signal: null,
    timedOut: false,
    stdout: JSON.stringify(report),
    stderr: `rstwatch: warning: ${warning}\n`,
    maxRssKb: 60_000,
    seconds: 0.1,
  };
}

describe('the harness', () => {
  it("fails the reviewer's mutant of gen-qinq.pcap read as before (exit 0, 3 of 34 packets, 2887 bytes skipped as a tail)", () => {
    const m = makeMutant(seeds, 625316922, 691);
    expect([m.seed, m.note]).toEqual(['gen-qinq.pcap', 'record at 180: u32 at 188 62 -> 61']);
    const problems = checkOutcome(m, '/tmp/m.pcap', exitZero('/tmp/m.pcap', 3, 257, 2887), DEFAULT_LIMITS, [0, 2, 3, 4, 70]);
    expect(problems).toEqual([
      'exit 0 skipping a cut-short tail of 2887 bytes at 257, after the damage at byte 188: more than the largest record of the file (134 bytes)',
    ]);
  });

  it('passes a file merely cut short inside its last record, and fails a tail larger than one plausible record', () => {
    const seed = seeds.find((s) => s.name === 'gen-qinq.pcap');
    if (seed === undefined) throw new Error('pcaps/gen-qinq.pcap is missing');
    const last = seed.index.structures[seed.index.structures.length - 1];
    const cut = {
      ...makeMutant(seeds, 625316922, 691),
      base: seed.bytes,
      baseIndex: seed.index,
      bytes: seed.bytes.subarray(0, last.start + 40),
      expect: undefined,
    };
    const packets = seed.index.packets - 1;
    expect(checkOutcome(cut, '/tmp/c.pcap', exitZero('/tmp/c.pcap', packets, last.start, 40), DEFAULT_LIMITS, [0, 4])).toEqual([]);
    const huge = exitZero('/tmp/c.pcap', packets, last.start, 16 + 262_144 + 1);
    expect(checkOutcome(cut, '/tmp/c.pcap', huge, DEFAULT_LIMITS, [0, 4])).toEqual([
      `exit 0 skipping a cut-short tail of 262161 bytes at ${last.start}, more than one plausible record (262160 bytes)`,
    ]);
  });

  it('npm run fuzz -- --help prints the usage and exits 0; an unknown argument exits 2', () => {
    const run = (arg: string) =>
      spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/fuzz.ts'), arg], { encoding: 'utf8', timeout: 30_000 });
    const help = run('--help');
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^usage: npm run fuzz -- \[--count N\] \[--seed N\]/);
    expect(help.stdout).toMatch(/^ {2}--keep DIR/m);
    const bad = run('--bogus');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^fuzz: unknown argument '--bogus'\nusage:/);
  });
});
