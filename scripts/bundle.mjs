// Bundles tsc's output (dist/cli.js and what it imports) into dist/rstwatch.js, the `rstwatch`
// binary, with esbuild (already installed: tsx and vite use it). One file loads about 15 ms faster
// than the ~40 modules it replaces, a cost every replay pays at start (bench/README.md). The live
// daemon, diagnose and their dependencies stay in chunks loaded on demand (dist/chunks/).
// The runtime packages (fastify, pino, prom-client) are bundled too, so the published package has
// no dependencies of its own to resolve at install: none can pull in a version that wants a newer
// Node (fastify's light-my-request takes cookie 2, which declares node >= 22). Only `cap` (an
// optional native addon) stays outside. Bundled CommonJS code calls `require` for Node's own
// modules: the banner gives ESM output a real one. Run after tsc: scripts/build.mjs does.
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist/chunks`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['dist/cli.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['cap'],
  banner: { js: "import { createRequire as __rstwatchCreateRequire } from 'node:module'; const require = __rstwatchCreateRequire(import.meta.url);" },
  outdir: 'dist',
  entryNames: 'rstwatch',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
// The report thread (src/report/collect/report-worker.ts) on its own: a worker loads it by path,
// and it holds only the collectors, so that its start stays short.
await build({
  absWorkingDir: root,
  entryPoints: ['dist/report/collect/report-worker.js'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/rstwatch-report-worker.js',
  logLevel: 'warning',
});
chmodSync(`${root}/dist/rstwatch.js`, 0o755);
