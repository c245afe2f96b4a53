/** Polling helpers for tests that wait on a process or the kernel, bounded in time. */

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
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
