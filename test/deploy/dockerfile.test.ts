/**
 * The Dockerfile, checked against the repository. No container engine runs in CI, so this cannot
 * show that the image builds (apt-get, base image changes, the engine's own rules): it shows that
 * the Dockerfile agrees with what the repository builds and documents. docs/live.md says so too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTEN_PORT } from '../../src/config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Instruction {
  readonly op: string;
  readonly args: string;
  readonly stage: number;
}

/** Instructions with continuation lines joined and comments dropped, each with its stage index. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    pending += `${pending === '' ? '' : ' '}${line.replace(/\\$/, '').trim()}`;
    if (line.endsWith('\\')) continue;
    const m = /^(\w+)\s+(.*)$/s.exec(pending);
    pending = '';
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'FROM') stage++;
    out.push({ op, args: m[2], stage });
  }
  return out;
}

const dockerfile = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const froms = dockerfile.filter((i) => i.op === 'FROM');
const runtime = froms.length - 1;
const inStage = (stage: number, op: string) => dockerfile.filter((i) => i.stage === stage && i.op === op);
const one = (op: string) => {
  const found = inStage(runtime, op);
  expect(found, `one ${op} in the runtime stage`).toHaveLength(1);
  return found[0].args;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
  bin: { rstwatch: string };
  files: string[];
  scripts: Record<string, string>;
};
/** Where the build stage installs the packed package (`npm install -g --prefix`). */
const PREFIX = '/opt/rstwatch';

describe('Dockerfile', () => {
  it('has a build stage on node:<major>-bookworm and a runtime stage on node:<major>-bookworm-slim', () => {
    expect(froms).toHaveLength(2);
    expect(froms[0].args).toMatch(/^node:(\d+)-bookworm AS build$/);
    expect(froms[1].args).toMatch(/^node:(\d+)-bookworm-slim$/);
  });

  it('uses the Node major of package.json engines and of the Node running the tests', () => {
    const engines = Number(/(\d+)/.exec(pkg.engines.node)?.[1]);
    const dev = Number(process.versions.node.split('.')[0]);
    for (const f of froms) {
      const major = Number(/^node:(\d+)-/.exec(f.args)?.[1]);
      expect(major).toBe(engines);
      expect(major).toBe(dev);
    }
  });

  it('builds the package as npm packs it, and installs the tarball as a user does (the addon built at install)', () => {
    const runs = inStage(0, 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm pack\b/);
    expect(runs).toContain(`npm install -g --prefix ${PREFIX}`);
    expect(runs).toMatch(/\.\/rstwatch-\*\.tgz/);
    // The install only warns when the addon cannot be built; the image must have it.
    expect(runs).toContain(`test -f ${PREFIX}/lib/node_modules/rstwatch/native/build/Release/rstwatch_pcap.node`);
    expect(pkg.scripts.install).toBe('node scripts/build-native.mjs');
    // node-gyp builds cap against the image's own headers, not a download.
    expect(inStage(0, 'ENV').map((i) => i.args)).toContain('npm_config_nodedir=/usr/local');
  });

  it('copies the installed package, which holds what the entrypoint runs', () => {
    const copies = inStage(runtime, 'COPY').map((c) => c.args);
    expect(copies).toEqual([`--from=build ${PREFIX}/lib/node_modules/rstwatch /app`]);
    expect(one('WORKDIR')).toBe('/app');
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[];
    expect(entrypoint[1]).toBe(`/app/${pkg.bin.rstwatch}`);
    expect(pkg.files).toContain(pkg.bin.rstwatch);
  });

  it('.dockerignore keeps host builds out and everything the build and the package read in', () => {
    const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const ignored = (path: string) =>
      patterns.some((p) => {
        const re = new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}(/.*)?$`);
        return re.test(path);
      });
    for (const p of ['node_modules', 'dist', 'native/build', '.git']) expect(ignored(p), p).toBe(true);
    const build = ['package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/bundle.mjs', 'tsconfig.json', 'tsconfig.build.json', 'src/cli.ts'];
    // What the package ships, but for the build outputs themselves.
    const shipped = pkg.files.filter((f) => !f.startsWith('dist/')).map((f) => f.replace(/\/$/, ''));
    const needed = [...build, ...shipped];
    for (const p of needed) {
      expect(existsSync(join(root, p)), p).toBe(true);
      expect(ignored(p), p).toBe(false);
    }
  });

  it('installs the libpcap runtime and gives cap_net_raw to the node binary the entrypoint runs', () => {
    const runs = inStage(runtime, 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(runs).toMatch(/apt-get install[^&]*\blibpcap0\.8\b/);
    // ss (iproute2): the cause classifier reads backlogs and IPV6_V6ONLY through it.
    expect(runs).toMatch(/apt-get install[^&]*\biproute2\b/);
    expect(runs).not.toMatch(/apt-get (purge|remove)[^&]*\biproute2\b/);
    const setcap = /setcap (\S+) (\S+)/.exec(runs);
    expect(setcap?.[1]).toMatch(/^cap_net_raw\+e?i?p/);
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[];
    expect(entrypoint[0]).toBe(setcap?.[2]);
    expect(entrypoint.slice(1)).toEqual(['/app/dist/rstwatch.js', 'live']);
  });

  it('runs as a non-root user, given by number', () => {
    const user = one('USER');
    const uid = user.split(':')[0];
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).not.toBe(0);
  });

  it(`exposes the default listen port (${DEFAULT_LISTEN_PORT}) and health-checks /healthz there`, () => {
    expect(one('EXPOSE')).toBe(String(DEFAULT_LISTEN_PORT));
    const check = one('HEALTHCHECK');
    expect(check).toContain('/healthz');
    expect(check).toContain(`:${DEFAULT_LISTEN_PORT}`);
    // The health check needs no capability: plain node, not the file-capable copy.
    expect(check).toMatch(/CMD \["node",/);
  });
});

describe('deploy/kubernetes/sidecar.yaml matches the image', () => {
  const sidecar = readFileSync(join(root, 'deploy/kubernetes/sidecar.yaml'), 'utf8');

  it('runs as the image user, with NET_RAW only', () => {
    expect(sidecar).toContain(`runAsUser: ${one('USER').split(':')[0]}`);
    expect(sidecar).toMatch(/drop: \[ALL\]\n\s+(#.*\n\s+)*add: \[NET_RAW\]/);
    expect(sidecar).toContain('runAsNonRoot: true');
    expect(sidecar).toContain('allowPrivilegeEscalation: false');
    expect(sidecar).toContain('readOnlyRootFilesystem: true');
  });

  it('names the exposed port "metrics" and probes /healthz and /readyz on it', () => {
    expect(sidecar).toMatch(new RegExp(`- name: metrics\\n\\s+containerPort: ${one('EXPOSE')}\\n`));
    expect(sidecar).toMatch(/livenessProbe:\n\s+httpGet:\n\s+path: \/healthz\n\s+port: metrics/);
    expect(sidecar).toMatch(/readinessProbe:\n\s+httpGet:\n\s+path: \/readyz\n\s+port: metrics/);
  });
});
