/**
 * The package as a user gets it: `npm pack`, then `npm install -g` of the tarball into a new
 * prefix, then the installed `rstwatch`. The install builds the native addon from the shipped
 * sources (scripts/build-native.mjs, the package's install script); a build that cannot run is a
 * clear warning, and `replay` and the `cap` backend work without it.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const capture = join(root, 'pcaps/netns-refusals-v4.pcap');
let dir: string;
let prefix: string;
let installed: string;
let install: SpawnSyncReturns<string>;
let tarball: string;

/** Where this node's headers are, for node-gyp (cap's build): nothing is downloaded. */
function nodeDir(): string | undefined {
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  return [prefix, '/usr/local', '/usr'].find((d) => existsSync(join(d, 'include/node/node_api.h')));
}

function npm(args: string[], extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const nodedir = process.env.npm_config_nodedir ?? nodeDir();
  const env = { ...process.env, npm_config_loglevel: 'warn', ...(nodedir ? { npm_config_nodedir: nodedir } : {}), ...extraEnv };
  return spawnSync('npm', args, { cwd: root, encoding: 'utf8', timeout: 300_000, env });
}

/** The binary installed under `where` (default: the main install), run from another folder than the checkout. */
function rstwatch(args: string[], where = prefix): SpawnSyncReturns<string> {
  return spawnSync(join(where, 'bin/rstwatch'), args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rw-pkg-'));
  prefix = join(dir, 'prefix');
  // --ignore-scripts: pack the dist/ the global setup built, without prepack's rebuild, which
  // would replace dist/ under the other test files that run the binary meanwhile.
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
  expect(pack.status, pack.stderr).toBe(0);
  tarball = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
  // --prefer-offline: the optional `cap` package comes from npm's cache when `npm ci` put it there.
  install = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball]);
  installed = join(prefix, 'lib/node_modules/rstwatch');
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack, then npm install -g of the tarball', () => {
  it('ships the bundle and the addon sources, and no dependency but the optional cap', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(Object.keys(pkg.optionalDependencies as object)).toEqual(['cap']);
    for (const f of ['dist/rstwatch.js', 'native/binding.gyp', 'native/src/rstwatch_pcap.c', 'scripts/build-native.mjs', 'docs/semantics.md']) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
  });

  it('installs without engine warnings on this Node, and builds the native addon at install', () => {
    expect(install.status, `${install.stdout}${install.stderr}`).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(installed, 'native/build/Release/rstwatch_pcap.node'))).toBe(true);
    // The optional cap addon is built too (a failed optional build is dropped without a word).
    expect(existsSync(join(installed, 'node_modules/cap/build/Release/cap.node')), 'cap was not built at install').toBe(true);
  });

  it('the installed rstwatch replays a capture', () => {
    const r = rstwatch(['replay', '--json', capture]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { packets: number; totals: { attempts: number }; complete: boolean };
    expect(report.packets).toBe(60);
    expect(report.totals.attempts).toBeGreaterThan(0);
    expect(report.complete).toBe(true);
  });

  it('the installed rstwatch runs the report thread from its own bundle: the same report as on one thread', () => {
    expect(existsSync(join(installed, 'dist/rstwatch-report-worker.js'))).toBe(true);
    const on = rstwatch(['replay', '--json', '--report-thread', 'on', capture]);
    const off = rstwatch(['replay', '--json', '--report-thread', 'off', capture]);
    expect([on.status, off.status], `${on.stderr}${off.stderr}`).toEqual([0, 0]);
    expect(on.stderr).toBe(''); // no "counted on this thread" warning: the worker ran
    expect(on.stdout).toBe(off.stdout);
  });

  it.each([
    ['native', []],
    ['cap', ['--backend', 'cap']],
  ])('the installed rstwatch lists the capture interfaces (%s backend)', (_name, flags) => {
    const r = rstwatch(['live', ...flags, '--list-interfaces']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['lo', 'any']));
  });

  it('an install where the native build cannot run still succeeds: replay and cap work, live says how to mend it', () => {
    // CC=false: the C compiler "fails", as on a machine without one (cap, C++, still builds).
    const other = join(dir, 'prefix-nocc');
    const r = npm(['install', '-g', '--prefix', other, '--prefer-offline', '--no-audit', '--no-fund', tarball], { CC: 'false' });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const pkgDir = join(other, 'lib/node_modules/rstwatch');
    expect(existsSync(join(pkgDir, 'native/build/Release/rstwatch_pcap.node'))).toBe(false);
    expect(readFileSync(join(pkgDir, 'native/build-native.log'), 'utf8')).toMatch(/^the native capture addon|node-gyp exited/m);

    const live = rstwatch(['live', '-i', 'lo'], other); // the capture opens before the HTTP listener
    expect(live.status).toBe(5);
    expect(live.stderr).toMatch(/native capture binding cannot be loaded/);
    expect(live.stderr).toMatch(/npm rebuild -g rstwatch/);
    expect(live.stderr).toMatch(/build-native\.log/);
    expect(live.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(rstwatch(['replay', capture], other).status).toBe(0);
    expect(rstwatch(['live', '--backend', 'cap', '--list-interfaces'], other).status).toBe(0);
  });

  it('the install script says why the addon was not built and where the log is; --required makes it fail', () => {
    const script = join(installed, 'scripts/build-native.mjs');
    const env = { ...process.env, CC: 'false' };
    const build = spawnSync(process.execPath, [script, '--force'], { encoding: 'utf8', env });
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).toMatch(/the native capture addon was not built: node-gyp exited/);
    expect(build.stderr).toContain(join(installed, 'native/build-native.log'));
    expect(build.stderr).toMatch(/npm rebuild -g rstwatch/);
    const required = spawnSync(process.execPath, [script, '--force', '--required'], { encoding: 'utf8', env });
    expect(required.status).toBe(1);
    expect(required.stderr).toMatch(/the native capture addon was not built/);
  });
});
