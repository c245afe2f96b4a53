/**
 * The Prometheus side of deploy/: promtool checks the alert rules, runs their unit tests and
 * checks both scrape configurations; a real Prometheus runs the Kubernetes relabelling on sample
 * pods; every rstwatch_* name in deploy/ and docs/live.md is one the daemon exports.
 * promtool and prometheus come from Debian's prometheus package (scripts/setup.sh --test).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untilAnswered } from '../../kit/wait.js';
import { freePort } from '../support/free-port.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const promDir = join(root, 'deploy/prometheus');
const alertsFile = join(promDir, 'rstwatch-alerts.yml');

/** The public metric contract (issues 3 and 5): names alerts and dashboards may rely on. */
const CONTRACT = [
  'rstwatch_syn_attempts_total',
  'rstwatch_syn_retransmits_total',
  'rstwatch_accepted_total',
  'rstwatch_refused_total',
  'rstwatch_unanswered_total',
  'rstwatch_early_resets_total',
  'rstwatch_icmp_rejected_total',
  'rstwatch_refusal_ratio',
  'rstwatch_refusal_latency_seconds',
  'rstwatch_suspect_resets_total',
  'rstwatch_capture_packets_total',
  'rstwatch_capture_dropped_total',
  'rstwatch_capture_up',
  'rstwatch_capture_down_seconds_total',
  'rstwatch_capture_faults_total',
  'rstwatch_decode_errors_total',
  'rstwatch_attempts_tracked',
  'rstwatch_attempt_evictions_total',
  'rstwatch_build_info',
  'rstwatch_failure_causes_total',
  'rstwatch_failure_causes_pending',
  'rstwatch_kernel_listen_overflows_total',
  'rstwatch_kernel_listen_drops_total',
  'rstwatch_kernel_syncookies_sent_total',
  'rstwatch_kernel_somaxconn',
  'rstwatch_kernel_tcp_max_syn_backlog',
  'rstwatch_kernel_tcp_abort_on_overflow',
  'rstwatch_kernel_syncookies',
];
const HISTOGRAMS = ['rstwatch_refusal_latency_seconds'];

function run(cmd: string, args: string[], cwd = promDir): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${cmd} not found: install Debian's prometheus package (scripts/setup.sh --test does, as root)`);
  }
  return r;
}

function expectSuccess(r: SpawnSyncReturns<string>): string {
  const out = `${r.stdout}${r.stderr}`;
  expect(r.status, out).toBe(0);
  return out;
}

const ruleCount = (readFileSync(alertsFile, 'utf8').match(/^\s*- alert: /gm) ?? []).length;

describe('deploy/prometheus with promtool', () => {
  it('promtool check rules: the alert rules are valid', () => {
    expect(ruleCount).toBeGreaterThanOrEqual(6);
    const out = expectSuccess(run('promtool', ['check', 'rules', 'rstwatch-alerts.yml']));
    expect(out).toContain(`SUCCESS: ${ruleCount} rules found`);
  });

  it('promtool test rules: every alert fires where it should and not where it should not', () => {
    const out = expectSuccess(run('promtool', ['test', 'rules', 'rstwatch-alerts.test.yml']));
    expect(out).toMatch(/^\s*SUCCESS\s*$/m);
    expect(out).not.toContain('FAILED');
    // Each alert has at least one unit test.
    const tests = readFileSync(join(promDir, 'rstwatch-alerts.test.yml'), 'utf8');
    for (const [, name] of readFileSync(alertsFile, 'utf8').matchAll(/^\s*- alert: (\w+)/gm)) {
      expect(tests, `no test for ${name}`).toContain(`alertname: ${name}`);
    }
  });

  it('promtool check config: the host configuration and the rule file it names', () => {
    const out = expectSuccess(run('promtool', ['check', 'config', 'prometheus.yml']));
    expect(out).toContain('SUCCESS: 1 rule files found');
    expect(out).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(out).toContain(`SUCCESS: ${ruleCount} rules found`);
  });
});

/**
 * prometheus-kubernetes.yml with file_sd_configs in place of kubernetes_sd_configs: Debian's
 * Prometheus is built without Kubernetes discovery, so the relabelling is exercised on targets
 * that carry the __meta_kubernetes_* labels the pod role would give.
 */
