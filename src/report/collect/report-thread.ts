/**
 * The report's collectors in a second thread. On a flood every attempt is a new pair and a new
 * scan key, and the pair table and the scan finder cost the replay's thread almost as much as the
 * tracker (docs/architecture.md, "The report thread"). With `--report-thread`, the replay's
 * thread only copies each ended attempt into a ring (attempt-ring.ts); a worker
 * (report-worker.ts, dist/rstwatch-report-worker.js) reads them in order into the same collectors
 * and, once the capture is read, sends back what they found. The attempts, their order and the
 * collectors are the same as on one thread, so the report is the same, byte for byte.
 *
 * When: the worker costs its start (some 30 ms, in parallel) and a core, so `auto` uses it for
 * captures of THREAD_MIN_BYTES or more on a machine with two cores or more. Standard input, a
 * machine with one core, and a build without the worker's bundle (running from src/) use one
 * thread.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../base/package-root.js';
import type { AddressCount } from '../../track/address-counter.js';
import type { ScanRow } from '../scans.js';
import { AttemptRing, AttemptRingWriter } from './attempt-ring.js';
import { PairTable, type PairTableState } from './pair-table.js';
import type { TimelineRows } from './timeline.js';

/** When the collectors run in a second thread: `auto` by the capture's size and the machine's cores, `on` whenever it can, `off` never. */
export type ReportThreadChoice = 'auto' | 'on' | 'off';
/** The values of ReportThreadChoice, for the command line. */
export const REPORT_THREAD_CHOICES: readonly ReportThreadChoice[] = ['auto', 'on', 'off'];
/** Bytes of capture (all files together) from which `auto` uses the report thread. */
export const THREAD_MIN_BYTES = 32 * 1024 * 1024;

/** What the collectors found, as the report reads it: the collectors themselves, or what the report thread sent back. */
export interface Collected {
  readonly pairs: PairTable;
  readonly timeline: { rows(): TimelineRows; readonly unknown: Float64Array };
  readonly icmpFromOther: Float64Array;
  readonly icmpAnswerers: { top(n: number): AddressCount[] };
}

/** The scans and floods found, as the report reads them. */
export interface FoundScans {
  rows(): ScanRow[];
  readonly evictedKeys: number;
  readonly droppedFailures: number;
}

/** The worker's job (its workerData). */
export interface ReportJob {
  ring: SharedArrayBuffer;
  maxPairs: number | undefined;
  bucketSeconds: number | undefined;
}

/** What the worker sends back, once. */
export type ThreadMessage =
  | {
      kind: 'done';
      pairs: PairTableState;
      timeline: TimelineRows;
      unknown: Float64Array;
      icmpFromOther: Float64Array;
      /** The answerers, all of them, ranked: `top(n)` is the first n. */
      icmpAnswerers: AddressCount[];
      scans: ScanRow[];
      evictedKeys: number;
      droppedFailures: number;
    }
  | { kind: 'aborted' }
  | { kind: 'failed'; message: string };

/** The worker's bundle beside the binary's; undefined when running from src/ (tests) or a build without it. */
export function reportWorkerEntry(): string | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  const entry = join(packageRoot(), 'dist', 'rstwatch-report-worker.js');
  return existsSync(entry) ? entry : undefined;
}

/** Total size in bytes of the files at `paths` (those that cannot be read count 0: their reader reports them). */
function totalBytes(paths: readonly string[]): number {
  let total = 0;
  for (const path of paths) {
    try {
      total += statSync(path).size;
    } catch {
      // the reader names the file and why
    }
  }
  return total;
}

/** Whether a replay of `paths` runs its collectors in the report thread, by `choice` (see ReportThreadChoice). */
export function useReportThread(paths: readonly string[], choice: ReportThreadChoice, entry: string | undefined): entry is string {
  if (choice === 'off' || entry === undefined || paths.includes('-')) return false;
  if (choice === 'on') return true;
  return availableParallelism() >= 2 && totalBytes(paths) >= THREAD_MIN_BYTES;
}

/** Why `--report-thread on` runs on one thread (useReportThread said no), for a warning. */
export function whyOneThread(paths: readonly string[], entry: string | undefined): string {
  if (paths.includes('-')) return 'standard input is read on one thread';
  return entry === undefined ? 'the report thread needs the built bundle dist/rstwatch-report-worker.js, which is missing' : 'it cannot be used';
}

/** The replay's side of a report thread: the ring's writer, and the worker's result. */
export class ReportThread {
  /** The tracker's ended attempts go here (an EndedAttemptConsumer). */
  readonly writer: AttemptRingWriter;
  private readonly worker: Worker;
  private readonly result: Promise<ThreadMessage>;

  /** Starts the worker at `entry` with an empty ring. */
  constructor(entry: string, options: { maxPairs?: number; bucketSeconds?: number }) {
    const ring = AttemptRing.create();
    this.writer = new AttemptRingWriter(ring);
    const job: ReportJob = { ring: ring.buffer, maxPairs: options.maxPairs, bucketSeconds: options.bucketSeconds };
    this.worker = new Worker(entry, { workerData: job, stdout: false, stderr: false });
    this.result = new Promise<ThreadMessage>((resolve) => {
      this.worker.once('message', (m: ThreadMessage) => resolve(m));
      this.worker.once('error', (err) => {
        this.writer.abort();
        resolve({ kind: 'failed', message: err.stack ?? err.message });
      });
      this.worker.once('exit', (code) => {
        this.writer.abort();
        resolve({ kind: 'failed', message: `the report thread exited (${code}) before it sent its result` });
      });
    });
  }

  /**
   * Closes the ring (every attempt has ended: the tracker has finished) and waits for what the
   * collectors found; throws when the report thread failed.
   */
  async finish(): Promise<{ collector: Collected; scans: FoundScans }> {
    this.writer.close();
    const m = await this.result;
    await this.worker.terminate();
    if (m.kind !== 'done') throw new Error(m.kind === 'failed' ? m.message : 'the report thread was stopped');
    const ranked = m.icmpAnswerers;
    const timeline = m.timeline;
    return {
      collector: {
        pairs: new PairTable(m.pairs.capacity, m.pairs),
        timeline: { rows: () => timeline, unknown: m.unknown },
        icmpFromOther: m.icmpFromOther,
        icmpAnswerers: { top: (n) => ranked.slice(0, n) },
      },
      scans: { rows: () => m.scans, evictedKeys: m.evictedKeys, droppedFailures: m.droppedFailures },
    };
  }

  /** Stops the worker (the replay failed before the end). */
  async stop(): Promise<void> {
    this.writer.abort();
    await this.worker.terminate();
  }
}
