/**
 * The daemon's memory budget (src/live/memory-budget.ts) held to what it describes: each size to
 * the typed arrays the part allocates (exact: `arrayBuffers` counts lengths), the bounded parts to
 * their bounds under the load that once grew them (issue 11), and docs/live.md's table to the
 * budget at the defaults.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLiveConfig } from '../../src/config.js';
import { CauseEvidenceStore, evidenceTableBytes, EVIDENCE_LINE_BYTES, LINES_PER_PORT, MAX_EVIDENCE_PORTS } from '../../src/causes/cause-evidence.js';
import { FailureGroups, GROUP_BYTES } from '../../src/causes/failure-groups.js';
import { maxReadsFor, ReadHistory, RECENT_READS } from '../../src/causes/read-history.js';
import { DETECTOR_BYTES_PER_SLOT, ResetDetector } from '../../src/detect/detector.js';
import type { Listener } from '../../src/kernel/listeners.js';
import { budgetTotal, KERNEL_LISTENER_BYTES, KERNEL_READ_BYTES, memoryBudget, worstCaseBytes } from '../../src/live/memory-budget.js';
import { NATIVE_DEFAULT_BATCH_BYTES, NATIVE_QUEUE_RESERVE_CHUNKS, NATIVE_THREAD_STACK_BYTES } from '../../src/capture/native-binding.js';
import { DEFAULT_QUEUE_BYTES } from '../../src/config.js';
import { createLogger } from '../../src/log/logger.js';
import { REFUSAL_LOG_BYTES, RefusalLog } from '../../src/log/refusal-log.js';
import { PortSelection } from '../../src/metrics/port-selection.js';
import { MAX_RATIO_STEPS, MAX_RATIO_WINDOW_SECONDS, RATIO_RING_BYTES, RefusalRatioSampler } from '../../src/metrics/refusal-ratio.js';
import { ATTEMPT_TABLE_BYTES_PER_SLOT, AttemptTable } from '../../src/track/attempt-table.js';
import { AddressCounter, addressCounterBytes } from '../../src/track/address-counter.js';
import { PORT_COUNTER_BYTES, PortCounters } from '../../src/track/counters.js';
import { kernelSnapshot } from '../support/kernel-snapshot.js';
import { listener } from '../support/listener.js';
import { heldArrayBytes, heldBytes } from '../support/memory.js';

/**
 * Typed-array bytes `make` allocates (what it returns is kept alive until measured): the first
 * figure two measurements agree on. The count is the whole process's, and the test runner's own
 * messages come and go as small buffers (a few dozen bytes, once in a while on a loaded machine):
 * a stray one moves one measurement, not two alike.
 */
async function arrayBytesOf(make: () => unknown): Promise<number> {
  const seen: number[] = [];
  const made: unknown[] = []; // every one kept alive to the end: none is freed during another's measurement
  for (;;) {
    const before = await heldArrayBytes();
    made.push(make());
    const after = await heldArrayBytes();
    expect(made.at(-1)).toBeDefined();
    const bytes = after - before;
    if (seen.includes(bytes) || seen.length === 5) return bytes;
    seen.push(bytes);
  }
}

const MiB = 1024 * 1024;

