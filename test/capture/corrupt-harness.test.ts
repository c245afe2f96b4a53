/**
 * The corrupt-input harness's own checks can fail: a run that exits 0 after skipping most of a
 * damaged file as a cut-short tail is a failure (it was not before issue 11's review: "0 failures"
 * hid 23 such files in 2000), while a file merely cut short passes, and so does a splice whose tail
 * is one record of the file spliced on, though larger than any of the base's, or a tail holding the
 * bytes at the end of a file that was itself cut short. And `npm run fuzz -- --help` prints the
 * usage.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSeeds, makeMutant, type Mutant, type Seed } from '../../kit/capture-mutator.js';
import { checkOutcome, DEFAULT_LIMITS, type RunOutcome } from '../../kit/corrupt-run.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const seeds = loadSeeds(join(root, 'pcaps'));

function seedNamed(name: string): Seed {
  const seed = seeds.find((s) => s.name === name);
  if (seed === undefined) throw new Error(`pcaps/${name} is missing`);
  return seed;
}

/** The splice the mutator makes of pcaps/`baseName` to byte `x`, then pcaps/`otherName` from byte `y`. */
function spliceOf(baseName: string, x: number, otherName: string, y: number): Mutant {
  const base = seedNamed(baseName);
  const other = seedNamed(otherName);
  return {
    seed: base.name,
    kind: 'splice',
    note: `0..${x} of this file, then ${other.name} from ${y}`,
    base: base.bytes,
    baseIndex: base.index,
    bytes: Buffer.concat([base.bytes.subarray(0, x), other.bytes.subarray(y)]),
    spliced: other,
  };
}

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

