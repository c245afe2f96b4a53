/**
 * Replay benchmark: writes a large capture, then times, in one run and on the same file,
 *   - rstwatch replay --json FILE          (the whole analysis)
 *   - tcpdump -r FILE -w /dev/null         (libpcap reading and discarding: the floor)
 *   - tshark, twice: `-q -z conv,tcp` (its lightest full pass with a TCP analysis) and the field
 *     extraction the test oracle runs to get the same counts (kit/tshark-oracle.ts:
 *     display filter, sequence analysis off, one line per SYN/RST/ICMP frame)
 * and the peak memory (max RSS, from GNU time) of each. rstwatch is also run on the file given
 * twice, to show that its memory does not grow with the input.
 *
 *   npm run bench [-- --packets N] [-- --runs R] [-- --no-tshark] [-- --keep]
 *
 * Targets (issue 2): rstwatch <= 1.5 x tcpdump's time, >= 100 x faster than tshark (checked
 * against tshark doing the same job; the conv,tcp ratio is printed beside it), peak memory under
 * 150 MB whatever the file size. Figures go to stdout and bench/out/replay-results.json.
 *
 * The capture (198.18.0.0/15 and 2001:db8::/32 addresses, benchmark and documentation ranges:
 * only bytes in a file, no traffic is sent) mixes, per 1000 concurrent flows, interleaved:
 * 55 % accepted connections (handshake, 20 data segments, FIN exchange), 20 % refused (RST-ACK,
 * a tenth of them after a SYN retransmission), 10 % ICMP port unreachable, 15 % unanswered (two
 * SYN retransmissions); one flow in five is IPv6.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ethernet, icmp4Unreach, icmp6Unreach, tcp4, tcp6 } from '../kit/craft.js';
import { PcapFileWriter } from '../kit/pcap-writer.js';
import { tsharkArgs, type OracleResult } from '../kit/tshark-oracle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'bench/out');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const wantPackets = arg('packets', 2_000_000);
const runs = arg('runs', 7);
const withTshark = !process.argv.includes('--no-tshark');
const keep = process.argv.includes('--keep');

/** What a written capture holds: its packets and tuples, and the attempt counts the oracle gives for it. */
type Expected = { packets: number; tuples: number } & OracleResult['totals'];

/** A frame template and where to patch it (offsets within the frame). */
interface Template {
  frame: Uint8Array;
  v6: boolean;
  /** Offset of the TCP header (or of the quoted TCP header for ICMP). */
  tcp: number;
  /** Offsets of the source and destination addresses (outer; for ICMP also the quote's). */
  src: number;
  dst: number;
  quoteSrc: number;
  quoteDst: number;
}

const PAYLOAD = new Uint8Array(200).fill(0x61);

function template(ip: Uint8Array, v6: boolean, icmp: boolean): Template {
  const frame = ethernet(ip);
  const ipOff = 14;
  const ipHdr = v6 ? 40 : 20;
  const src = ipOff + (v6 ? 8 : 12);
  const dst = ipOff + (v6 ? 24 : 16);
  if (!icmp) return { frame, v6, tcp: ipOff + ipHdr, src, dst, quoteSrc: -1, quoteDst: -1 };
  const q = ipOff + ipHdr + 8; // ICMP header, then the quoted IP header
  return { frame, v6, tcp: q + ipHdr, src, dst, quoteSrc: q + (v6 ? 8 : 12), quoteDst: q + (v6 ? 24 : 16) };
}

function templates(v6: boolean) {
  const a = v6 ? { src: '2001:db8::1', dst: '2001:db8::2' } : { src: '198.18.0.1', dst: '198.19.0.1' };
  const tcp = (flags: string, payload?: Uint8Array) => (v6 ? tcp6({ ...a, flags, payload }) : tcp4({ ...a, flags, payload }));
  const syn = tcp('S');
  const icmp = v6
    ? icmp6Unreach({ src: a.dst, dst: a.src, code: 4, quote: syn, quoteL4Bytes: 8 })
    : icmp4Unreach({ src: a.dst, dst: a.src, code: 3, quote: syn, quoteL4Bytes: 8 });
  return {
    syn: template(syn, v6, false),
    synAck: template(tcp('S.'), v6, false),
    ack: template(tcp('.'), v6, false),
    data: template(tcp('P.', PAYLOAD), v6, false),
    fin: template(tcp('F.'), v6, false),
    rst: template(tcp('R.'), v6, false),
    icmp: template(icmp, v6, true),
  };
}

