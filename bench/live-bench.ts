/**
 * Live capture benchmark: SYNs to a closed port offered at rising rates from a client network
 * namespace (tcpreplay on the client's veth), answered by the server kernel's RSTs, captured in
 * the server namespace at the same time by `rstwatch live` and by `tcpdump -w /dev/null` (same
 * interface, filter, snaplen and kernel buffer). For each rate: what each captured and dropped
 * (pcap_stats: rstwatch_capture_dropped_total, tcpdump's "dropped by kernel"), rstwatch's CPU per
 * packet (/proc/PID/stat), /metrics latency under that load (a scraper every 20 ms), and its
 * resident memory after each rate and at its peak (/proc/PID/status VmRSS, VmHWM; the budget is
 * docs/live.md "Memory").
 *
 *   npm run bench:live [-- --seconds 2] [-- --rates 25000,50000,100000,150000,0]
 *
 * A rate of 0 means tcpreplay --topspeed. Traffic stays between two namespaces this script
 * creates and deletes; every rate runs a bounded count of packets. Target (issue 3): rstwatch
 * drops nothing at any rate where tcpdump drops nothing. Figures go to stdout and
 * bench/out/live-results.json. Needs root, tcpreplay, tcpdump (scripts/setup.sh --bench).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethernet, tcp4 } from '../kit/craft.js';
import { PcapFileWriter } from '../kit/pcap-writer.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../kit/netns.js';
import { collect, sleep, untilAnswered, waitForLine } from '../kit/wait.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const METRICS_PORT = 7465;
const CLOSED_PORT = 9;
const SNAPLEN = 256;
const BUFFER_KIB = 8192;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const seconds = Number(arg('seconds', '2'));
const rates = arg('rates', '25000,50000,100000,150000,0').split(',').map(Number);

/**
 * A pcap of `n` SYNs to the server's closed port, cycling over 64 000 source ports. Each distinct
 * frame is built by the packet builder, checksums included: the kernel drops a SYN whose TCP
 * checksum is wrong, and then answers nothing.
 */
async function writeSyns(path: string, n: number, net: NetnsPair, srcMac: string, dstMac: string): Promise<void> {
  const distinct = Math.min(n, 64_000);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < distinct; i++) {
    frames.push(
      ethernet(tcp4({ src: net.addr.client4, dst: net.addr.server4, sport: 1024 + i, dport: CLOSED_PORT, flags: 'S', seq: 1000 + i }), {
        src: srcMac,
        dst: dstMac,
      }),
    );
  }
  const w = new PcapFileWriter(path, { linkType: 1 });
  for (let i = 0; i < n; i++) w.write(frames[i % distinct], Math.floor(i / 1e6), (i % 1e6) * 1000);
  await w.close();
}

function mac(net: NetnsPair, ns: string, dev: string): string {
  const out = net.exec(ns, 'ip', ['-j', 'link', 'show', dev]).stdout;
  return (JSON.parse(out) as { address: string }[])[0].address;
}

/** The number after `name{labels}` or `name ` in an exposition. */
function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

/** VmRSS and VmHWM of `pid`, MiB. */
function memoryMiB(net: NetnsPair, pid: number): { rss: number; hwm: number } {
  const status = net.exec(net.server, 'cat', [`/proc/${pid}/status`]).stdout;
  const mib = (key: string): number => Number((Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024).toFixed(1));
  return { rss: mib('VmRSS'), hwm: mib('VmHWM') };
}

function cpuTicks(net: NetnsPair, pid: number): number {
  const stat = net.exec(net.server, 'cat', [`/proc/${pid}/stat`]).stdout;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks
}

/**
 * A scraper inside the server namespace: GET /metrics every 20 ms until SIGTERM (at most 120 s),
 * then prints the latencies in milliseconds as JSON.
 */
