/**
 * The corrupt-input harness at length: damaged captures made from pcaps/ (kit/capture-mutator.ts)
 * replayed by the built binary, each checked as kit/corrupt-run.ts describes (docs/capture.md).
 *
 *   npm run fuzz -- [--count N] [--seed N] [--jobs N] [--keep DIR] [--cli FILE] [--help]
 *
 * --count   mutants to run (default 2000)
 * --seed    the run's seed, 0..4294967295 (default: a fresh one, printed); the same seed makes the
 *           same files
 * --jobs    runs at once (default 2)
 * --keep    where failing files are kept, each with a .txt note (default: a new temporary
 *           directory, removed when nothing failed)
 * --cli     the binary to run (default dist/rstwatch.js)
 *
 * Prints a progress line every 100 files, then a summary: files, exit statuses, mutations, the
 * worst peak RSS and time (with the mutant that caused each), and every failure. Exits 1 when a
 * file broke a promise, 2 on a bad argument.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSeeds } from '../kit/capture-mutator.js';
import { DEFAULT_LIMITS, describeMutant, documentedReplayStatuses, type FileResult, runCorruptFiles, summarize } from '../kit/corrupt-run.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const USAGE = `usage: npm run fuzz -- [--count N] [--seed N] [--jobs N] [--keep DIR] [--cli FILE]
  --count N   mutants to run (default 2000)
  --seed N    the run's seed, 0..4294967295 (default: a fresh one, printed); the same seed makes the same files
  --jobs N    runs at once (default 2)
  --keep DIR  where failing files are kept, each with a .txt note (default: a new temporary directory,
              removed when nothing failed)
  --cli FILE  the binary to run (default dist/rstwatch.js)
  --help      this text
Exit status: 0 when every file kept every promise, 1 when one did not, 2 on a bad argument.
`;

function usage(message: string): never {
  process.stderr.write(`fuzz: ${message}\n${USAGE}`);
  process.exit(2);
}

/** The value of `--name`, as given, or `fallback`. */
function option(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  if (i + 1 >= args.length) usage(`--${name} needs a value`);
  return args[i + 1];
}

function integer(args: readonly string[], name: string, fallback: number, max: number): number {
  const v = option(args, name, String(fallback));
  if (!/^\d+$/.test(v) || Number(v) > max) usage(`--${name} must be an integer 0..${max}, not '${v}'`);
  return Number(v);
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const known = new Set(['--count', '--seed', '--jobs', '--keep', '--cli']);
  for (let i = 0; i < args.length; i += 2) if (!known.has(args[i])) usage(`unknown argument '${args[i]}'`);
  const count = integer(args, 'count', 2000, 10_000_000);
  const seed = integer(args, 'seed', Math.floor(Math.random() * 2 ** 32), 0xffffffff);
  const jobs = Math.max(1, integer(args, 'jobs', 2, 64));
  const keep = option(args, 'keep', '');
  const dir = resolve(keep || mkdtempSync(join(tmpdir(), 'rstwatch-fuzz-')));
  const cli = resolve(option(args, 'cli', join(root, 'dist/rstwatch.js')));
  process.stdout.write(`fuzz: seed ${seed}, ${count} files, ${jobs} at a time, ${cli}; failing files kept in ${dir}\n`);
  const started = Date.now();
  let done = 0;
  let failed = 0;
  const results = await runCorruptFiles({
    seeds: loadSeeds(join(root, 'pcaps')),
    runSeed: seed,
    count,
    jobs,
    cli,
    dir,
    limits: DEFAULT_LIMITS,
    documented: documentedReplayStatuses(readFileSync(join(root, 'docs/exit-codes.md'), 'utf8')),
    onResult: (r: FileResult) => {
      done++;
      if (r.problems.length > 0) {
        failed++;
        process.stdout.write(`FAIL ${describeMutant(seed, r.index, r.mutant)}\n  ${r.problems.join('\n  ')}\n  file: ${r.path}\n`);
      }
      if (done % 100 === 0 || done === count) {
        process.stdout.write(`fuzz: ${done}/${count} files, ${failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      }
    },
  });
  const s = summarize(seed, results);
  const lines = [
    `fuzz: seed ${seed}: ${s.files} files in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    `  exit statuses: ${Object.entries(s.statuses)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
    `  mutations: ${Object.entries(s.kinds)
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  worst peak RSS: ${(s.worstRssKb / 1024).toFixed(1)} MiB (${s.worstRssFile})`,
    `  worst time: ${s.worstSeconds.toFixed(2)} s (${s.worstSecondsFile})`,
    `  failures: ${s.failures.length}${s.failures.length > 0 ? ` (files and notes in ${dir})` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (s.failures.length > 0) return 1;
  if (keep === '') rmSync(dir, { recursive: true, force: true });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