function putAddr(f: Uint8Array, off: number, v6: boolean, host: number, server: boolean): void {
  if (v6) {
    f[off + 12] = server ? 0xff : 0;
    f[off + 13] = (host >>> 16) & 0xff;
    f[off + 14] = (host >>> 8) & 0xff;
    f[off + 15] = host & 0xff;
  } else {
    // clients in 198.18.0.0/16, servers in 198.19.0.0/16
    f[off + 1] = server ? 19 : 18;
    f[off + 2] = (host >>> 8) & 0xff;
    f[off + 3] = host & 0xff;
  }
}

function put16(f: Uint8Array, off: number, v: number): void {
  f[off] = v >>> 8;
  f[off + 1] = v & 0xff;
}

function put32(f: Uint8Array, off: number, v: number): void {
  f[off] = v >>> 24;
  f[off + 1] = (v >>> 16) & 0xff;
  f[off + 2] = (v >>> 8) & 0xff;
  f[off + 3] = v & 0xff;
}

interface Flow {
  v6: boolean;
  client: number;
  server: number;
  cport: number;
  sport: number;
  isn: number;
  kind: 'accepted' | 'refused' | 'icmp' | 'unanswered';
  step: number;
  retxBeforeRst: boolean;
}

/** The flow's packets in order: [template name, from client?, seq, ack]. */
function flowPackets(f: Flow): [keyof ReturnType<typeof templates>, boolean, number, number][] {
  const s = f.isn;
  const r = 777_000;
  switch (f.kind) {
    case 'accepted': {
      const p: [keyof ReturnType<typeof templates>, boolean, number, number][] = [
        ['syn', true, s, 0],
        ['synAck', false, r, s + 1],
        ['ack', true, s + 1, r + 1],
      ];
      for (let i = 0; i < 20; i++) p.push(['data', i % 2 === 0, i % 2 === 0 ? s + 1 + 100 * i : r + 1 + 100 * i, 0]);
      p.push(['fin', true, s + 5000, r + 5000], ['fin', false, r + 5000, s + 5001], ['ack', true, s + 5001, r + 5001]);
      return p;
    }
    case 'refused':
      return f.retxBeforeRst
        ? [
            ['syn', true, s, 0],
            ['syn', true, s, 0],
            ['rst', false, 0, s + 1],
          ]
        : [
            ['syn', true, s, 0],
            ['rst', false, 0, s + 1],
          ];
    case 'icmp':
      return [
        ['syn', true, s, 0],
        ['icmp', false, s, 0],
      ];
    case 'unanswered':
      return [
        ['syn', true, s, 0],
        ['syn', true, s, 0],
        ['syn', true, s, 0],
      ];
  }
}

async function writeCapture(path: string, target: number): Promise<Expected> {
  const t4 = templates(false);
  const t6 = templates(true);
  const w = new PcapFileWriter(path, { linkType: 1 });
  const e: Expected = { packets: 0, tuples: 0, attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0, syn_retransmits: 0 };
  let flowId = 0;
  let tsUs = 0;
  let rng = 12345;
  const rand = (): number => {
    rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
    return rng / 4294967296;
  };
  while (e.packets < target) {
    // A batch of 1000 concurrent flows, interleaved round robin.
    const batch: { f: Flow; pkts: ReturnType<typeof flowPackets> }[] = [];
    for (let i = 0; i < 1000; i++, flowId++) {
      const x = rand();
      const kind = x < 0.55 ? 'accepted' : x < 0.75 ? 'refused' : x < 0.85 ? 'icmp' : 'unanswered';
      const f: Flow = {
        v6: flowId % 5 === 4,
        client: 1 + (flowId % 60_000),
        server: 1 + (flowId % 997),
        cport: 1024 + ((flowId * 7) % 60_000),
        sport: 1 + ((flowId * 13) % 1000),
        isn: (flowId * 2654435761) >>> 0,
        kind,
        step: 0,
        retxBeforeRst: kind === 'refused' && rand() < 0.1,
      };
      batch.push({ f, pkts: flowPackets(f) });
      e.tuples++;
      e.attempts++;
      if (kind === 'accepted') e.accepted++;
      else if (kind === 'refused') e.refused++;
      else if (kind === 'icmp') e.icmp_rejected++;
      else e.unanswered++;
      if (kind === 'unanswered') e.syn_retransmits += 2;
      if (f.retxBeforeRst) e.syn_retransmits += 1;
    }
    let live = batch.length;
    while (live > 0) {
      live = 0;
      for (const { f, pkts } of batch) {
        if (f.step >= pkts.length) continue;
        live++;
        const [name, fromClient, seq, ack] = pkts[f.step++];
        const t = (f.v6 ? t6 : t4)[name];
        const frame = t.frame; // patched in place, then copied by the writer
        putAddr(frame, t.src, f.v6, fromClient ? f.client : f.server, !fromClient);
        putAddr(frame, t.dst, f.v6, fromClient ? f.server : f.client, fromClient);
        if (name === 'icmp') {
          putAddr(frame, t.quoteSrc, f.v6, f.client, false);
          putAddr(frame, t.quoteDst, f.v6, f.server, true);
          put16(frame, t.tcp, f.cport);
          put16(frame, t.tcp + 2, f.sport);
          put32(frame, t.tcp + 4, seq);
        } else {
          put16(frame, t.tcp, fromClient ? f.cport : f.sport);
          put16(frame, t.tcp + 2, fromClient ? f.sport : f.cport);
          put32(frame, t.tcp + 4, seq);
          put32(frame, t.tcp + 8, ack);
        }
        tsUs += 3;
        w.write(frame, Math.floor(tsUs / 1e6), (tsUs % 1e6) * 1000);
        e.packets++;
      }
    }
  }
  await w.close();
  return e;
}

