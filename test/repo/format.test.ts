/**
 * The house format: every source file git tracks is as prettier writes it
 * (.prettierrc.json; .prettierignore leaves out builds, captures and prose). Run
 * `npm run format` to rewrite the files this test lists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Folders that hold no source of ours (git's, dependencies, builds); .prettierignore says the rest. */
const NOT_SOURCE = new Set(['.git', 'node_modules', 'dist', 'build', 'out']);

/** Every file under `dir` but in NOT_SOURCE folders, as paths from the root. */
function treeFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return NOT_SOURCE.has(e.name) ? [] : treeFiles(join(dir, e.name));
    return e.isFile() ? [relative(root, join(dir, e.name))] : [];
  });
}

/**
 * The files git tracks (so a scratch file of one's own fails nothing), or, outside a git checkout
 * (an unpacked tarball), every file of the tree.
 */
function repositoryFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (git.status !== 0) return treeFiles();
  return git.stdout.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
}

describe('format', () => {
  it('every tracked source file is formatted by prettier', async () => {
    const unformatted: string[] = [];
    let checked = 0;
    for (const file of repositoryFiles()) {
      const path = join(root, file);
      const info = await prettier.getFileInfo(path, { ignorePath: join(root, '.prettierignore') });
      if (info.ignored || info.inferredParser === null) continue;
      const options = { ...(await prettier.resolveConfig(path)), filepath: path };
      checked++;
      if (!(await prettier.check(readFileSync(path, 'utf8'), options))) unformatted.push(file);
    }
    expect(checked).toBeGreaterThan(100);
    expect(unformatted, 'run `npm run format`').toEqual([]);
  }, 120_000);
});
