#!/usr/bin/env node
// Builds native/ (rstwatch's libpcap binding, N-API) into native/build/Release/rstwatch_pcap.node
// with node-gyp, against the headers of the node that runs this script, so nothing is downloaded.
// It is the package's `install` script (so `npm install -g rstwatch-*.tgz` builds the addon, as
// native addons are built) and scripts/setup.sh calls it in a checkout.
//
//   node scripts/build-native.mjs             build when a source is newer than the addon; a
//                                             failure is a warning (exit 0): replay and the cap
//                                             backend work without the addon
//   node scripts/build-native.mjs --required  a failure exits 1 (setup.sh: the tests need it)
//   node scripts/build-native.mjs --force     rebuild even when up to date
//
// Prints one line; node-gyp's own output only when the build fails (then all of it), and it is
// kept in native/build-native.log. Needs a C compiler, make, python3 and libpcap-dev (pcap.h).
// npm shows an install script's output only when it fails, so a warning printed here at
// `npm install` is seen only with --foreground-scripts; `rstwatch live` repeats it when it needs
// the addon (src/capture/native-binding.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const native = join(root, 'native');
const addon = join(native, 'build/Release/rstwatch_pcap.node');
const logFile = join(native, 'build-native.log');
const args = new Set(process.argv.slice(2));
const required = args.has('--required');
const say = (line) => process.stderr.write(`rstwatch: ${line}\n`);

for (const a of args) {
  if (a !== '--required' && a !== '--force') {
    say(`build-native: unknown option '${a}' (known: --required, --force)`);
    process.exit(2);
  }
}

/** Newest modification time (ms) of binding.gyp and native/src/*. */
function newestSource() {
  const files = [join(native, 'binding.gyp'), ...readdirSync(join(native, 'src')).map((f) => join(native, 'src', f))];
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

/** node-gyp's entry script: npm's own (npm sets npm_config_node_gyp for scripts), else ours, else npm's bundled copy. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(root, 'node_modules/node-gyp/bin/node-gyp.js')];
  try {
    const npmCli = realpathSync(join(dirname(process.execPath), 'npm'));
    candidates.push(join(dirname(dirname(npmCli)), 'node_modules/node-gyp/bin/node-gyp.js'));
  } catch {
    // no npm beside node
  }
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed as a package
  }
  return candidates.find((c) => c && existsSync(c));
}

/** --nodedir for the headers of this node (Debian: /usr; the official images: /usr/local). */
function nodeDir() {
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  for (const dir of [prefix, '/usr/local', '/usr']) if (existsSync(join(dir, 'include/node/node_api.h'))) return dir;
  return undefined;
}

/**
 * Writes the build log beside the addon, or under the temporary folder when native/ is not
 * writable (a root-owned global install rebuilt without sudo); returns where it went, or null.
 */
function writeLog(text) {
  for (const file of [logFile, join(tmpdir(), 'rstwatch-build-native.log')]) {
    try {
      writeFileSync(file, text);
      return file;
    } catch {
      // not writable here: try the next place
    }
  }
  return null;
}

function fail(reason, output = '') {
  if (output) process.stderr.write(output.endsWith('\n') ? output : `${output}\n`);
  say(`the native capture addon was not built: ${reason}`);
  const log = writeLog(`${reason}\n\n${output}`);
  if (log) say(`  (log: ${log})`);
  if (required) process.exit(1);
  say('  replay, diagnose and `live --backend cap` work without it; `live` with the default backend needs it.');
  say('  Install libpcap-dev, a C compiler, make and python3, then run `npm rebuild -g rstwatch`');
  say('  (with sudo when the package is installed as root; in a checkout: bash scripts/setup.sh).');
  process.exit(0);
}

if (!args.has('--force') && existsSync(addon) && statSync(addon).mtimeMs >= newestSource()) {
  say('native capture addon up to date');
  process.exit(0);
}
const gyp = findNodeGyp();
if (!gyp) fail('node-gyp was not found (it comes with npm; or `npm install node-gyp`)');
const gypArgs = [gyp, 'rebuild', '--directory', native];
const dir = nodeDir();
if (dir) gypArgs.push(`--nodedir=${dir}`);
say(`building the native capture addon (node-gyp${dir ? `, headers of ${dir}` : ''})`);
const r = spawnSync(process.execPath, gypArgs, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.error) fail(`node-gyp could not run: ${r.error.message}`, output);
if (r.status !== 0) {
  const noPcap = /pcap\.h: No such file|cannot find -lpcap/.test(output);
  fail(noPcap ? 'libpcap-dev is missing (pcap.h or libpcap.so not found)' : `node-gyp exited ${r.status}`, output);
}
writeLog(output);
say('native capture addon built');
