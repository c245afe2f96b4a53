/**
 * Global setup of the `system` project (vitest.config.ts): builds dist/ when a source is newer than
 * it (scripts/build.mjs --if-stale), so that tests that run the real `rstwatch` binary never test a
 * stale build, however vitest was started. When the build fails, dist/ is removed (so nothing stale
 * is tested: those tests fail, naming the missing binary) and the other tests still run; `npm test`
 * stops earlier, at scripts/setup.sh's build.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(`${root}/dist`, { recursive: true, force: true });
    process.stderr.write(`global setup: the build failed; dist/ removed, tests of the binary will fail:\n${r.stderr}${r.error?.message ?? ''}\n`);
  }
}
