/**
 * The built binary's pairs and timeline (`rstwatch replay --json`, issue 13) on every real capture
 * of ../shared/pcaps, against the independent tshark count (kit/tshark-oracle.ts), as
 * test/e2e/shared-pcaps.test.ts does for the per-port counts:
 *   - `pairs` equal the oracle's (server, server port, client) counts, as a set, every pair, with
 *     `first` and `last` to the millisecond; addresses in canonical text; sorted by failures;
 *   - `timeline.buckets` add up to `totals`, start at consecutive multiples of `bucket_seconds`, and
 *     equal the oracle's per-bucket counts (each attempt in the bucket of its first SYN), for the
 *     width rstwatch chose, for `--bucket 1` and for `--bucket 0.001` (where exact times matter:
 *     nanosecond captures have first SYNs a few hundred ns before a millisecond's end); the chosen
 *     width is the ladder's as designed;
 *   - with `--max-pairs 3` the rows plus `pairs_other` still add up to the totals.
 * Missing captures, tshark or dist/ make the tests fail with a message, never skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  autoBucketWidthNs,
  bucketStartNs,
  canonicalAddress,
  countTimeline,
  ipv6Groups,
  isoMillis,
  oracleCounts,
  secondsToNs,
  type OracleBucket,
  type OracleOutcomeCounts,
  type OraclePair,
  type OracleResult,
} from '../../kit/tshark-oracle.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const PCAPS = sharedPcaps();
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const OUTCOMES = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'] as const;

/** The parts of the `--json` report these tests read (src/report/replay-report.ts; the i13 design's names). */
interface Report {
  totals: OracleOutcomeCounts;
  pairs: ({ server: string; port: number; client: string; first: string | null; last: string | null } & OracleOutcomeCounts)[];
  pairs_other: ({ pairs: number } & OracleOutcomeCounts) | null;
  timeline: { bucket_seconds: number; buckets: ({ start: string } & OracleOutcomeCounts)[] };
  warnings: string[];
}

const captures = readdirSync(PCAPS)
  .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
  .sort();

const reports = new Map<string, Report>();
/** `rstwatch replay --json ARGS FILE` (cached): the report, or a throw with the exit status and stderr. */
function replay(name: string, args: string[]): Report {
  const key = `${args.join(' ')} ${name}`;
  const cached = reports.get(key);
  if (cached) return cached;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build it (node scripts/build.mjs); the system project's global setup does`);
  const r = spawnSync(process.execPath, [cli, 'replay', '--json', ...args, join(PCAPS, name)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`rstwatch replay --json ${args.join(' ')} ${name}: exit ${r.status} ${r.error?.message ?? ''}\n${r.stderr}`);
  const report = JSON.parse(r.stdout) as Report;
  reports.set(key, report);
  return report;
}

const oracles = new Map<string, OracleResult>();
function oracle(name: string): OracleResult {
  let r = oracles.get(name);
  if (!r) {
    r = oracleCounts(join(PCAPS, name));
    oracles.set(name, r);
  }
  return r;
}

const counts = (c: OracleOutcomeCounts): OracleOutcomeCounts => Object.fromEntries(OUTCOMES.map((k) => [k, c[k]])) as unknown as OracleOutcomeCounts;
const pairKey = (p: { server: string; port: number; client: string }): string => `${p.server} ${p.port} ${p.client}`;

/**
 * The pairs on which the report and the oracle differ, one readable line each (a pair missing on
 * one side, or its counts or times differing); empty when they are equal as sets.
 */
function pairDiff(report: Report['pairs'], ours: readonly OraclePair[]): string[] {
  const theirs = new Map(report.map((p) => [pairKey(p), JSON.stringify({ ...counts(p), first: p.first, last: p.last })]));
  const mine = new Map(ours.map((p) => [pairKey(p), JSON.stringify({ ...counts(p), first: isoMillis(p.firstNs), last: isoMillis(p.lastNs) })]));
  const lines: string[] = [];
  for (const key of [...new Set([...theirs.keys(), ...mine.keys()])].sort()) {
    const [t, m] = [theirs.get(key), mine.get(key)];
    if (t !== m) lines.push(`${key}: rstwatch ${t ?? '(no pair)'}, oracle ${m ?? '(no pair)'}`);
  }
  if (report.length !== theirs.size) lines.push(`rstwatch lists ${report.length} pairs, ${report.length - theirs.size} of them twice`);
  return lines;
}

/** An address's value as eight 16-bit groups, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), for ordering. */
function addressValue(address: string): number[] {
  return ipv6Groups(address.includes(':') ? address : `::ffff:${address}`) ?? [];
}

function compareValues(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? -1) - (b[i] ?? -1);
  return 0;
}

