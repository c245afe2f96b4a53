/**
 * Runs an allocation check's child script (test/pipeline/allocation-flood.ts,
 * test/report/scans-flood.ts) in a fresh Node, whose allocations are then its own, and reads the
 * JSON line it prints per case.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `script` (a path from the repository root) with `cases`, in order, under `v8Flags`; resolves with one result per case. */
export function runFloodChild<T>(script: string, v8Flags: readonly string[], cases: readonly string[]): Promise<T[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...v8Flags, '--import', 'tsx', resolve(repoRoot, script), ...cases], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${basename(script)} exited with ${code}: ${err}`));
      resolvePromise(
        out
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as T),
      );
    });
  });
}