function startScraper(net: NetnsPair): ChildProcess {
  const script = `const out=[];let stop=false;const end=Date.now()+120000;process.on('SIGTERM',()=>{stop=true});(async()=>{while(!stop&&Date.now()<end){const t=performance.now();await (await fetch('http://127.0.0.1:${METRICS_PORT}/metrics')).text();out.push(performance.now()-t);await new Promise(r=>setTimeout(r,20));}process.stdout.write(JSON.stringify(out));})()`;
  return net.spawn(net.server, process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main(): Promise<void> {
  requireRoot('bench/live-bench.ts');
  for (const tool of ['tcpreplay', 'tcpdump']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing (scripts/setup.sh --bench installs it as root)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), 'rstwatch-livebench-'));
  const net = createNetnsPair({ tag: 'bench', subnet: 'be' });
  const results: Record<string, unknown>[] = [];
  let daemon: ChildProcess | undefined;
  try {
    const filter = spawnSync(process.execPath, ['-e', "import('./dist/capture/bpf-filter.js').then(m=>process.stdout.write(m.DEFAULT_FILTER))"], {
      cwd: root,
      encoding: 'utf8',
    }).stdout;
    daemon = net.spawn(
      net.server,
      process.execPath,
      [cli, 'live', '-i', net.serverIf, '--listen', `127.0.0.1:${METRICS_PORT}`, '--buffer-size', String(BUFFER_KIB * 1024), '--log-level', 'warn'],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const pid = daemon.pid as number;
    const scrape = () =>
      JSON.parse(
        net.exec(net.server, process.execPath, [
          '-e',
          `fetch('http://127.0.0.1:${METRICS_PORT}/metrics').then(r=>r.text()).then(t=>process.stdout.write(JSON.stringify(t)))`,
        ]).stdout,
      ) as string;
    await untilAnswered('the daemon to capture (rstwatch_capture_up 1)', () => (metric(scrape(), 'rstwatch_capture_up') === 1 ? true : undefined), 10_000);
    const srcMac = mac(net, net.client, net.clientIf);
    const dstMac = mac(net, net.server, net.serverIf);
    process.stdout.write(`rates (SYN/s, ${seconds} s each; 0 = tcpreplay --topspeed): ${rates.join(', ')}\n`);
    for (const rate of rates) {
      const count = rate > 0 ? Math.round(rate * seconds) : 1_000_000;
      const pcap = join(tmp, `syn-${count}.pcap`);
      await writeSyns(pcap, count, net, srcMac, dstMac);
      const tcpdump = net.spawn(net.server, 'tcpdump', ['-i', net.serverIf, '-n', '-s', String(SNAPLEN), '-B', String(BUFFER_KIB), '-w', '/dev/null', filter], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const tcpdumpDone = new Promise((r) => tcpdump.on('exit', r));
      const tdErr = collect(tcpdump, 'stderr');
      await waitForLine(tcpdump, 'stderr', /listening on/, 'tcpdump to listen', 10_000);
      const before = scrape();
      const cpu0 = cpuTicks(net, pid);
      const scraper = startScraper(net);
      const scraperDone = new Promise((r) => scraper.on('exit', r));
      let latOut = '';
      scraper.stdout?.on('data', (d: Buffer) => (latOut += d.toString()));
      const t0 = Date.now();
      const replay = net.exec(
        net.client,
        'tcpreplay',
        ['-i', net.clientIf, ...(rate > 0 ? ['--pps', String(rate)] : ['--topspeed']), '--preload-pcap', '-q', pcap],
        { timeoutMs: 120_000, allowFail: true },
      );
      const sendSeconds = (Date.now() - t0) / 1000;
      await sleep(1000);
      scraper.kill('SIGTERM');
      const after = scrape();
      const cpu1 = cpuTicks(net, pid);
      tcpdump.kill('SIGINT');
      await tcpdumpDone;
      await scraperDone;
      const lat = latOut ? (JSON.parse(latOut) as number[]) : [];
      const sent = Number(/Actual: (\d+) packets/.exec(replay.stdout)?.[1] ?? NaN);
      const achieved = Number(/Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(replay.stdout)?.[1] ?? NaN);
      const captured = metric(after, 'rstwatch_capture_packets_total') - metric(before, 'rstwatch_capture_packets_total');
      const dropped =
        metric(after, 'rstwatch_capture_dropped_total', 'where="kernel"') -
        metric(before, 'rstwatch_capture_dropped_total', 'where="kernel"') +
        (metric(after, 'rstwatch_capture_dropped_total', 'where="interface"') - metric(before, 'rstwatch_capture_dropped_total', 'where="interface"'));
      const tdCaptured = Number(/(\d+) packets captured/.exec(tdErr())?.[1] ?? NaN);
      const tdDropped = Number(/(\d+) packets dropped by kernel/.exec(tdErr())?.[1] ?? NaN);
      const ticksPerSec = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
      const cpuUsPerPacket = captured > 0 ? (((cpu1 - cpu0) / ticksPerSec) * 1e6) / captured : NaN;
      const row = {
        offered_pps: rate || 'topspeed',
        achieved_pps: Math.round(achieved),
        sent,
        send_seconds: sendSeconds,
        rstwatch_captured: captured,
        rstwatch_dropped: dropped,
        tcpdump_captured: tdCaptured,
        tcpdump_dropped: tdDropped,
        rstwatch_cpu_us_per_packet: Number(cpuUsPerPacket.toFixed(2)),
        metrics_scrapes: lat.length,
        metrics_p50_ms: Number(quantile(lat, 0.5).toFixed(1)),
        metrics_p99_ms: Number(quantile(lat, 0.99).toFixed(1)),
        metrics_max_ms: Number(Math.max(...lat).toFixed(1)),
        rstwatch_rss_mib: memoryMiB(net, pid).rss,
        rstwatch_peak_rss_mib: memoryMiB(net, pid).hwm,
      };
      results.push(row);
      process.stdout.write(`${JSON.stringify(row)}\n`);
      rmSync(pcap, { force: true });
    }
  } finally {
    daemon?.kill('SIGTERM');
    await sleep(500);
    net.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
  const header = ['offered', 'achieved', 'rstwatch cap/drop', 'tcpdump cap/drop', 'cpu us/pkt', '/metrics p50/p99/max ms', 'rss/peak MiB'];
  const rows = results.map((r) => [
    String(r.offered_pps),
    String(r.achieved_pps),
    `${r.rstwatch_captured}/${r.rstwatch_dropped}`,
    `${r.tcpdump_captured}/${r.tcpdump_dropped}`,
    String(r.rstwatch_cpu_us_per_packet),
    `${r.metrics_p50_ms}/${r.metrics_p99_ms}/${r.metrics_max_ms}`,
    `${r.rstwatch_rss_mib}/${r.rstwatch_peak_rss_mib}`,
  ]);
  const w = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  process.stdout.write(`\n${[header, ...rows].map((r) => r.map((x, c) => x.padStart(w[c])).join('  ')).join('\n')}\n`);
  const clean = results.filter((r) => r.tcpdump_dropped === 0);
  const met = clean.every((r) => r.rstwatch_dropped === 0);
  process.stdout.write(`target: rstwatch drops nothing wherever tcpdump drops nothing: ${met ? 'met' : 'NOT MET'}\n`);
  const p99 = Math.max(...results.map((r) => r.metrics_p99_ms as number));
  process.stdout.write(`/metrics p99 under load, worst rate: ${p99} ms (target 100 ms: ${p99 <= 100 ? 'met' : 'NOT MET'})\n`);
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/live-results.json'), `${JSON.stringify({ date: new Date().toISOString(), seconds, results }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`live bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