describe('deploy/prometheus/prometheus-kubernetes.yml', () => {
  let dir: string;
  let config: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rstwatch-prom-'));
    const original = readFileSync(join(promDir, 'prometheus-kubernetes.yml'), 'utf8');
    expect(original).toMatch(/kubernetes_sd_configs:\n\s+- role: pod\n/);
    config = original.replace(/kubernetes_sd_configs:\n(\s+)- role: pod\n/, 'file_sd_configs:\n$1- files: [pods.json]\n');
    writeFileSync(join(dir, 'prometheus.yml'), config);
    copyFileSync(alertsFile, join(dir, 'rstwatch-alerts.yml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('promtool check config passes (upstream build), or fails only for want of Kubernetes discovery', () => {
    const r = run('promtool', ['check', 'config', 'prometheus-kubernetes.yml']);
    if (r.status !== 0) expect(`${r.stdout}${r.stderr}`).toContain('field kubernetes_sd_configs not found');
    const out = expectSuccess(run('promtool', ['check', 'config', 'prometheus.yml'], dir));
    expect(out).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
    expect(out).toContain(`SUCCESS: ${ruleCount} rules found`);
  });

  it('a real Prometheus keeps only annotated, running rstwatch containers, on the annotated port and path', async () => {
    const meta = (pod: string, ip: string, container: string, extra: Record<string, string> = {}) => ({
      targets: [`${ip.includes(':') ? `[${ip}]` : ip}:7465`],
      labels: {
        __meta_kubernetes_namespace: 'shop',
        __meta_kubernetes_pod_name: pod,
        __meta_kubernetes_pod_ip: ip,
        __meta_kubernetes_pod_container_name: container,
        __meta_kubernetes_pod_phase: 'Running',
        __meta_kubernetes_pod_label_app: 'web',
        __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
        __meta_kubernetes_pod_annotation_prometheus_io_port: '7465',
        __meta_kubernetes_pod_annotation_prometheus_io_path: '/metrics',
        ...extra,
      },
    });
    writeFileSync(
      join(dir, 'pods.json'),
      JSON.stringify([
        meta('web-1', '10.1.2.3', 'rstwatch'),
        meta('web-2', 'fd00::5', 'rstwatch'),
        meta('web-1', '10.1.2.3', 'app'), // the app container's port: dropped
        meta('web-3', '10.1.2.4', 'rstwatch', { __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'false' }),
        meta('web-4', '10.1.2.5', 'rstwatch', { __meta_kubernetes_pod_phase: 'Pending' }),
      ]),
    );
    const port = await freePort();
    const prom = spawn('prometheus', ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    prom.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const spawned = new Promise<void>((resolve, reject) => {
      prom.once('spawn', resolve);
      prom.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? new Error("prometheus not found: install Debian's prometheus package (scripts/setup.sh --test)") : err),
      );
    });
    try {
      await spawned;
      type Target = { scrapeUrl: string; labels: Record<string, string> };
      type Targets = { data: { activeTargets: Target[]; droppedTargets: unknown[] } };
      // Discovery updates reach the scrape manager about 5 s after start; a throw: not listening yet.
      const body = await untilAnswered(
        'the five sample pods discovered',
        async () => {
          const b = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=any`)).json()) as Targets;
          return b.data.activeTargets.length + b.data.droppedTargets.length >= 5 ? b : undefined;
        },
        40_000,
        () => log,
        500,
      );
      const active = body.data.activeTargets;
      const dropped = body.data.droppedTargets.length;
      expect(active.length + dropped, log).toBe(5);
      const got = active.map((t): Record<string, string> => ({ url: t.scrapeUrl, ...t.labels })).sort((a, b) => a.pod.localeCompare(b.pod));
      expect(got).toEqual([
        { url: 'http://10.1.2.3:7465/metrics', instance: '10.1.2.3:7465', job: 'rstwatch-pods', namespace: 'shop', pod: 'web-1', app: 'web' },
        { url: 'http://[fd00::5]:7465/metrics', instance: '[fd00::5]:7465', job: 'rstwatch-pods', namespace: 'shop', pod: 'web-2', app: 'web' },
      ]);
    } finally {
      prom.kill('SIGTERM');
    }
  });

  it('reads the annotations and container name that deploy/kubernetes/sidecar.yaml sets', () => {
    const sidecar = readFileSync(join(root, 'deploy/kubernetes/sidecar.yaml'), 'utf8');
    expect(sidecar).toContain('prometheus.io/scrape: "true"');
    expect(sidecar).toContain('prometheus.io/port: "7465"');
    expect(sidecar).toContain('prometheus.io/path: /metrics');
    expect(sidecar).toMatch(/^\s+- name: rstwatch$/m);
  });
});

describe('metric names in deploy/ and docs/live.md', () => {
  const files = [...walk(join(root, 'deploy')), join(root, 'docs/live.md')];
  const used = new Map<string, string>();
  for (const f of files) {
    for (const [name] of readFileSync(f, 'utf8').matchAll(/\brstwatch_[a-z0-9_]+/g)) used.set(name, f.slice(root.length));
  }

  it('finds the names the alerts use', () => {
    for (const n of ['rstwatch_refusal_ratio', 'rstwatch_syn_attempts_total', 'rstwatch_capture_up']) expect(used.has(n)).toBe(true);
  });

  it.each([...used.keys()])('%s is in the metric contract', (name) => {
    const base = HISTOGRAMS.find((h) => name === `${h}_bucket` || name === `${h}_sum` || name === `${h}_count`) ?? name;
    expect(CONTRACT, `${name} in ${used.get(name)}`).toContain(base);
  });
});

function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}