/** The design's order of pairs: failures, then attempts (most first), then server, port and client (ascending). */
function reportOrder(p: Report['pairs'][number], q: Report['pairs'][number]): number {
  const failures = (c: OracleOutcomeCounts): number => c.refused + c.icmp_rejected + c.unanswered;
  return (
    failures(q) - failures(p) ||
    q.attempts - p.attempts ||
    compareValues(addressValue(p.server), addressValue(q.server)) ||
    p.port - q.port ||
    compareValues(addressValue(p.client), addressValue(q.client))
  );
}

/** The oracle's buckets in the report's shape. */
function asReportBuckets(buckets: readonly OracleBucket[]): Report['timeline']['buckets'] {
  return buckets.map((b) => ({ start: isoMillis(b.startNs) ?? 'beyond a date', ...counts(b) }));
}

/** Checks a timeline on its own: sums, starts at consecutive multiples of the width, RFC 3339 times. */
function checkTimelineShape(name: string, report: Report): void {
  const { bucket_seconds: width, buckets } = report.timeline;
  const widthNs = secondsToNs(width);
  expect(widthNs, `${name}: bucket_seconds ${width}`).toBeGreaterThan(0n);
  for (const k of OUTCOMES) {
    expect(
      buckets.reduce((sum, b) => sum + b[k], 0),
      `${name}: the buckets' ${k} add up to the totals`,
    ).toBe(report.totals[k]);
  }
  const startsNs = buckets.map((b) => {
    expect(b.start, `${name}: RFC 3339 UTC with milliseconds`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return BigInt(Date.parse(b.start)) * 1_000_000n;
  });
  startsNs.forEach((start, i) => {
    expect(start % widthNs, `${name}: bucket ${i} (${buckets[i].start}) starts at a multiple of ${width} s`).toBe(0n);
    if (i > 0) expect(start - startsNs[i - 1], `${name}: bucket ${i} (${buckets[i].start}) follows the one before`).toBe(widthNs);
  });
}

/** How many buckets of `widthNs` the attempts' first SYNs span, from the earliest's to the latest's. */
function bucketsSpanned(attempts: OracleResult['attemptList'], widthNs: bigint): bigint {
  if (attempts.length === 0) return 0n;
  const times = attempts.map((a) => a.firstSynNs);
  const min = times.reduce((a, b) => (a < b ? a : b));
  const max = times.reduce((a, b) => (a > b ? a : b));
  return (bucketStartNs(max, widthNs) - bucketStartNs(min, widthNs)) / widthNs + 1n;
}

/** Spans of at most this many buckets of the width asked for are shown at that width. */
const ASKED_BUCKETS_KEPT = 10_000n;

/**
 * With `--bucket`: the width asked for while the attempts' span takes at most ASKED_BUCKETS_KEPT
 * of it (rstwatch keeps more: the bound is kept well inside its own); beyond, it may be doubled,
 * as often as needed, with a warning naming the width used.
 */
function checkAskedWidth(name: string, report: Report, askedSeconds: number, attempts: OracleResult['attemptList']): void {
  const askedNs = secondsToNs(askedSeconds);
  const usedNs = secondsToNs(report.timeline.bucket_seconds);
  const span = bucketsSpanned(attempts, askedNs);
  const widened = report.warnings.filter((w) => /widened/.test(w));
  if (span <= ASKED_BUCKETS_KEPT) {
    expect(report.timeline.bucket_seconds, `${name}: ${span} buckets of ${askedSeconds} s are shown at that width`).toBe(askedSeconds);
    expect(widened, `${name}: no widening`).toEqual([]);
    return;
  }
  const factor = usedNs / askedNs;
  expect(usedNs % askedNs === 0n && (factor & (factor - 1n)) === 0n, `${name}: ${report.timeline.bucket_seconds} s is ${askedSeconds} s doubled`).toBe(true);
  if (factor > 1n) expect(widened.join(' '), `${name}: the report says the width was widened`).toContain(`${report.timeline.bucket_seconds} s`);
}

describe('rstwatch replay --json pairs and timeline against the tshark oracle, on every real capture', () => {
  it('finds the shared captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(25);
  });

  describe.each(captures)('%s', (name) => {
    it("pairs equal the oracle's, as a set, every pair, first and last to the millisecond", () => {
      const report = replay(name, ['--max-pairs', '1000000']);
      const ours = oracle(name);
      expect(counts(report.totals), `${name}: totals`).toEqual(counts(ours.totals));
      expect(report.pairs_other, `${name}: nothing folded with --max-pairs 1000000`).toBeNull();
      expect(pairDiff(report.pairs, ours.pairs), `${name}: pairs differing (of ${ours.pairs.length} in the oracle)`).toEqual([]);
    });

    it('pair addresses are canonical text; the pairs are sorted by failures, attempts, then server, port, client (addresses by value)', () => {
      const { pairs } = replay(name, ['--max-pairs', '1000000']);
      for (const p of pairs) {
        for (const address of [p.server, p.client]) expect(canonicalAddress(address.includes(':') ? 6 : 4, address)).toBe(address);
      }
      const order = pairs.map(pairKey);
      const sorted = [...pairs].sort(reportOrder).map(pairKey);
      expect(order, `${name}: the pairs in the report's order`).toEqual(sorted);
    });

    it('timeline (the width rstwatch chose): adds up to the totals, consecutive multiples of the width, per bucket as the oracle', () => {
      const report = replay(name, ['--max-pairs', '1000000']);
      checkTimelineShape(name, report);
      expect(report.timeline.buckets.length, `${name}: an automatic width makes at most 240 buckets`).toBeLessThanOrEqual(240);
      const widthNs = secondsToNs(report.timeline.bucket_seconds);
      expect(report.timeline.buckets, `${name}: buckets of ${report.timeline.bucket_seconds} s`).toEqual(
        asReportBuckets(countTimeline(oracle(name).attemptList, widthNs)),
      );
    });

    it('timeline width: the narrowest of the ladder (then 7 days, doubling) making at most 240 buckets over the first SYNs', () => {
      const report = replay(name, ['--max-pairs', '1000000']);
      const expected = autoBucketWidthNs(oracle(name).attemptList);
      expect(secondsToNs(report.timeline.bucket_seconds), `${name}: bucket_seconds ${report.timeline.bucket_seconds}`).toBe(expected);
    });

    it.each([1, 0.001])('--bucket %s: per bucket as the oracle (a span too long for the width widens it, by doubling, and says so)', (asked) => {
      const report = replay(name, ['--max-pairs', '1000000', '--bucket', String(asked)]);
      checkTimelineShape(name, report);
      checkAskedWidth(name, report, asked, oracle(name).attemptList);
      const widthNs = secondsToNs(report.timeline.bucket_seconds);
      expect(report.timeline.buckets, `${name}: buckets of ${report.timeline.bucket_seconds} s`).toEqual(
        asReportBuckets(countTimeline(oracle(name).attemptList, widthNs)),
      );
    });

    it('--max-pairs 3: at most 3 rows, and the rows plus pairs_other add up to the totals', () => {
      const report = replay(name, ['--max-pairs', '3']);
      const distinct = oracle(name).pairs.length;
      expect(report.pairs.length).toBeLessThanOrEqual(3);
      const other = report.pairs_other;
      if (distinct <= 3) {
        expect(other, `${name}: ${distinct} pairs fit, nothing folded`).toBeNull();
        expect(report.pairs).toHaveLength(distinct);
      } else {
        expect(other, `${name}: ${distinct} pairs, some folded`).not.toBeNull();
        // A pair folded, met again and kept is counted both in a row and in pairs_other.pairs.
        expect(other!.pairs + report.pairs.length).toBeGreaterThanOrEqual(distinct);
      }
      for (const k of OUTCOMES) {
        expect(
          report.pairs.reduce((sum, p) => sum + p[k], other?.[k] ?? 0),
          `${name}: rows + other, ${k}`,
        ).toBe(report.totals[k]);
      }
    });
  });
});