describe('each part of the budget is the size of its arrays', () => {
  it('the attempt table: ATTEMPT_TABLE_BYTES_PER_SLOT a slot (a power of two of slots: two buckets each)', async () => {
    expect(await arrayBytesOf(() => new AttemptTable(1 << 16))).toBe((1 << 16) * ATTEMPT_TABLE_BYTES_PER_SLOT);
  });

  it('the reset detector: DETECTOR_BYTES_PER_SLOT a slot besides its fixed tables', async () => {
    const clock = new Float64Array(1);
    const small = await arrayBytesOf(() => new ResetDetector({ slots: 1000, clock }));
    const large = await arrayBytesOf(() => new ResetDetector({ slots: 101_000, clock }));
    expect(large - small).toBe(100_000 * DETECTOR_BYTES_PER_SLOT);
  });

  it('the counters: the port table, the two top-address tables and the refusal log', async () => {
    expect(await arrayBytesOf(() => new PortCounters())).toBeGreaterThanOrEqual(PORT_COUNTER_BYTES);
    expect(await arrayBytesOf(() => new PortCounters())).toBeLessThan(PORT_COUNTER_BYTES + MiB);
    expect(await arrayBytesOf(() => new AddressCounter(65_536))).toBe(addressCounterBytes(65_536));
    expect(await arrayBytesOf(() => new RefusalLog(createLogger('silent'), new PortCounters()))).toBeLessThan(REFUSAL_LOG_BYTES + PORT_COUNTER_BYTES + MiB);
  });

  it('the cause engine: the waiting ring, the evidence table', async () => {
    expect(await arrayBytesOf(() => new FailureGroups(65_536))).toBe(65_536 * GROUP_BYTES);
    const before = heldBytes();
    const store = new CauseEvidenceStore();
    const table = heldBytes() - before;
    expect(store.evictions).toBe(0);
    expect(table).toBeLessThanOrEqual(evidenceTableBytes());
  });

  it('a cut evidence line stays within EVIDENCE_LINE_BYTES, and a port keeps LINES_PER_PORT lines', () => {
    const store = new CauseEvidenceStore();
    const long = `listeners on port 8080 cannot take a SYN: ${'[2001:db8::1]:8080, '.repeat(200)}`;
    for (let pair = 0; pair < 10; pair++) store.remember(8080, pair, `${long}${pair}`, Float64Array.of(1000 + pair), 0);
    const kept = Array.from({ length: 10 }, (_, pair) => store.get(8080, pair)).filter((e) => e !== undefined);
    expect(kept).toHaveLength(LINES_PER_PORT);
    // The most recent pairs keep their lines.
    expect(store.get(8080, 9)?.lastSeenMs).toBe(1009);
    for (const e of kept) expect(e?.evidence.length).toBeLessThanOrEqual((EVIDENCE_LINE_BYTES - 32) / 2);
    expect(MAX_EVIDENCE_PORTS).toBe(4096);
  });

  it('a ratio window of an hour keeps at most MAX_RATIO_STEPS + 1 snapshots a series (a 99999999 s window once took 4.8 GB)', async () => {
    const selection = new PortSelection(new PortCounters(), 100, new Set());
    const sampler = (windowSeconds: number): RefusalRatioSampler => new RefusalRatioSampler(selection, windowSeconds, () => 0);
    const hour = await arrayBytesOf(() => sampler(MAX_RATIO_WINDOW_SECONDS));
    expect(sampler(MAX_RATIO_WINDOW_SECONDS).slots).toBe(MAX_RATIO_STEPS + 1);
    // The three "other" series' rings, each two arrays of 121 numbers.
    expect(hour).toBe(3 * RATIO_RING_BYTES);
    expect(await arrayBytesOf(() => sampler(60))).toBe(3 * 2 * 61 * 8);
  });
});

