/**
 * Bytes allocated in V8's young generation while a function runs: how the allocation tests
 * (test/pipeline/allocation-flood.ts, test/report/scans-flood.ts) tell that the packet path
 * allocates nothing per packet. Run it in a process of its own, so that the test runner's
 * allocations stay out of the count.
 */
import { GCProfiler, getHeapSpaceStatistics, type HeapSpaceInfo, type HeapSpaceStatistics } from 'node:v8';

/** A heap space as `getHeapSpaceStatistics()` gives it (snake case), or as `GCProfiler` records it (camel case). */
type HeapSpace = HeapSpaceInfo | HeapSpaceStatistics;

/** Bytes in use in the young generation, by the heap's spaces. */
function youngBytes(spaces: readonly HeapSpace[]): number {
  let bytes = 0;
  let found = false;
  for (const s of spaces) {
    const [name, used] = 'space_name' in s ? [s.space_name, s.space_used_size] : [s.spaceName, s.spaceUsedSize];
    if (name !== 'new_space' && name !== 'new_large_object_space') continue;
    found = true;
    bytes += used;
  }
  // Never a silent 0: a renamed space must not pass for a young generation that allocated nothing.
  if (!found) throw new Error(`no young generation among the heap spaces: ${JSON.stringify(spaces)}`);
  return bytes;
}

/**
 * Bytes allocated in the young generation, where V8 allocates every number it boxes, and garbage
 * collections while `fn` runs. The bytes are counted across collections: the young generation's
 * growth up to each collection, then from what the collection left. (A collection itself is no
 * measure: one of the old generation comes when V8's compiler allocates, late on a loaded machine.)
 */
export function allocationDuring(fn: () => void): { bytes: number; collections: number } {
  const profiler = new GCProfiler();
  profiler.start();
  const start = youngBytes(getHeapSpaceStatistics());
  fn();
  const end = youngBytes(getHeapSpaceStatistics());
  const { statistics } = profiler.stop();
  let bytes = 0;
  let from = start;
  for (const gc of statistics) {
    bytes += youngBytes(gc.beforeGC.heapSpaceStatistics) - from;
    from = youngBytes(gc.afterGC.heapSpaceStatistics);
  }
  return { bytes: bytes + end - from, collections: statistics.length };
}
