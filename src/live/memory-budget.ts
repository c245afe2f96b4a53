/**
 * The memory budget of `rstwatch live`: what each part of the daemon may hold at most, from its
 * settings, by construction (every size is fixed at start-up or bounded by a flag whose range
 * config.ts enforces). docs/live.md "Memory" tables it at the defaults and says how each part
 * scales; the daemon logs it at start-up (`memory_budget`); test/live/memory-budget.test.ts holds
 * the sizes to the arrays they describe and the docs to this table, and
 * test/e2e/memory-netns.test.ts holds a daemon under three full port scans and a random-source
 * flood to it.
 *
 * Two parts are measured, not computed: Node's own footprint (its code and libraries, file-backed,
 * and its allocator's), and V8's heap (the young generation at its default maximum of 2 x 16 MiB
 * semi-spaces, the old generation's live objects and the garbage between collections), which
 * grows with the scrape's size. The figures are those of Node 20 on x86-64.
 *
 * One part is elastic: the capture queue (native/src/frame_queue.c) takes memory only while frames
 * the capture thread read wait for the event loop, up to --queue-size, and gives it back once they
 * are counted. The budget is what the daemon holds at rest; `worstCaseBytes` adds the full queue.
 */
import { CAUSE_COLUMN_BYTES, CAUSE_COUNT, OUTCOME_COUNT, PENDING_COUNTS_BYTES } from '../causes/cause-counts.js';
import { EVIDENCE_LINE_BYTES, evidenceTableBytes, LINES_PER_PORT, MAX_EVIDENCE_PORTS } from '../causes/cause-evidence.js';
import { DEFAULT_MAX_PENDING_GROUPS, maxReadsFor } from '../causes/failure-causes.js';
import { GROUP_BYTES } from '../causes/failure-groups.js';
import { DETECTOR_BYTES_PER_SLOT, SUSPECT_COUNTER_BYTES } from '../detect/detector.js';
import { DEFAULT_BASELINE_HOSTS, TTL_BASELINE_BYTES_PER_HOST } from '../detect/ttl-baseline.js';
import { REFUSAL_LOG_BYTES } from '../log/refusal-log.js';
import { RATIO_RING_BYTES } from '../metrics/refusal-ratio.js';
import { ATTEMPT_TABLE_BYTES_PER_SLOT } from '../track/attempt-table.js';
import { addressCounterBytes } from '../track/address-counter.js';
import { PORT_COUNTER_BYTES } from '../track/counters.js';
import { DIRECTION_COUNT } from '../track/direction.js';
import { DEFAULT_SNAPLEN } from '../capture/bpf-filter.js';
import { NATIVE_QUEUE_RESERVE_CHUNKS, NATIVE_THREAD_STACK_BYTES, nativeBatchBytes } from '../capture/native-binding.js';
import type { Logger } from 'pino';
import { LIVE_BATCH_FRAMES, type LiveConfig } from './live-config.js';

const MiB = 1024 * 1024;

/** Node's footprint without V8's heap: its code and libraries (file-backed) and its allocator, measured idle. */
export const NODE_BASELINE_BYTES = 48 * MiB;
/** V8's heap without the scrape: the young generation at its maximum (32 MiB) and the old generation, measured under load. */
export const V8_HEAP_BASE_BYTES = 48 * MiB;
/** V8's heap per line of the exposition: what a scrape leaves in the old generation until the next full collection, measured. */
export const V8_BYTES_PER_EXPOSITION_LINE = 1024;
/** Lines a (direction, port) series adds to a scrape at most: six counters, five ICMP reasons, the ratio, five heuristics. */
export const EXPOSITION_LINES_PER_PORT = 6 + 5 + 1 + 5;
/** Lines an inbound port adds for its causes at most: every (outcome, cause) pair, and the pending outcomes. */
export const CAUSE_LINES_PER_PORT = OUTCOME_COUNT * CAUSE_COUNT + OUTCOME_COUNT;
/** A kernel-state read kept by the cause engine: the snapshot without its listeners, measured. */
export const KERNEL_READ_BYTES = 2048;
/** A listener of a read, with its index entry (kept once per read whose listeners changed), measured. */
export const KERNEL_LISTENER_BYTES = 512;
/** Listeners a read is budgeted for (a pod's namespace; more listeners, more memory: KERNEL_LISTENER_BYTES each a read). */
export const BUDGETED_LISTENERS = 64;
/** Kernel reads are kept for the attempt timeout plus this, seconds (an unanswered attempt is classified from the reads around its SYN). */
export const KERNEL_HISTORY_SLACK_SECONDS = 10;

/** The settings the budget depends on. */
export type BudgetSettings = Pick<
  LiveConfig,
  'maxAttempts' | 'attemptTimeoutSeconds' | 'maxPorts' | 'ports' | 'bufferBytes' | 'snaplen' | 'queueBytes' | 'detect' | 'causes'
