/**
 * scripts/record-netns.ts for real: two network namespaces, a veth pair, iptables/ip6tables REJECT
 * and DROP rules, tcpdump on the server side. The fresh captures are checked packet by packet with
 * tshark (and their packet count with tcpdump): every SYN gets the answer the port's setup must
 * produce, nothing leaks past the firewall, unanswered SYNs are retransmitted exactly once, and
 * nothing the script created is left behind, also when it is interrupted. Usage errors exit 2.
 * Needs root (CI runs as root): without it the suite fails, it does not skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, exitOf, waitForLine } from '../../kit/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = join(root, 'scripts/record-netns.ts');
const TSX = join(root, 'node_modules/tsx/dist/cli.mjs');
const COUNT = 2;
const CLIENT = { v4: '198.51.100.1', v6: '2001:db8:52::1' } as const;
const SERVER = { v4: '198.51.100.2', v6: '2001:db8:52::2' } as const;

let out = '';
let run: { status: number | null; signal: string | null; stdout: string; stderr: string };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOT_ROOT =
  'test/e2e/record-netns.test.ts must run as root: scripts/record-netns.ts creates network namespaces, ' +
  'a veth pair and firewall rules (CI runs the suite as root; run it with sudo)';

beforeAll(() => {
  if (!isRoot) {
    // Fail, do not skip: every test below fails, the first one with this message.
    run = { status: null, signal: null, stdout: '', stderr: NOT_ROOT };
    return;
  }
  out = mkdtempSync(join(tmpdir(), 'rstwatch-netns-'));
  const r = spawnSync(process.execPath, [TSX, script, '--out', out, '--count', String(COUNT)], {
    encoding: 'utf8',
    timeout: 60_000, // SIGTERM: the script still removes what it created
  });
  run = { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}, 90_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

interface Pkt {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  syn: boolean;
  ack: boolean;
  rst: boolean;
  fin: boolean;
  seq: number;
  ackNo: number;
  len: number;
  /** ICMP error: [type, code]; sport/dport/src/dst of the quoted packet are in qsrc..qdport. */
  icmp?: [number, number];
  qsrc?: string;
  qdst?: string;
}

const on = (v: string | undefined) => v === '1' || v === 'True';

