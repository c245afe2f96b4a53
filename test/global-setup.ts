/**
 * Builds dist/ once before the suite, so that tests that run the real `rstwatch` binary
 * (node dist/cli.js) never test a stale build, however vitest was started.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  chmodSync(`${root}/dist/cli.js`, 0o755);
}
