/**
 * What a test process holds, after a full collection (without starting it with --expose-gc): for
 * the tests that hold a structure to its memory budget (docs/live.md "Memory").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full collection, now. */
export const collectGarbage = runInNewContext('gc') as () => void;

/** Bytes of heap in use after a full collection. */
export function heldHeapBytes(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** Bytes of heap and of typed-array storage in use after a full collection. */
export function heldBytes(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Bytes of typed-array storage in use after full collections (exact: lengths, not pages). V8
 * frees the storage of dead arrays after the collection, off the main thread: this waits for the
 * count to settle.
 */
export async function heldArrayBytes(): Promise<number> {
  let last = -1;
  for (let i = 0; i < 20; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const now = process.memoryUsage().arrayBuffers;
    if (now === last) return now;
    last = now;
  }
  return last;
}
