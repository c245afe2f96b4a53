/**
 * Replay benchmark: writes a large capture, then times, in one run and on the same file,
 *   - rstwatch replay --json FILE          (the whole analysis)
 *   - tcpdump -r FILE -w /dev/null         (libpcap reading and discarding: the floor)
 *   - tshark, twice: `-q -z conv,tcp` (its lightest full pass with a TCP analysis) and the field
 *     extraction the test oracle runs to get the same counts (kit/tshark-oracle.ts:
 *     display filter, sequence analysis off, one line per SYN/RST/ICMP frame)
 * and the peak memory (max RSS, from GNU time) of each. rstwatch is also run on the file given
 * twice, to show that its memory does not grow with the input.
 *
 *   npm run bench [-- --packets N] [-- --runs R] [-- --no-tshark] [-- --keep]
 *
 * Targets (issue 2): rstwatch <= 1.5 x tcpdump's time, >= 100 x faster than tshark (checked
 * against tshark doing the same job; the conv,tcp ratio is printed beside it), peak memory under
 * 150 MB whatever the file size. Figures go to stdout and bench/out/replay-results.json.
 *
 * The capture (198.18.0.0/15 and 2001:db8::/32 addresses, benchmark and documentation ranges:
 * only bytes in a file, no traffic is sent) mixes, per 1000 concurrent flows, interleaved:
 * 55 % accepted connections (handshake, 20 data segments, FIN exchange), 20 % refused (RST-ACK,
 * a tenth of them after a SYN retransmission), 10 % ICMP port unreachable, 15 % unanswered (two
 * SYN retransmissions); one flow in five is IPv6.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsharkArgs } from '../kit/tshark-oracle.js';
import { CAPTURE_KINDS, writeCapture, type CaptureKind, type Expected } from './captures.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench/out');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const wantPackets = arg('packets', 2_000_000);
const runs = arg('runs', 7);
const withTshark = !process.argv.includes('--no-tshark');
const keep = process.argv.includes('--keep');
const kinds = (process.argv.includes('--kind') ? String(process.argv[process.argv.indexOf('--kind') + 1]).split(',') : [...CAPTURE_KINDS]) as CaptureKind[];
for (const k of kinds) if (!CAPTURE_KINDS.includes(k)) throw new Error(`--kind: ${k} is not one of ${CAPTURE_KINDS.join(', ')}`);
const bigFloodPackets = arg('big-flood', 5_000_000);

/** Targets of issue 12: replay time as a multiple of tcpdump's read-and-discard time. */
const RATIO_TARGETS: Record<CaptureKind, number> = { ordinary: 1.0, flood: 2.0 };

interface Timing {
  seconds: number;
  maxRssMb: number;
}

/**
 * Runs `cmd` under GNU time; returns wall seconds (measured here, to the millisecond: GNU time's
 * %e has only 10 ms steps, a tenth of the margin measured) and max RSS (GNU time's %M).
 */
