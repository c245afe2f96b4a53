/** Bounded waits for tests and scripts that wait on a process or the kernel. */
import type { ChildProcess } from 'node:child_process';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Calls `fn` every `intervalMs` until it returns something other than undefined, and resolves to
 * that; rejects after `timeoutMs` with `what` (and `details()`, when given, for the failure message).
 */
export async function until<T>(what: string, fn: () => T | undefined, timeoutMs: number, details?: () => string, intervalMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${details ? `\n${details()}` : ''}`);
    await sleep(intervalMs);
  }
}

/**
 * Resolves with the first line of the child's `stream` that matches `re`; rejects after `timeoutMs`
 * or when the child exits first, naming `what` and the output seen.
 */
export function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, what: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: nothing matching ${re} within ${timeoutMs} ms; output: ${seen.slice(-2000)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = seen.split('\n').find((l) => re.test(l));
      if (m !== undefined) {
        clearTimeout(timer);
        child[stream]?.off('data', onData);
        resolvePromise(m);
      }
    };
    child[stream]?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before ${re}; output: ${seen.slice(-2000)}`));
    });
  });
}
