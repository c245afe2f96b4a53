/**
 * The corrupt-input harness: runs the built binary (`node dist/rstwatch.js replay --json FILE`) on
 * the mutants of kit/capture-mutator.ts, each under GNU time (its peak RSS) with a timeout, and
 * checks what docs/exit-codes.md and docs/capture.md promise for bad input:
 *
 * - the exit status is one `replay` documents, and 0 or 4 (2 and 3 cannot happen for an existing
 *   file with these arguments; 70 is a bug); no signal, no timeout;
 * - stderr holds only `rstwatch: warning|error|hint:` lines: no stack trace;
 * - stdout is the JSON report, `complete` false exactly on exit 4, whose error is
 *   RSTWATCH_ERR_CAPTURE_FORMAT naming the file and a byte offset no earlier than the first
 *   damaged record or block;
 * - every packet wholly before the first changed byte is counted; a file that is only cut short
 *   (past its first header) exits 0 with exactly those packets, `truncated_tail` unless the cut
 *   fell between records; an undamaged file exits 0 with all of its packets;
 * - where the rules decide the damage (`Mutant.expect`): a length that cannot be true stops the read
 *   with exit 4 at exactly its record or block, with exactly the packets before it; a time, a link
 *   type or a length that frames nothing leaves the file sound (exit 0, every packet);
 * - on exit 0, what was skipped as a cut-short last record is at most one plausible record (16 bytes
 *   and the snaplen; a pcapng block of the base's largest size or a packet block of that size), and
 *   a damaged (not merely cut) file whose damage lies before that tail skips no more than the
 *   largest record or block of the file the tail's bytes come from (the base; for a splice, the
 *   file spliced on), and the bytes cut short at its end when that file is itself cut short: a
 *   larger tail is records lost, not a capture cut short;
 * - the peak RSS stays under a limit.
 *
 * Used by test/capture/corrupt-files.test.ts (a few hundred files) and scripts/fuzz.ts (thousands).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaptureIndex, commonPrefix, packetsBefore, structureStart } from './capture-index.js';
import { makeMutant, type Mutant, type Seed } from './capture-mutator.js';

/** GNU time, which reports a command's peak RSS. */
export const GNU_TIME = '/usr/bin/time';