function timed(cmd: string, args: string[]): Timing {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const kb = Number(r.stderr.trim().split('\n').pop() ?? '');
  return { seconds, maxRssMb: kb / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median of `all`, printed on a line with every run. */
function summarize(label: string, all: Timing[]): Timing {
  const t = { seconds: median(all.map((x) => x.seconds)), maxRssMb: Math.max(...all.map((x) => x.maxRssMb)) };
  process.stdout.write(
    `  ${label}: ${all.map((x) => x.seconds.toFixed(3)).join(' / ')} s (median ${t.seconds.toFixed(3)}), max RSS ${t.maxRssMb.toFixed(0)} MB\n`,
  );
  return t;
}

function measure(label: string, cmd: string, args: string[], n: number): Timing {
  const all: Timing[] = [];
  for (let i = 0; i < n; i++) all.push(timed(cmd, args));
  return summarize(label, all);
}

/**
 * Times A and B alternately, `n` times each, so that a slow spell of the machine falls on both:
 * their medians, and the median, lowest and highest of the per-pair ratios B / A.
 */
function measurePair(
  a: [string, string, string[]],
  b: [string, string, string[]],
  n: number,
): { a: Timing; b: Timing; ratio: { median: number; min: number; max: number } } {
  const as: Timing[] = [];
  const bs: Timing[] = [];
  for (let i = 0; i < n; i++) {
    as.push(timed(a[1], a[2]));
    bs.push(timed(b[1], b[2]));
  }
  const ratios = bs.map((x, i) => x.seconds / as[i].seconds);
  return { a: summarize(a[0], as), b: summarize(b[0], bs), ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } };
}

const COUNTED = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const;

/** Runs rstwatch once on `file` and throws unless it counts exactly what the generator wrote. */
function checkCounts(cli: string, file: string, expected: Expected): void {
  const report = JSON.parse(execFileSync(process.execPath, [cli, 'replay', '--json', '--no-progress', file], { maxBuffer: 1 << 30, encoding: 'utf8' }));
  for (const k of COUNTED) {
    if (report.totals[k] !== expected[k]) throw new Error(`rstwatch counted ${k}=${report.totals[k]}, the generator wrote ${expected[k]}`);
  }
  if (report.packets !== expected.packets) throw new Error(`rstwatch read ${report.packets} packets, expected ${expected.packets}`);
  process.stdout.write(`  rstwatch counts match the generator: ${JSON.stringify(report.totals, [...COUNTED])}\n`);
}

/** Writes a capture of `kind` with `packets` packets under bench/out; returns its path and contents. */
async function capture(kind: CaptureKind, packets: number): Promise<{ file: string; expected: Expected; sizeMb: number }> {
  const file = join(outDir, `replay-${kind}-${packets}.pcap`);
  process.stdout.write(`writing ${file} (${kind}, ${packets} packets) ...\n`);
  const expected = await writeCapture(file, kind, packets);
  const sizeMb = statSync(file).size / 1048576;
  process.stdout.write(`  ${expected.packets} packets, ${expected.tuples} tuples, ${sizeMb.toFixed(0)} MB\n`);
  // The file was just written: let its write-back finish first, or it competes with the runs.
  spawnSync('sync', [file]);
  return { file, expected, sizeMb };
}

const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

/** One kind of capture measured: rstwatch beside tcpdump (and tshark on the ordinary one). */
async function benchKind(kind: CaptureKind, cli: string): Promise<Record<string, unknown>> {
  const { file, expected, sizeMb } = await capture(kind, wantPackets);
  checkCounts(cli, file, expected);
  process.stdout.write(`timing ${kind} (${runs} runs each, tcpdump and rstwatch alternately, median; warm page cache):\n`);
  timed('tcpdump', ['-r', file, '-w', '/dev/null']); // warm the cache
  const pair = measurePair(
    ['tcpdump -r FILE -w /dev/null', 'tcpdump', ['-r', file, '-w', '/dev/null']],
    ['rstwatch replay --json FILE', process.execPath, [cli, 'replay', '--json', '--no-progress', file]],
    runs,
  );
  const rst2 = measure('rstwatch replay --json FILE FILE (twice the input)', process.execPath, [cli, 'replay', '--json', '--no-progress', file, file], 1);
  const tshark = withTshark && kind === 'ordinary';
  const conv = tshark ? measure('tshark -r FILE -q -z conv,tcp', 'tshark', ['-r', file, '-q', '-z', 'conv,tcp'], 1) : undefined;
  const same = tshark ? measure("tshark, the same job (the oracle's field extraction)", 'tshark', tsharkArgs(file), 1) : undefined;
  const pps = (t: Timing, n = expected.packets) => (n / t.seconds).toFixed(0);
  const rows = [
    ['tool', 'seconds', 'packets/s', 'max RSS MB'],
    ['tcpdump -r -w /dev/null', pair.a.seconds.toFixed(2), pps(pair.a), pair.a.maxRssMb.toFixed(0)],
    ['rstwatch replay', pair.b.seconds.toFixed(2), pps(pair.b), pair.b.maxRssMb.toFixed(0)],
    ['rstwatch replay (2x input)', rst2.seconds.toFixed(2), pps(rst2, 2 * expected.packets), rst2.maxRssMb.toFixed(0)],
    ...(conv ? [['tshark -z conv,tcp', conv.seconds.toFixed(2), pps(conv), conv.maxRssMb.toFixed(0)]] : []),
    ...(same ? [['tshark, same job (oracle)', same.seconds.toFixed(2), pps(same), same.maxRssMb.toFixed(0)]] : []),
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  process.stdout.write('\n' + rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')).join('\n') + '\n\n');
  const limit = RATIO_TARGETS[kind];
  const targets: Record<string, { value: string; met: boolean }> = {
    [`${kind}: time <= ${limit} x tcpdump`]: {
      value: `${pair.ratio.median.toFixed(2)} x (pairs: ${pair.ratio.min.toFixed(2)} to ${pair.ratio.max.toFixed(2)})`,
      met: pair.ratio.median <= limit,
    },
    [`${kind}: peak memory <= 150 MB (1x and 2x input)`]: {
      value: `${pair.b.maxRssMb.toFixed(0)} MB, ${rst2.maxRssMb.toFixed(0)} MB on 2x`,
      met: Math.max(pair.b.maxRssMb, rst2.maxRssMb) <= 150,
    },
  };
  if (same && conv) {
    targets['>= 100 x faster than tshark doing the same job'] = {
      value: `${(same.seconds / pair.b.seconds).toFixed(0)} x (conv,tcp: ${(conv.seconds / pair.b.seconds).toFixed(0)} x)`,
      met: same.seconds / pair.b.seconds >= 100,
    };
  }
  if (!keep) rmSync(file, { force: true });
  const file_ = { packets: expected.packets, tuples: expected.tuples, megabytes: sizeMb };
  return { file: file_, tcpdump: pair.a, rstwatch: pair.b, ratio: pair.ratio, rstwatch2x: rst2, tshark: conv, tsharkSameJob: same, targets };
}

/** Peak memory on a large flood (`--big-flood` packets, default 5 M): one run, counts checked. */
async function bigFlood(cli: string): Promise<Record<string, { value: string; met: boolean }>> {
  const { file, expected } = await capture('flood', bigFloodPackets);
  checkCounts(cli, file, expected);
  const t = measure(`rstwatch replay --json FILE (${expected.packets} flood packets)`, process.execPath, [cli, 'replay', '--json', '--no-progress', file], 1);
  if (!keep) rmSync(file, { force: true });
  return { [`flood of ${expected.packets} packets: peak memory <= 150 MB`]: { value: `${t.maxRssMb.toFixed(0)} MB`, met: t.maxRssMb <= 150 } };
}

async function main(): Promise<void> {
  for (const tool of ['/usr/bin/time', 'tcpdump', ...(withTshark ? ['tshark'] : [])]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      process.stderr.write(`bench: ${tool} is missing (npm run bench installs it as root: scripts/setup.sh --bench)\n`);
      process.exit(2);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const cli = join(root, 'dist/rstwatch.js');
  if (!existsSync(cli)) throw new Error('dist/rstwatch.js is missing: run npm run build');
  const results: Record<string, unknown> = { date: new Date().toISOString(), runs };
  let targets: Record<string, { value: string; met: boolean }> = {};
  for (const kind of kinds) {
    const r = await benchKind(kind, cli);
    results[kind] = r;
    targets = { ...targets, ...(r.targets as typeof targets) };
  }
  if (bigFloodPackets > 0) targets = { ...targets, ...(await bigFlood(cli)) };
  for (const [name, t] of Object.entries(targets)) process.stdout.write(`target ${name}: ${t.value} (${verdict(t.met)})\n`);
  writeFileSync(join(outDir, 'replay-results.json'), `${JSON.stringify({ ...results, targets }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
