// Bundles tsc's output (dist/cli.js and what it imports) into dist/rstwatch.js, the `rstwatch`
// binary, with esbuild (already installed: tsx and vite use it). One file loads about 15 ms faster
// than the ~40 modules it replaces, a cost every replay pays at start (bench/README.md). The live
// daemon, diagnose and their dependencies stay in chunks loaded on demand (dist/chunks/); npm
// packages (fastify, pino, prom-client, cap) are not bundled. Run after tsc: scripts/setup.sh,
// `npm run build` and the test suite's global setup do.
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
  packages: 'external',
  outdir: 'dist',
  entryNames: 'rstwatch',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
chmodSync(`${root}/dist/rstwatch.js`, 0o755);