/** What one run of the binary did. */
export interface RunOutcome {
  status: number | null;
  /** The signal that ended it ('SIGABRT', ...), or null. */
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Peak resident set size, KiB (GNU time's %M); -1 when unknown (timed out). */
  maxRssKb: number;
  /** Wall-clock seconds. */
  seconds: number;
}

/** Limits of one run. */
export interface RunLimits {
  /** Killed (with its process group) after this long, ms. */
  timeoutMs: number;
  /** Peak RSS allowed, KiB. */
  maxRssKb: number;
}

/** Default limits: 10 s per file (a small file takes 0.1 s), 256 MiB (an idle replay peaks near 60 MiB). */
export const DEFAULT_LIMITS: RunLimits = { timeoutMs: 10_000, maxRssKb: 256 * 1024 };

/** Runs `node cli replay --json path` under GNU time; never rejects. */
export function runReplayOn(cli: string, path: string, limits: RunLimits): Promise<RunOutcome> {
  const timeFile = `${path}.time`;
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    // Its own process group, so that a timeout ends GNU time and the node below it alike.
    const child = spawn(GNU_TIME, ['-f', 'rss %M', '-o', timeFile, process.execPath, cli, 'replay', '--json', path], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, limits.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const time = existsSync(timeFile) ? readFileSync(timeFile, 'utf8') : '';
      rmSync(timeFile, { force: true });
      const rss = /^rss (\d+)$/m.exec(time);
      const bySignal = /terminated by signal (\d+)/.exec(time);
      resolve({
        status: bySignal === null ? code : null,
        signal: bySignal !== null ? `signal ${bySignal[1]}` : signal,
        timedOut,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        maxRssKb: rss === null ? -1 : Number(rss[1]),
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
  });
}

/** The exit statuses docs/exit-codes.md gives `rstwatch replay` ("By command"). */
export function documentedReplayStatuses(exitCodesDoc: string): number[] {
  const row = /^\| `rstwatch replay` \| ([\d, ]+) \|/m.exec(exitCodesDoc);
  if (row === null) throw new Error('docs/exit-codes.md has no row for `rstwatch replay`');
  return row[1].split(',').map((s) => Number(s.trim()));
}

/** What a mutant's run must show, from its bytes and its base alone. */
export interface Expectation {
  /** Bytes before the first that differs from the base. */
  prefix: number;
  /** Packets wholly in that prefix: each must be counted. */
  packetsBefore: number;
  /** Start of the first damaged record or block: no error may name an earlier offset. */
  damagedFrom: number;
  /** The bytes are the base's, unchanged: exit 0, every packet. */
  intact: boolean;
  /** The bytes are the base cut short, past its first header: exit 0, exactly packetsBefore. */
  cutOnly: boolean;
  /** The cut fell between two structures (no record cut short). */
  cutAtBoundary: boolean;
  /**
   * Bytes of the largest record or block (header included) of the file whose bytes follow the
   * first change: the base's, or a splice's second file's (`Mutant.spliced`).
   */
  largestStructure: number;
  /** Bytes after that file's last whole record or block (it is itself cut short), at the end of the mutant too. */
  cutAtEnd: number;
  /** Most bytes one plausible record or block can hold: what a cut-short tail may skip at most. */
  plausibleRecord: number;
}

/** The expectation of `m` (see Expectation). */
export function expectationOf(m: Mutant): Expectation {
  const idx = m.baseIndex;
  const tailFrom = m.spliced?.index ?? idx;
  const prefix = commonPrefix(m.base, m.bytes);
  const intact = prefix === m.base.length && m.bytes.length === m.base.length;
  const cutOnly = !intact && prefix === m.bytes.length && prefix >= idx.headerEnd;
  return {
    prefix,
    packetsBefore: intact ? idx.packets : packetsBefore(idx, prefix),
    damagedFrom: structureStart(idx, prefix),
    intact,
    cutOnly,
    cutAtBoundary: idx.structures.some((s) => s.end === prefix),
    largestStructure: Math.max(...tailFrom.structures.map((s) => s.end - s.start)),
    cutAtEnd: tailFrom.leftover,
    plausibleRecord: plausibleRecordBytes(m.base, idx),
  };
}

/** libpcap's largest snapshot length (MAXIMUM_SNAPLEN), bytes: what a snaplen of 0 means. */
const MAX_SNAPLEN = 262_144;

/**
 * Most bytes one plausible record or block of `base` can hold: pcap, its 16-byte header and the
 * file's snaplen; pcapng, an EPB's 32 bytes of header and trailer, the largest snaplen an IDB
 * declares, and as many option bytes as the base's largest block carries beyond its data.
 */
function plausibleRecordBytes(base: Buffer, idx: CaptureIndex): number {
  if (idx.format === 'pcap') {
    const le = idx.structures[0].le;
    const snaplen = le ? base.readUInt32LE(16) : base.readUInt32BE(16);
    return 16 + (snaplen === 0 ? MAX_SNAPLEN : snaplen);
  }
  let snaplen = 0;
  for (const s of idx.structures) {
    if (s.kind !== 'idb') continue;
    const v = s.le ? base.readUInt32LE(s.start + 12) : base.readUInt32BE(s.start + 12);
    snaplen = Math.max(snaplen, v === 0 ? MAX_SNAPLEN : v);
  }
  return Math.max(32 + (snaplen === 0 ? MAX_SNAPLEN : snaplen), ...idx.structures.map((s) => s.end - s.start));
}

/** The cut-short last record a report's warning names: its offset and the bytes present; null when none. */
export function skippedTail(warnings: readonly string[]): { at: number; bytes: number } | null {
  for (const w of warnings) {
    const m = /the last record at byte offset (\d+) is cut short \((\d+) bytes present\)/.exec(w);
    if (m !== null) return { at: Number(m[1]), bytes: Number(m[2]) };
  }
  return null;
}

interface JsonReport {
  complete: boolean;
  packets: number;
  error: { code: string; message: string } | null;
  files: { truncated_tail: boolean }[];
  warnings: string[];
}

/** Every broken promise of one run, as text (empty when the run is right). */
export function checkOutcome(m: Mutant, path: string, o: RunOutcome, limits: RunLimits, documented: readonly number[]): string[] {
  const problems: string[] = [];
  const e = expectationOf(m);
  if (o.timedOut) return [`no answer within ${limits.timeoutMs} ms`];
  if (o.signal !== null) problems.push(`ended by ${o.signal}`);
  if (o.status === null || !documented.includes(o.status) || (o.status !== 0 && o.status !== 4)) problems.push(`exit status ${o.status}`);
  if (/^\s+at /m.test(o.stderr) || /internal error/.test(o.stderr)) problems.push('a stack trace or internal error on stderr');
  const stray = o.stderr.split('\n').filter((l) => l !== '' && !/^rstwatch: (warning|error|hint): /.test(l));
  if (stray.length > 0) problems.push(`stderr line not a warning, error or hint: ${stray[0].slice(0, 200)}`);
  if (o.maxRssKb > limits.maxRssKb) problems.push(`peak RSS ${o.maxRssKb} KiB over ${limits.maxRssKb}`);
  let r: JsonReport;
  try {
    r = JSON.parse(o.stdout) as JsonReport;
  } catch {
    return [...problems, `stdout is not the JSON report: ${o.stdout.slice(0, 200)}`];
  }
  if ((r as Partial<JsonReport>).packets === undefined) {
    // A replay that read no frame prints only its version, complete false and the error (docs/report.md).
    const keys = Object.keys(r).join(' ');
    if (keys !== 'rstwatch_version complete error' || o.status === 0) problems.push(`no report but '${keys}' with exit ${o.status}`);
    r = { ...r, packets: 0, files: [], warnings: [] };
  }
  if (r.complete !== (o.status === 0)) problems.push(`complete ${r.complete} with exit ${o.status}`);
  if (o.status === 4) problems.push(...faultProblems(r, path, o.stderr, e));
  if (r.packets < e.packetsBefore) problems.push(`${r.packets} packets counted, ${e.packetsBefore} lie wholly before the first damaged byte ${e.prefix}`);
  const sound = e.intact || m.expect === 'sound';
  if (sound && (o.status !== 0 || r.packets !== m.baseIndex.packets))
    problems.push(`a sound file: exit ${o.status}, ${r.packets} of ${m.baseIndex.packets} packets`);
  if (typeof m.expect === 'object') problems.push(...expectedFaultProblems(r, o.status, m.expect.faultAt, packetsBefore(m.baseIndex, m.expect.faultAt)));
  if (e.cutOnly && (o.status !== 0 || r.packets !== e.packetsBefore || r.files[0]?.truncated_tail === e.cutAtBoundary)) {
    problems.push(`a file cut at ${e.prefix}: exit ${o.status}, ${r.packets} of ${e.packetsBefore} packets, truncated_tail ${r.files[0]?.truncated_tail}`);
  }
  if (o.status === 0 && !e.intact) problems.push(...tailProblems(r, e));
  return problems;
}

/**
 * What a mutant read with exit 0 may have skipped as a cut-short last record: at most one plausible
 * record; and when the damage lies before that tail (not merely a cut), no more than the largest
 * record or block of the file its bytes come from (the base, or the file a splice put after the
 * damage) and the bytes cut short at that file's end, else the damage swallowed records that the
 * file still holds.
 */
function tailProblems(r: JsonReport, e: Expectation): string[] {
  const tail = skippedTail(r.warnings ?? []);
  if (tail === null) return [];
  if (tail.bytes > e.plausibleRecord) {
    return [`exit 0 skipping a cut-short tail of ${tail.bytes} bytes at ${tail.at}, more than one plausible record (${e.plausibleRecord} bytes)`];
  }
  if (!e.cutOnly && e.prefix < tail.at && tail.bytes > e.largestStructure + e.cutAtEnd) {
    const most = e.cutAtEnd === 0 ? `(${e.largestStructure} bytes)` : `and the bytes cut short at its end (${e.largestStructure} + ${e.cutAtEnd} bytes)`;
    return [
      `exit 0 skipping a cut-short tail of ${tail.bytes} bytes at ${tail.at}, after the damage at byte ${e.prefix}: more than the largest record of the file ${most}`,
    ];
  }
  return [];
}

/**
 * The byte offset a format error names: the last in its message, which ends with it (an earlier one
 * may name the records after the fault, "whole records from byte offset N reach its end").
 */
export function faultOffset(message: string): number | null {
  const at = /at byte offset (\d+)$/.exec(message);
  return at === null ? null : Number(at[1]);
}

/** What a length that cannot be true must give: exit 4 at its record or block, every packet before it. */
function expectedFaultProblems(r: JsonReport, status: number | null, faultAt: number, before: number): string[] {
  const at = faultOffset(r.error?.message ?? '');
  if (status === 4 && at === faultAt && r.packets === before) return [];
  return [`corrupt at byte ${faultAt} (${before} packets before it): exit ${status}, ${r.packets} packets, error at ${at ?? 'none'}`];
}

/** What exit 4 must come with: the format error naming the file and an offset at or after the damage. */
function faultProblems(r: JsonReport, path: string, stderr: string, e: Expectation): string[] {
  const problems: string[] = [];
  if (r.error?.code !== 'RSTWATCH_ERR_CAPTURE_FORMAT') problems.push(`exit 4 with error ${r.error?.code}`);
  const at = faultOffset(r.error?.message ?? '');
  if (!(r.error?.message ?? '').includes(path) || !stderr.includes(path) || at === null)
    problems.push(`the error names no file and offset: ${r.error?.message}`);
  else if (at < e.damagedFrom) problems.push(`the error names byte ${at}, before the first damaged structure at ${e.damagedFrom}`);
  return problems;
}

/** One mutant's run: where it was written, what was done, what went wrong. */
export interface FileResult {
  index: number;
  mutant: Mutant;
  path: string;
  outcome: RunOutcome;
  problems: string[];
}

/** A run of many mutants. */
export interface CorruptRunOptions {
  seeds: readonly Seed[];
  runSeed: number;
  /** Mutants 0..count-1. */
  count: number;
  /** Runs at once. */
  jobs: number;
  /** The built binary (dist/rstwatch.js). */
  cli: string;
  /** Where each mutant is written; a failing one is kept there (with a .txt note), the others removed. */
  dir: string;
  limits: RunLimits;
  /** The `replay` exit statuses of docs/exit-codes.md. */
  documented: readonly number[];
  onResult?: (r: FileResult) => void;
}

/** Runs mutants 0..count-1 of `runSeed`, `jobs` at a time; the results in index order. */
export async function runCorruptFiles(o: CorruptRunOptions): Promise<FileResult[]> {
  mkdirSync(o.dir, { recursive: true });
  const results: FileResult[] = new Array(o.count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < o.count) {
      const index = next++;
      const mutant = makeMutant(o.seeds, o.runSeed, index);
      const path = join(o.dir, `seed${o.runSeed}-${index}.${mutant.seed.endsWith('.pcap') ? 'pcap' : 'pcapng'}`);
      writeFileSync(path, mutant.bytes);
      const outcome = await runReplayOn(o.cli, path, o.limits);
      const problems = checkOutcome(mutant, path, outcome, o.limits, o.documented);
      if (problems.length === 0) rmSync(path, { force: true });
      else writeFileSync(`${path}.txt`, `${describeMutant(o.runSeed, index, mutant)}\n${problems.join('\n')}\n--- stderr\n${outcome.stderr}`);
      results[index] = { index, mutant, path, outcome, problems };
      o.onResult?.(results[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  return results;
}

/** One line naming a mutant so that it can be made again. */
export function describeMutant(runSeed: number, index: number, m: Mutant): string {
  return `seed ${runSeed} mutant ${index}: ${m.kind} of ${m.seed}: ${m.note}`;
}

/** Files, exit statuses, worst RSS and time of a run. */
export interface CorruptRunSummary {
  files: number;
  statuses: Record<string, number>;
  kinds: Record<string, number>;
  worstRssKb: number;
  worstRssFile: string;
  worstSeconds: number;
  worstSecondsFile: string;
  failures: FileResult[];
}

/** Sums up `results`. */
export function summarize(runSeed: number, results: readonly FileResult[]): CorruptRunSummary {
  const s: CorruptRunSummary = {
    files: results.length,
    statuses: {},
    kinds: {},
    worstRssKb: 0,
    worstRssFile: '',
    worstSeconds: 0,
    worstSecondsFile: '',
    failures: [],
  };
  for (const r of results) {
    const status = r.outcome.timedOut ? 'timeout' : r.outcome.signal !== null ? r.outcome.signal : String(r.outcome.status);
    s.statuses[status] = (s.statuses[status] ?? 0) + 1;
    const kind = r.mutant.kind.replace(/^reencode\+/, '');
    s.kinds[kind] = (s.kinds[kind] ?? 0) + 1;
    if (r.outcome.maxRssKb > s.worstRssKb) {
      s.worstRssKb = r.outcome.maxRssKb;
      s.worstRssFile = describeMutant(runSeed, r.index, r.mutant);
    }
    if (r.outcome.seconds > s.worstSeconds) {
      s.worstSeconds = r.outcome.seconds;
      s.worstSecondsFile = describeMutant(runSeed, r.index, r.mutant);
    }
    if (r.problems.length > 0) s.failures.push(r);
  }
  return s;
}
