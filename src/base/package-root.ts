/**
 * Where rstwatch's own files are: the directory of its package.json, found by walking up from this
 * module. The same answer from src/, from dist/ (tsc's output) and from the bundle in dist/ (whose
 * chunks sit at another depth), so nothing depends on how deep a module was built.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package directory (its package.json names `rstwatch`); falls back to the parent of this module's directory. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start, i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'rstwatch') return (root = dir);
    } catch {
      // no package.json here: go up
    }
  }
  return (root = dirname(start));
}