describe('the kernel reads the cause engine keeps are bounded, whatever the attempt timeout', () => {
  /** `n` listeners whose accept queues move with `i`: a read whose listeners all changed. */
  const busy = (i: number, n: number): Listener[] =>
    Array.from({ length: n }, (_, k) => listener('0.0.0.0', 8000 + k, { acceptQueue: (i + k) % 7, inode: 1000 + k }));

  it(`keeps the last ${RECENT_READS} reads and thins the older ones: at most maxReadsFor(history) (an hour's timeout once kept 7236)`, () => {
    const history = new ReadHistory(3_610_000);
    for (let i = 0; i < 4000; i++) history.add(kernelSnapshot(i * 1000), i * 1000);
    expect(history.kept).toBeLessThanOrEqual(maxReadsFor(3_610_000));
    expect(maxReadsFor(3_610_000)).toBe(2 * RECENT_READS + 16);
    expect(history.count).toBe(4000);
    // The recent reads are all there; an old SYN finds a read within the thinning step.
    expect(history.get(3999)?.takenAtMs).toBe(3_999_000);
    expect(history.get(3999 - RECENT_READS + 1)?.takenAtMs).toBe((3999 - RECENT_READS + 1) * 1000);
    const oldSyn = 1_000_000;
    const before = history.get(history.atOrBefore(Float64Array.of(oldSyn), 0));
    expect(before).toBeDefined();
    expect(oldSyn - (before?.takenAtMs ?? 0)).toBeLessThanOrEqual(3_610_000 / RECENT_READS);
  });

  it('a read costs KERNEL_READ_BYTES and KERNEL_LISTENER_BYTES a listener that changed; unchanged listeners are one list', () => {
    const listeners = 64;
    // A first pass over both kinds of read compiles the code they run (bytecode and feedback live
    // on the heap too): what is measured after it is the reads alone.
    for (const step of [1, 0]) {
      const warm = new ReadHistory(200_000);
      for (let i = 0; i < 200; i++) warm.add(kernelSnapshot(i * 1000, busy(i * step, listeners)), i * 1000);
    }
    const changing = new ReadHistory(200_000);
    const before = heldBytes();
    for (let i = 0; i < 200; i++) changing.add(kernelSnapshot(i * 1000, busy(i, listeners)), i * 1000);
    const perRead = (heldBytes() - before) / changing.kept;
    expect(perRead).toBeLessThanOrEqual(KERNEL_READ_BYTES + listeners * KERNEL_LISTENER_BYTES);

    const quiet = new ReadHistory(200_000);
    const before2 = heldBytes();
    for (let i = 0; i < 200; i++) quiet.add(kernelSnapshot(i * 1000, busy(0, listeners)), i * 1000);
    const perQuietRead = (heldBytes() - before2) / quiet.kept;
    expect(perQuietRead).toBeLessThanOrEqual(KERNEL_READ_BYTES);
    expect(quiet.get(0)?.listeners).toBe(quiet.get(199)?.listeners);
  });
});

describe('docs/live.md "Memory" tables the budget at the defaults', () => {
  const doc = readFileSync(new URL('../../docs/live.md', import.meta.url), 'utf8');
  const budget = memoryBudget(loadLiveConfig([], {}));

  it.each(budget.map((i) => [i.part, i.bytes] as const))('%s: %d bytes', (part, bytes) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${part}\``));
    expect(row, `no row for ${part} in docs/live.md`).toBeDefined();
    expect(row).toContain(`| ${(bytes / MiB).toFixed(1)} MiB |`);
  });

  it('and their total', () => {
    expect(doc).toContain(`| **total** | **${(budgetTotal(budget) / MiB).toFixed(1)} MiB** |`);
  });

  it('the capture queue beside it (taken only while frames wait), and the worst case with it full', () => {
    const config = loadLiveConfig([], {});
    expect(doc).toContain(`| \`capture_queue\` | ${(config.queueBytes / MiB).toFixed(1)} MiB |`);
    expect(doc).toContain(`| **worst case** | **${(worstCaseBytes(config) / MiB).toFixed(1)} MiB** |`);
    expect(worstCaseBytes(config)).toBe(budgetTotal(budget) + DEFAULT_QUEUE_BYTES);
    expect(worstCaseBytes(loadLiveConfig(['--queue-size', String(MiB)], {}))).toBe(budgetTotal(budget) + MiB);
  });
});

describe("the native capture's sizes the budget counts are the addon's", () => {
  /** The value of `#define NAME <expression of integer products>` in a source file of native/src. */
  function defined(file: string, name: string): number {
    const src = readFileSync(new URL(`../../native/src/${file}`, import.meta.url), 'utf8');
    const expr = new RegExp(`^#define ${name} \\(?([\\d\\su*]+)\\)?$`, 'm').exec(src)?.[1];
    expect(expr, `#define ${name} in native/src/${file}`).toBeDefined();
    return (expr ?? '').split('*').reduce((n, f) => n * Number(f.trim().replace(/u$/, '')), 1);
  }

  it.each([
    ['rstwatch_pcap.c', 'DEFAULT_BATCH_BYTES', NATIVE_DEFAULT_BATCH_BYTES],
    ['rstwatch_pcap.c', 'DEFAULT_QUEUE_BYTES', DEFAULT_QUEUE_BYTES],
    ['frame_queue.h', 'RW_QUEUE_RESERVE', NATIVE_QUEUE_RESERVE_CHUNKS],
    ['capture_thread.c', 'STACK_BYTES', NATIVE_THREAD_STACK_BYTES],
  ])('%s %s = %d', (file, name, value) => {
    expect(defined(file, name)).toBe(value);
  });
});
