/**
 * Builds dist/ once before the suite, so that tests that run the real `rstwatch` binary
 * (node dist/rstwatch.js, the bundle of tsc's output) never test a stale build, however vitest was started. When the build fails,
 * dist/ is removed (so nothing stale is tested: those tests fail, naming the missing binary) and
 * the other tests still run; `npm test` stops earlier, at scripts/setup.sh's build.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'pipe' });
    execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    rmSync(`${root}/dist`, { recursive: true, force: true });
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
    process.stderr.write(`global setup: the TypeScript build failed; dist/ removed, tests of the binary will fail:\n${out}\n`);
  }
}
