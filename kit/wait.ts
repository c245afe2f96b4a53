/** Bounded waits for tests and scripts that wait on a process or the kernel, and a child's output read when it is done. */
import type { ChildProcess } from 'node:child_process';

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Calls `fn` (which may be async) every `intervalMs` until it gives something other than
 * undefined, and resolves to that; rejects after `timeoutMs` with `what` (and `details()`, when
 * given, for the failure message). A throw from `fn` rejects at once.
 */
export async function until<T>(
  what: string,
  fn: () => T | undefined | PromiseLike<T | undefined>,
  timeoutMs: number,
  details?: () => string,
  intervalMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${details ? `\n${details()}` : ''}`);
    await sleep(intervalMs);
  }
}

/**
 * `until` for a probe that may throw while what it asks is not up yet (a server still starting):
 * a throw counts as no answer, and the last one goes in the timeout message before `details()`.
 */
export function untilAnswered<T>(
  what: string,
  probe: () => T | undefined | PromiseLike<T | undefined>,
  timeoutMs: number,
  details?: () => string,
  intervalMs = 250,
): Promise<T> {
  let last: unknown;
  const attempt = async (): Promise<T | undefined> => {
    try {
      return await probe();
    } catch (err) {
      last = err;
      return undefined;
    }
  };
  const why = () => [last === undefined ? '' : `last error: ${String(last)}`, details?.() ?? ''].filter((x) => x !== '').join('\n');
  return until(what, attempt, timeoutMs, why, intervalMs);
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

/** Collects a child's output into a string (read when it is done). */
export function collect(child: ChildProcess, stream: 'stdout' | 'stderr'): () => string {
  const chunks: Buffer[] = [];
  child[stream]?.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString();
}

/** How a child ended: its exit code or signal, and whether it had to be SIGKILLed after the wait. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  killed: boolean;
}

/** Resolves with how the child ended, once it has; SIGKILLs it after `timeoutMs` (`killed` is then true). */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<ChildEnd> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolvePromise({ code: child.exitCode, signal: child.signalCode, killed: false });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, killed });
    });
  });
}

/** Sends `signal` to the child (unless it has ended) and waits for it as `exitOf` does. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<ChildEnd> {
  const end = exitOf(child, timeoutMs);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  return end;
}
