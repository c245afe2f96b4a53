/**
 * How long `rstwatch live -i IF` misses traffic when its interface goes down (or is deleted) and
 * comes back, and what it missed. In two network namespaces joined by a veth (created here, deleted
 * afterwards), a prober in the client namespace connects to a closed port of the server every
 * 20 ms; the daemon captures on the server's veth end. For each down time the script takes the
 * interface down (`--mode down`: `ip link set down`; `--mode recreate`: deletes the veth pair and
 * creates it again, so the interface has a new index), waits, brings it back, and reports:
 *
 * - resume_ms: from the moment the script starts bringing the interface back to the daemon's
 *   `capture_up` log line (its own timestamp): how long counting stays off after the link is back;
 * - probed / counted: refusals the prober saw (ECONNREFUSED), refusals the daemon counted
 *   (rstwatch_refused_total), and the difference: refusals lost after the link was back;
 * - down_seconds: rstwatch_capture_down_seconds_total growth (absent before issue 11).
 *
 *   node node_modules/tsx/dist/cli.mjs bench/reopen-bench.ts [--cli dist/rstwatch.js] [--mode down|recreate] [--down 3,10,20]
 *
 * Needs root. Every probe is bounded (at most 50 connects a second, for the cycle's time); the
 * namespaces are deleted at the end, also after a failure.
 */
import { type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addVethLink } from '../kit/namespaces.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../kit/netns.js';
import { sleep, until } from '../kit/wait.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const METRICS_PORT = 7471;
const CLOSED_PORT = 9;
const PROBE_EVERY_MS = 20;

const { values: flags } = parseArgs({
  options: { cli: { type: 'string', default: 'dist/rstwatch.js' }, mode: { type: 'string', default: 'down' }, down: { type: 'string', default: '3,10,20' } },
});
const cli = resolve(root, flags.cli);
const mode = flags.mode;
const downs = flags.down.split(',').map(Number);

/** A GET inside the server namespace (the daemon listens on its loopback). */
function scrape(net: NetnsPair): string {
  const script = `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then(r=>r.text()).then(t=>process.stdout.write(t),()=>{})`;
  return net.exec(net.server, process.execPath, ['-e', script], { allowFail: true }).stdout;
}

/** The value after `name{labels}` or `name ` in an exposition; 0 when the series is absent. */
function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** The daemon's JSON log lines, as they come. */
function logLines(child: ChildProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let rest = '';
  child.stdout?.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  return lines;
}

/**
 * A prober connecting to the closed port every PROBE_EVERY_MS for `ms`; resolves to its refusal
 * count. Each connect waits up to 3 s, so that a SYN held back while the link was down and refused
 * when it came back counts for the prober as it does for the daemon.
 */
function probe(net: NetnsPair, ms: number): Promise<number> {
  const script = `const net=require('net');let refused=0,n=0;const end=Date.now()+${ms};
const t=setInterval(()=>{if(Date.now()>end){clearInterval(t);setTimeout(()=>process.stdout.write(String(refused)),3300);return}
n++;const s=net.connect({host:'${net.addr.server4}',port:${CLOSED_PORT}});s.setTimeout(3000,()=>s.destroy());
s.on('error',e=>{if(e.code==='ECONNREFUSED')refused++});s.on('connect',()=>s.destroy())},${PROBE_EVERY_MS});`;
  const child = net.spawn(net.client, process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((r) => child.on('exit', () => r(Number(out))));
}

/** Takes the server's interface away (down, or deleted with its peer). */
function takeDown(net: NetnsPair): void {
  if (mode === 'recreate') net.exec(net.server, 'ip', ['link', 'del', net.serverIf]);
  else net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'down']);
}

/** Brings it back (up again, or a new veth pair with the same names and addresses). */
function bringBack(net: NetnsPair): void {
  if (mode !== 'recreate') {
    net.exec(net.server, 'ip', ['link', 'set', net.serverIf, 'up']);
    return;
  }
  addVethLink(
    { ns: net.client, dev: net.clientIf, v4: `${net.addr.client4}/24`, v6: `${net.addr.client6}/64` },
    { ns: net.server, dev: net.serverIf, v4: `${net.addr.server4}/24`, v6: `${net.addr.server6}/64` },
  );
}

async function cycle(net: NetnsPair, log: Record<string, unknown>[], downSeconds: number): Promise<Record<string, number>> {
  const before = scrape(net);
  const count = (event: string) => log.filter((l) => l.event === event).length;
  const upsBefore = count('capture_up');
  const downsBefore = count('capture_down');
  const prober = probe(net, 1000 + downSeconds * 1000 + 8000);
  await sleep(1000);
  takeDown(net);
  await until('capture_down', () => (count('capture_down') > downsBefore ? true : undefined), 10_000, undefined, 20);
  await sleep(downSeconds * 1000);
  const backAt = Date.now();
  bringBack(net);
  const up = await until('capture_up', () => log.filter((l) => l.event === 'capture_up')[upsBefore], 60_000, undefined, 20);
  const probed = await prober;
  await sleep(1000);
  const after = scrape(net);
  const refused = (text: string) =>
    ['inbound', 'outbound', 'unknown'].reduce((sum, d) => sum + metric(text, 'rstwatch_refused_total', `direction="${d}",port="${CLOSED_PORT}"`), 0);
  const counted = refused(after) - refused(before);
  const downMetric = 'rstwatch_capture_down_seconds_total';
  return {
    down_s: downSeconds,
    resume_ms: Date.parse(String(up.time)) - backAt,
    probed,
    counted,
    missed: probed - counted,
    direction_unknown:
      metric(after, 'rstwatch_refused_total', `direction="unknown",port="${CLOSED_PORT}"`) -
      metric(before, 'rstwatch_refused_total', `direction="unknown",port="${CLOSED_PORT}"`),
    down_seconds_metric: Math.round((metric(after, downMetric) - metric(before, downMetric)) * 100) / 100,
  };
}

async function main(): Promise<void> {
  requireRoot('bench/reopen-bench.ts');
  const net = createNetnsPair({ tag: 'reopb', subnet: 'b11' });
  let daemon: ChildProcess | undefined;
  try {
    const args = [cli, 'live', '-i', net.serverIf, '--listen', `127.0.0.1:${METRICS_PORT}`, '--ports', String(CLOSED_PORT), '--no-causes'];
    daemon = net.spawn(net.server, process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const log = logLines(daemon);
    await until('the daemon to listen', () => (log.some((l) => l.event === 'listening') ? true : undefined), 20_000);
    process.stdout.write(`# ${cli} ${mode}\n`);
    for (const d of downs) process.stdout.write(`${JSON.stringify(await cycle(net, log, d))}\n`);
  } finally {
    daemon?.kill('SIGTERM');
    net.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