>;

/** One part of the budget. */
export interface BudgetItem {
  /** Short name (the `memory_budget` log line's key). */
  readonly part: string;
  /** Bytes at most. */
  readonly bytes: number;
}

/** Series (direction, port) the metrics may export at most: the selected and kept ports and `other`, per direction. */
export function maxSeries(s: Pick<BudgetSettings, 'maxPorts' | 'ports'>): number {
  return DIRECTION_COUNT * (s.maxPorts + s.ports.size + 1);
}

/**
 * The native capture at rest, bytes: the batch area JavaScript reads (data and records), the
 * drained queue chunks kept for reuse, and the capture thread's stack; not the kernel ring.
 */
export function captureAtRestBytes(s: Pick<BudgetSettings, 'snaplen'>): number {
  const batch = nativeBatchBytes(s.snaplen ?? DEFAULT_SNAPLEN, LIVE_BATCH_FRAMES);
  return batch.data + batch.records + NATIVE_QUEUE_RESERVE_CHUNKS * batch.chunk + NATIVE_THREAD_STACK_BYTES;
}

/** The cause engine's parts at most. */
function causeEngineBytes(): number {
  const pairs = OUTCOME_COUNT * CAUSE_COUNT;
  const lines = MAX_EVIDENCE_PORTS * LINES_PER_PORT * EVIDENCE_LINE_BYTES;
  return pairs * CAUSE_COLUMN_BYTES + PENDING_COUNTS_BYTES + DEFAULT_MAX_PENDING_GROUPS * GROUP_BYTES + evidenceTableBytes() + lines;
}

/** The budget of a daemon with settings `s`, part by part; see the module comment. */
export function memoryBudget(s: BudgetSettings): BudgetItem[] {
  const series = maxSeries(s);
  const inboundPorts = s.maxPorts + s.ports.size + 1;
  const lines = series * EXPOSITION_LINES_PER_PORT + (s.causes ? inboundPorts * CAUSE_LINES_PER_PORT : 0);
  const reads = maxReadsFor((s.attemptTimeoutSeconds + KERNEL_HISTORY_SLACK_SECONDS) * 1000);
  const items: BudgetItem[] = [
    { part: 'node', bytes: NODE_BASELINE_BYTES },
    { part: 'v8_heap', bytes: V8_HEAP_BASE_BYTES + lines * V8_BYTES_PER_EXPOSITION_LINE },
    { part: 'capture', bytes: s.bufferBytes + captureAtRestBytes(s) },
    { part: 'attempt_table', bytes: s.maxAttempts * ATTEMPT_TABLE_BYTES_PER_SLOT },
    { part: 'counters', bytes: PORT_COUNTER_BYTES + 2 * addressCounterBytes(65_536) + REFUSAL_LOG_BYTES },
    { part: 'ratio_windows', bytes: series * RATIO_RING_BYTES },
  ];
  if (s.detect !== false) {
    items.push({
      part: 'detector',
      bytes: s.maxAttempts * DETECTOR_BYTES_PER_SLOT + SUSPECT_COUNTER_BYTES + DEFAULT_BASELINE_HOSTS * TTL_BASELINE_BYTES_PER_HOST,
    });
  }
  if (s.causes) {
    items.push({ part: 'cause_engine', bytes: causeEngineBytes() });
    items.push({ part: 'kernel_reads', bytes: reads * (KERNEL_READ_BYTES + BUDGETED_LISTENERS * KERNEL_LISTENER_BYTES) });
  }
  return items;
}

/** The budget's total, bytes. */
export function budgetTotal(items: readonly BudgetItem[]): number {
  return items.reduce((n, i) => n + i.bytes, 0);
}

/** The most a daemon with settings `s` holds, bytes: its budget at rest, and the capture queue full (--queue-size). */
export function worstCaseBytes(s: BudgetSettings): number {
  return budgetTotal(memoryBudget(s)) + s.queueBytes;
}

/** Logs the budget of a daemon with settings `s` (`memory_budget`: MiB per part and in all, at rest and with the capture queue full). */
export function logMemoryBudget(log: Logger, s: BudgetSettings): void {
  const items = memoryBudget(s);
  const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
  const total = mib(budgetTotal(items));
  const worst = mib(worstCaseBytes(s));
  log.info(
    {
      event: 'memory_budget',
      total_mib: total,
      parts_mib: Object.fromEntries(items.map((i) => [i.part, mib(i.bytes)])),
      capture_queue_mib: mib(s.queueBytes),
      worst_case_mib: worst,
    },
    `memory budget ${total} MiB at rest, ${worst} MiB at most with the capture queue full (docs/live.md "Memory")`,
  );
}