/** What the binary printed for a file it stopped at a format error: exit 4, `packets`, the error `message` (after the path). */
function exitFour(path: string, packets: number, message: string): RunOutcome {
  const error = { code: 'RSTWATCH_ERR_CAPTURE_FORMAT', message: `${path}: ${message}` };
  const report = { complete: false, packets, error, files: [{ truncated_tail: false }], warnings: [] };
  return {
    status: 4,
    signal: null,
    timedOut: false,
    stdout: JSON.stringify(report),
    stderr: `rstwatch: error: ${error.message}\n`,
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

  it('passes a splice whose cut-short tail is one record of the file spliced on, larger than any of the base (RSTWATCH_FUZZ_SEED=973894767, mutant 179)', () => {
    // gen-truncated-file.pcap to byte 230 (its third record, 164..234, 4 bytes short), then
    // netns-suspects-v4.pcap from its record at 4008: the reader, 4 bytes off from there on, reads
    // 46 records and cuts the last at 3752: 72 bytes of that file's last record (7526..7602, 76
    // bytes), which is larger than gen-truncated-file's largest record (70 bytes) but no larger than
    // netns-suspects-v4's (90). test/capture/cut-tail.test.ts reads these bytes.
    const m = spliceOf('gen-truncated-file.pcap', 230, 'netns-suspects-v4.pcap', 4008);
    expect(m.bytes.length).toBe(3752 + 72);
    expect(checkOutcome(m, '/tmp/s.pcap', exitZero('/tmp/s.pcap', 46, 3752, 72), DEFAULT_LIMITS, [0, 2, 3, 4, 70])).toEqual([]);
    // A tail of more than one record of the file spliced on is still records lost.
    expect(checkOutcome(m, '/tmp/s.pcap', exitZero('/tmp/s.pcap', 45, 3733, 91), DEFAULT_LIMITS, [0, 2, 3, 4, 70])).toEqual([
      'exit 0 skipping a cut-short tail of 91 bytes at 3733, after the damage at byte 230: more than the largest record of the file (90 bytes)',
    ]);
  });

  it('bounds a tail in a file that is itself cut short by its largest record and the bytes cut short at its end', () => {
    // gen-null-be.pcap to byte 266, then gen-truncated-file.pcap from its start (mutant 1860 of
    // `npm run fuzz -- --seed 973894767`): the spliced file's last whole record is at 430..500 in
    // these bytes, and its cut-short 20 bytes follow, to the end at 520.
    const m = spliceOf('gen-null-be.pcap', 266, 'gen-truncated-file.pcap', 0);
    expect([m.spliced?.index.leftover, m.spliced?.index.structures.at(-1)?.start, m.bytes.length]).toEqual([20, 164, 520]);
    // A cut record read from 4 bytes into that last record: 66 of its bytes and the 20 cut short.
    expect(checkOutcome(m, '/tmp/t.pcap', exitZero('/tmp/t.pcap', 8, 434, 86), DEFAULT_LIMITS, [0, 4])).toEqual([]);
    // What the binary read: a cut record at 302 swallowing two whole records of the spliced file.
    expect(checkOutcome(m, '/tmp/t.pcap', exitZero('/tmp/t.pcap', 6, 302, 218), DEFAULT_LIMITS, [0, 4])).toEqual([
      'exit 0 skipping a cut-short tail of 218 bytes at 302, after the damage at byte 266: more than the largest record of the file and the bytes cut short at its end (70 + 20 bytes)',
    ]);
  });

  it('takes the offset of a fault from the end of its message, not from the records it names before (seed 1549120013, mutant 92419)', () => {
    // An SPB whose length lies past the end of the file must stop the read at it, at 476; the
    // message names the blocks it swallowed first.
    const m = makeMutant(seeds, 1549120013, 92419);
    expect([m.kind, m.note.replace(/^reencode\(.*\)\+/, ''), m.expect]).toEqual(['reencode+length-lie', 'spb at 476: u32 at 480 28 -> 1116', { faultAt: 476 }]);
    const message =
      'bad pcapng block cut short by the end of the file (type 0x3): total length 1116 runs past the end of the file, but whole blocks from byte offset 504 reach its end at byte offset 476';
    expect(checkOutcome(m, '/tmp/f.pcapng', exitFour('/tmp/f.pcapng', 2, message), DEFAULT_LIMITS, [0, 4])).toEqual([]);
    // A fault named elsewhere is still wrong.
    expect(checkOutcome(m, '/tmp/f.pcapng', exitFour('/tmp/f.pcapng', 2, 'bad pcapng block at byte offset 504'), DEFAULT_LIMITS, [0, 4])).toEqual([
      'corrupt at byte 476 (2 packets before it): exit 4, 2 packets, error at 504',
    ]);
  });

  it('passes a fault before any frame reported by the error alone (RSTWATCH_FUZZ_SEED=2606917866, mutant 19), and fails that form otherwise', () => {
    // An interface block whose length lies, before any packet: no frame is read, so the replay
    // prints only its version, complete false and the error (docs/report.md).
    const m = makeMutant(seeds, 2606917866, 19);
    expect([m.seed, m.expect]).toEqual(['gen-null-be.pcap+pcapng', { faultAt: 141156 }]);
    const error = { code: 'RSTWATCH_ERR_CAPTURE_FORMAT', message: '/tmp/e.pcapng: bad pcapng block at byte offset 141156' };
    const alone = (status: number, extra = {}): RunOutcome => ({
      ...exitFour('/tmp/e.pcapng', 0, 'bad pcapng block at byte offset 141156'),
      status,
      stdout: JSON.stringify({ rstwatch_version: '0.1.0', complete: false, error, ...extra }),
    });
    expect(checkOutcome(m, '/tmp/e.pcapng', alone(4), DEFAULT_LIMITS, [0, 4])).toEqual([]);
    expect(checkOutcome(m, '/tmp/e.pcapng', alone(4, { ports: [] }), DEFAULT_LIMITS, [0, 4])).toEqual([
      "no report but 'rstwatch_version complete error ports' with exit 4",
    ]);
  });

  it("the mutator's splices name the file spliced on: the bytes after the base's head are its", () => {
    let splices = 0;
    for (let i = 0; i < 200; i++) {
      const m = makeMutant(seeds, 973894767, i);
      if (m.kind.replace(/^reencode\+/, '') !== 'splice') {
        expect(m.spliced).toBeUndefined();
        continue;
      }
      splices++;
      const [, x, name, y] = /^(?:reencode\(.*\)\+)?0\.\.(\d+) of this file, then (\S+) from (\d+)$/.exec(m.note) ?? [];
      expect(m.spliced?.name).toBe(name);
      expect(m.bytes.subarray(Number(x)).equals(m.spliced?.bytes.subarray(Number(y)) ?? Buffer.alloc(0))).toBe(true);
    }
    expect(splices).toBeGreaterThan(10);
    // Mutant 179 of the run that failed in CI is the splice built by hand above.
    const m = makeMutant(seeds, 973894767, 179);
    const built = spliceOf('gen-truncated-file.pcap', 230, 'netns-suspects-v4.pcap', 4008);
    expect([m.seed, m.note, m.spliced?.name]).toEqual([built.seed, built.note, 'netns-suspects-v4.pcap']);
    expect(m.bytes.equals(built.bytes)).toBe(true);
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