interface Timing {
  seconds: number;
  maxRssMb: number;
}

/**
 * Runs `cmd` under GNU time; returns wall seconds (measured here, to the millisecond: GNU time's
 * %e has only 10 ms steps, a tenth of the margin measured) and max RSS (GNU time's %M).
 */
function timed(cmd: string, args: string[]): Timing {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const kb = Number(r.stderr.trim().split('\n').pop() ?? '');
  return { seconds, maxRssMb: kb / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The median of `all`, printed on a line with every run. */
function summarize(label: string, all: Timing[]): Timing {
  const t = { seconds: median(all.map((x) => x.seconds)), maxRssMb: Math.max(...all.map((x) => x.maxRssMb)) };
  process.stdout.write(
    `  ${label}: ${all.map((x) => x.seconds.toFixed(3)).join(' / ')} s (median ${t.seconds.toFixed(3)}), max RSS ${t.maxRssMb.toFixed(0)} MB\n`,
  );
  return t;
}

function measure(label: string, cmd: string, args: string[], n: number): Timing {
  const all: Timing[] = [];
  for (let i = 0; i < n; i++) all.push(timed(cmd, args));
  return summarize(label, all);
}

/**
 * Times A and B alternately, `n` times each, so that a slow spell of the machine falls on both:
 * their medians, and the median, lowest and highest of the per-pair ratios B / A.
 */
function measurePair(
  a: [string, string, string[]],
  b: [string, string, string[]],
  n: number,
): { a: Timing; b: Timing; ratio: { median: number; min: number; max: number } } {
  const as: Timing[] = [];
  const bs: Timing[] = [];
  for (let i = 0; i < n; i++) {
    as.push(timed(a[1], a[2]));
    bs.push(timed(b[1], b[2]));
  }
  const ratios = bs.map((x, i) => x.seconds / as[i].seconds);
  return { a: summarize(a[0], as), b: summarize(b[0], bs), ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } };
}

async function main(): Promise<void> {
  for (const tool of ['/usr/bin/time', 'tcpdump', ...(withTshark ? ['tshark'] : [])]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      process.stderr.write(`bench: ${tool} is missing (npm run bench installs it as root: scripts/setup.sh --bench)\n`);
      process.exit(2);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `replay-${wantPackets}.pcap`);
  process.stdout.write(`writing ${file} (${wantPackets} packets) ...\n`);
  const expected = await writeCapture(file, wantPackets);
  const sizeMb = statSync(file).size / 1048576;
  process.stdout.write(`  ${expected.packets} packets, ${expected.tuples} tuples, ${sizeMb.toFixed(0)} MB\n`);

  const cli = join(root, 'dist/rstwatch.js');
  if (!existsSync(cli)) throw new Error('dist/rstwatch.js is missing: run npm run build');
  // Correctness first: the analysis must find exactly what was written.
  const report = JSON.parse(execFileSync(process.execPath, [cli, 'replay', '--json', file], { maxBuffer: 1 << 30, encoding: 'utf8' }));
  for (const k of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const) {
    if (report.totals[k] !== expected[k]) throw new Error(`rstwatch counted ${k}=${report.totals[k]}, the generator wrote ${expected[k]}`);
  }
  if (report.packets !== expected.packets) throw new Error(`rstwatch read ${report.packets} packets, expected ${expected.packets}`);
  process.stdout.write(
    `  rstwatch counts match the generator: ${JSON.stringify(report.totals, ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'])}\n`,
  );

  process.stdout.write(`timing (${runs} runs each, tcpdump and rstwatch alternately, median; warm page cache):\n`);
  // The file was just written: let its write-back finish first, or it competes with the runs.
  spawnSync('sync', [file]);
  timed('tcpdump', ['-r', file, '-w', '/dev/null']); // warm the cache
  const pair = measurePair(
    ['tcpdump -r FILE -w /dev/null', 'tcpdump', ['-r', file, '-w', '/dev/null']],
    ['rstwatch replay --json FILE', process.execPath, [cli, 'replay', '--json', '--no-progress', file]],
    runs,
  );
  const tcpdump = pair.a;
  const rst = pair.b;
  const rst2 = measure('rstwatch replay --json FILE FILE (twice the input)', process.execPath, [cli, 'replay', '--json', '--no-progress', file, file], 1);
  const tshark = withTshark ? measure('tshark -r FILE -q -z conv,tcp', 'tshark', ['-r', file, '-q', '-z', 'conv,tcp'], 1) : undefined;
  const tsharkSame = withTshark ? measure("tshark, the same job (the oracle's field extraction)", 'tshark', tsharkArgs(file), 1) : undefined;

  const pps = (t: Timing, n = expected.packets) => n / t.seconds;
  // The median of the per-pair ratios: each pair ran back to back, under the same conditions.
  const ratioTcpdump = pair.ratio.median;
  const speedupTshark = tshark ? tshark.seconds / rst.seconds : NaN;
  const speedupSame = tsharkSame ? tsharkSame.seconds / rst.seconds : NaN;
  const rows = [
    ['tool', 'seconds', 'packets/s', 'max RSS MB'],
    ['tcpdump -r -w /dev/null', tcpdump.seconds.toFixed(2), pps(tcpdump).toFixed(0), tcpdump.maxRssMb.toFixed(0)],
    ['rstwatch replay', rst.seconds.toFixed(2), pps(rst).toFixed(0), rst.maxRssMb.toFixed(0)],
    ['rstwatch replay (2x input)', rst2.seconds.toFixed(2), pps(rst2, 2 * expected.packets).toFixed(0), rst2.maxRssMb.toFixed(0)],
    ...(tshark ? [['tshark -z conv,tcp', tshark.seconds.toFixed(2), pps(tshark).toFixed(0), tshark.maxRssMb.toFixed(0)]] : []),
    ...(tsharkSame ? [['tshark, same job (oracle)', tsharkSame.seconds.toFixed(2), pps(tsharkSame).toFixed(0), tsharkSame.maxRssMb.toFixed(0)]] : []),
  ];
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  process.stdout.write('\n' + rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ')).join('\n') + '\n\n');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  const targets = {
    'time <= 1.5 x tcpdump': {
      value: `${ratioTcpdump.toFixed(2)} x (pairs: ${pair.ratio.min.toFixed(2)} to ${pair.ratio.max.toFixed(2)})`,
      met: ratioTcpdump <= 1.5,
    },
    '>= 100 x faster than tshark doing the same job': {
      value: tsharkSame ? `${speedupSame.toFixed(0)} x (conv,tcp: ${speedupTshark.toFixed(0)} x)` : 'not measured',
      met: tsharkSame ? speedupSame >= 100 : false,
    },
    'peak memory < 150 MB (any input size)': {
      value: `${rst.maxRssMb.toFixed(0)} MB, ${rst2.maxRssMb.toFixed(0)} MB on 2x`,
      met: Math.max(rst.maxRssMb, rst2.maxRssMb) < 150,
    },
  };
  for (const [name, t] of Object.entries(targets)) process.stdout.write(`target ${name}: ${t.value} (${verdict(t.met)})\n`);
  const results = {
    date: new Date().toISOString(),
    file: { packets: expected.packets, tuples: expected.tuples, megabytes: sizeMb },
    runs,
    tcpdump,
    rstwatch: rst,
    ratio: pair.ratio,
    rstwatch2x: rst2,
    tshark,
    tsharkSameJob: tsharkSame,
    targets,
  };
  writeFileSync(join(outDir, 'replay-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (!keep) rmSync(file, { force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
