#!/usr/bin/env node
// Builds dist/: tsc (tsconfig.build.json) into dist/, then the esbuild bundle dist/rstwatch.js
// (scripts/bundle.mjs). `npm run build`, `npm pack` (prepack), scripts/setup.sh and the system
// tests' global setup call it.
//
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a source is newer than dist/.build-stamp
//
// Prints one line; tsc's or esbuild's output only when they fail (then all of it), exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist/.build-stamp');
const ifStale = process.argv.includes('--if-stale');

/** Newest modification time (ms) under `path` (a file or a folder, walked). */
function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((n) => newest(join(path, n))));
}

// The bundle holds fastify, pino and prom-client: a change of the installed packages is a change
// of dist/ (node_modules/.package-lock.json is rewritten by every npm install or ci).
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.mjs', 'package.json', 'package-lock.json', 'node_modules/.package-lock.json'];
const outputs = ['dist/rstwatch.js', 'dist/rstwatch-report-worker.js', 'dist/chunks'];
const built = existsSync(stamp) && outputs.every((p) => existsSync(join(root, p)));
if (ifStale && built && statSync(stamp).mtimeMs >= Math.max(...inputs.filter((p) => existsSync(join(root, p))).map((p) => newest(join(root, p))))) {
  process.exit(0);
}
for (const tool of ['node_modules/typescript/bin/tsc', 'node_modules/esbuild/package.json']) {
  if (!existsSync(join(root, tool))) {
    process.stderr.write(`rstwatch: cannot build dist/: ${tool} is missing; run \`npm ci\` (or bash scripts/setup.sh) first\n`);
    process.exit(1);
  }
}
process.stderr.write('rstwatch: building dist/ (tsc, then the esbuild bundle dist/rstwatch.js)\n');
for (const step of [['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], ['scripts/bundle.mjs']]) {
  const r = spawnSync(process.execPath, step, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `${r.error.message}\n` : ''}`);
    process.stderr.write(`rstwatch: the build failed at ${step[0]}\n`);
    process.exit(1);
  }
}
writeFileSync(stamp, '');