/** Every packet of a capture, decoded by tshark (outer addresses; TCP fields of the quoted header for ICMP). */
function packets(file: string): Pkt[] {
  const fields = [
    'ip.src',
    'ip.dst',
    'ipv6.src',
    'ipv6.dst',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.flags.syn',
    'tcp.flags.ack',
    'tcp.flags.reset',
    'tcp.flags.fin',
    'tcp.seq_raw',
    'tcp.ack_raw',
    'tcp.len',
    'icmp.type',
    'icmp.code',
    'icmpv6.type',
    'icmpv6.code',
  ];
  const r = spawnSync(
    'tshark',
    ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (r.status !== 0) throw new Error(`tshark -r ${file} failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const c = line.split('\t');
      const first = (s: string) => s.split(';')[0];
      const last = (s: string) => s.split(';').at(-1) ?? '';
      const addrSrc = c[0] || c[2];
      const addrDst = c[1] || c[3];
      const p: Pkt = {
        src: first(addrSrc),
        dst: first(addrDst),
        sport: Number(c[4]),
        dport: Number(c[5]),
        syn: on(c[6]),
        ack: on(c[7]),
        rst: on(c[8]),
        fin: on(c[9]),
        seq: Number(c[10]),
        ackNo: Number(c[11]),
        len: Number(c[12] || 0),
      };
      const icmpType = c[13] || c[15];
      if (icmpType) {
        p.icmp = [Number(first(icmpType)), Number(first(c[14] || c[16]))];
        p.qsrc = last(addrSrc);
        p.qdst = last(addrDst);
      }
      return p;
    });
}

function tcpdumpCount(file: string): number {
  const r = spawnSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`tcpdump -r ${file} failed (${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).length;
}

/**
 * The run with pid `pid` left nothing: neither namespace is listed, its work directory is gone, and
 * no process names either (tcpdump wrote into the work directory).
 */
function expectGone(pid: string): void {
  const made = [`rw-rec-c-${pid}`, `rw-rec-s-${pid}`, `rw-rec-netns-${pid}-`];
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  expect(netns.status).toBe(0);
  const listed = [...netns.stdout.split('\n').map((l) => l.split(' ')[0]), ...readdirSync(tmpdir())];
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  for (const name of made) {
    expect(listed.filter((l) => l.startsWith(name))).toEqual([]);
    expect(ps.stdout).not.toContain(name);
  }
}

/** The pid the run's 'namespaces:' line names. */
function runPid(stderr: string): string {
  const names = /namespaces: rw-rec-c-(\d+) rw-rec-s-\1\n/.exec(stderr);
  expect(names, `no 'namespaces:' line in\n${stderr}`).not.toBeNull();
  return names![1];
}

const isSyn = (p: Pkt) => !p.icmp && p.syn && !p.ack;
const fromServer = (p: Pkt, port: number) => !p.icmp && p.sport === port;

describe('scripts/record-netns.ts', () => {
  it('runs as root', () => {
    expect(isRoot, NOT_ROOT).toBe(true);
  });

  it('succeeds within a minute and writes both captures', () => {
    expect(run.signal, `killed by ${run.signal}\n${run.stderr}`).toBeNull();
    expect(run.status, `exit ${run.status}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
    for (const fam of ['v4', 'v6']) {
      const file = join(out, `netns-refusals-${fam}.pcap`);
      expect(existsSync(file), file).toBe(true);
      expect(statSync(file).size).toBeGreaterThan(24);
      expect(run.stdout).toContain(`wrote ${file}`);
    }
  });

  it('leaves no namespace (the veth lives only in them), work directory or process behind', () => {
    expectGone(runPid(run.stderr));
  });

  describe.each(['v4', 'v6'] as const)('%s capture', (fam) => {
    let pk: Pkt[] = [];
    beforeAll(() => {
      if (run.status === 0) pk = packets(join(out, `netns-refusals-${fam}.pcap`));
    });
    const server = SERVER[fam];
    const client = CLIENT[fam];
    const [unreachType, portCode, adminCode] = fam === 'v4' ? [3, 3, 13] : [1, 4, 1];
    const icmpFor = (port: number) => pk.filter((p) => p.icmp && p.dport === port);
    const syns = (port: number) => pk.filter((p) => isSyn(p) && p.dport === port);
    const tuples = (port: number) => new Set(syns(port).map((p) => p.sport));

    it('tcpdump and tshark see the same packets, all between the two namespaces', () => {
      expect(pk.length).toBeGreaterThan(0);
      expect(tcpdumpCount(join(out, `netns-refusals-${fam}.pcap`))).toBe(pk.length);
      for (const p of pk) expect([p.src, p.dst].sort()).toEqual([client, server].sort());
    });

    it('8080: every SYN accepted, data both ways, closed with FINs', () => {
      expect(tuples(8080).size).toBe(COUNT);
      expect(syns(8080)).toHaveLength(COUNT);
      const synAcks = pk.filter((p) => fromServer(p, 8080) && p.syn && p.ack);
      expect(synAcks).toHaveLength(COUNT);
      for (const s of syns(8080)) {
        const a = synAcks.find((p) => p.dport === s.sport);
        expect(a, `SYN-ACK for ${s.sport}`).toBeDefined();
        expect(a!.ackNo).toBe((s.seq + 1) % 2 ** 32);
      }
      for (const port of tuples(8080)) {
        const conv = pk.filter((p) => !p.icmp && (p.sport === port || p.dport === port) && (p.sport === 8080 || p.dport === 8080));
        expect(
          conv.some((p) => p.dport === 8080 && p.len > 0),
          `data to server on ${port}`,
        ).toBe(true);
        expect(
          conv.some((p) => p.sport === 8080 && p.len > 0),
          `data from server on ${port}`,
        ).toBe(true);
        expect(conv.filter((p) => p.fin)).toHaveLength(2);
        expect(conv.some((p) => p.rst)).toBe(false);
      }
    });

    it.each([8081, 8082])('%i: each SYN refused by a RST-ACK acknowledging it', (port) => {
      expect(tuples(port).size).toBe(COUNT);
      const rsts = pk.filter((p) => fromServer(p, port) && p.rst);
      expect(syns(port)).toHaveLength(COUNT);
      expect(rsts).toHaveLength(syns(port).length);
      for (const s of syns(port)) {
        const r = rsts.find((p) => p.dport === s.sport);
        expect(r, `RST for ${s.sport}`).toBeDefined();
        expect(r!.ack).toBe(true);
        expect(r!.ackNo).toBe((s.seq + 1) % 2 ** 32);
      }
    });

    it.each([
      [8083, 'port unreachable'],
      [8084, 'administratively prohibited'],
    ] as const)('%i: each SYN rejected by ICMP %s quoting it', (port, what) => {
      const code = what === 'port unreachable' ? portCode : adminCode;
      expect(tuples(port).size).toBe(COUNT);
      // The kernel may send a connect's SYN a second time after an ICMP error it could not take
      // at once (see pcaps/README.md): 1 or 2 SYNs per connect, each answered.
      expect(syns(port).length).toBeGreaterThanOrEqual(COUNT);
      expect(syns(port).length).toBeLessThanOrEqual(2 * COUNT);
      const errs = icmpFor(port);
      expect(errs).toHaveLength(syns(port).length);
      for (const e of errs) {
        expect(e.icmp).toEqual([unreachType, code]);
        expect(e.src).toBe(server);
        expect(e.dst).toBe(client);
        expect(e.qsrc).toBe(client);
        expect(e.qdst).toBe(server);
      }
      // Per tuple: SYN, ICMP, SYN, ICMP... in capture order.
      for (const sport of tuples(port)) {
        const seq = pk.filter((p) => p.dport === port && p.sport === sport && (isSyn(p) || p.icmp)).map((p) => (p.icmp ? 'icmp' : 'syn'));
        expect(seq.length % 2, seq.join(' ')).toBe(0);
        seq.forEach((kind, i) => expect(kind, seq.join(' ')).toBe(i % 2 === 0 ? 'syn' : 'icmp'));
      }
    });

    it('8085: dropped, every SYN retransmitted exactly once, no answer', () => {
      expect(tuples(8085).size).toBe(COUNT);
      for (const sport of tuples(8085)) {
        const s = syns(8085).filter((p) => p.sport === sport);
        expect(s, `SYNs from ${sport}`).toHaveLength(2);
        expect(s[1].seq).toBe(s[0].seq);
      }
      expect(pk.filter((p) => fromServer(p, 8085))).toEqual([]);
      expect(icmpFor(8085)).toEqual([]);
    });

    it('nothing leaks past the firewall: no SYN-ACK from 8081-8085, no RST or ICMP where none belongs', () => {
      for (const port of [8081, 8082, 8083, 8084, 8085]) {
        expect(
          pk.filter((p) => fromServer(p, port) && p.syn),
          `SYN-ACK from ${port}`,
        ).toEqual([]);
      }
      for (const port of [8080, 8083, 8084, 8085]) {
        expect(
          pk.filter((p) => fromServer(p, port) && p.rst),
          `RST from ${port}`,
        ).toEqual([]);
      }
      for (const port of [8080, 8081, 8082, 8085]) expect(icmpFor(port), `ICMP for ${port}`).toEqual([]);
      const ports = new Set(pk.filter(isSyn).map((p) => p.dport));
      expect([...ports].sort()).toEqual([8080, 8081, 8082, 8083, 8084, 8085]);
    });
  });
});

describe('scripts/record-netns.ts usage', () => {
  const usage = (...args: string[]) => spawnSync(process.execPath, [TSX, script, ...args], { encoding: 'utf8', timeout: 30_000 });

  it('-h prints the header: options and every exit code', () => {
    const r = usage('-h');
    expect(r.status).toBe(0);
    for (const text of ['--out DIR', '--count N', ...[0, 1, 2, 3, 4, 5].map((c) => `\n  ${c}   `), '130 interrupted (SIGINT), 143 terminated (SIGTERM)']) {
      expect(r.stdout).toContain(text);
    }
  });

  it.each([
    [['--count', '0'], "--count must be 1..20, got '0'"],
    [['--count=21'], "--count must be 1..20, got '21'"],
    [['--count'], '--count needs a number'],
    [['--out'], '--out needs a directory'],
    [['--out='], '--out must not be empty'],
    [['--bogus'], "unknown argument '--bogus'"],
  ])('%j exits 2: %s', (args, message) => {
    const r = usage(...args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('scripts/record-netns.ts interrupted by %s', (signal, status) => {
  it(`exits ${status}, writes nothing and removes what it made`, async () => {
    expect(isRoot, NOT_ROOT).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'rstwatch-netns-int-'));
    try {
      const child = spawn(process.execPath, [TSX, script, '--out', dir, '--count', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const stderr = collect(child, 'stderr');
      // While the client runs in one namespace, tcpdump and the server in the other.
      await waitForLine(child, 'stderr', /v4 port 8082:/, 'record-netns', 30_000);
      child.kill(signal);
      const end = await exitOf(child, 20_000);
      expect(end, stderr()).toEqual({ code: status, signal: null, killed: false });
      expect(readdirSync(dir)).toEqual([]);
      expectGone(runPid(stderr()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
