/**
 * The real binary (node dist/rstwatch.js, built by the global setup) on real files: output formats,
 * stdin, several files, and every kind of bad input with its documented exit status.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { writePcap } from '../../kit/pcap-writer.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/rstwatch.js');
const v4 = join(root, 'pcaps/netns-refusals-v4.pcap');
const v6 = join(root, 'pcaps/netns-refusals-v6.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'rstwatch-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function rstwatch(args: string[], input?: Buffer, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    input,
    encoding: 'buffer',
    timeout: 30_000,
    env: { PATH: process.env.PATH, ...env },
  });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function json(args: string[], input?: Buffer) {
  const r = rstwatch(['replay', '--json', ...args], input);
  return { ...r, report: r.stdout ? JSON.parse(r.stdout) : undefined };
}

describe('rstwatch replay', () => {
  it('prints a table with totals, ports and top lists', () => {
    const r = rstwatch(['replay', v4]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Totals$/m);
    expect(r.stdout).toMatch(/^Server ports/m);
    expect(r.stdout).toMatch(/^ *8081 +\d+ +0 +\d+/m);
    expect(r.stdout).toMatch(/Top refusing servers/);
    expect(r.stdout).toMatch(/refusal latency: median/);
  });

  it('--json has the documented fields, and totals equal the sum of the ports', () => {
    const { status, report } = json([v4]);
    expect(status).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.packets).toBeGreaterThan(0);
    for (const k of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits']) {
      expect(typeof report.totals[k]).toBe('number');
      const sum = report.ports.reduce((s: number, p: Record<string, number>) => s + p[k], 0);
      expect(sum, k).toBe(report.totals[k]);
    }
    const t = report.totals;
    expect(t.accepted + t.refused + t.icmp_rejected + t.unanswered).toBe(t.attempts);
    expect(report.decode_errors).toEqual({});
    expect(report.ports.every((p: { port: number }) => Number.isInteger(p.port))).toBe(true);
  });

  it('reads standard input with -', () => {
    const fromFile = json([v4]).report;
    const fromStdin = json(['-'], readFileSync(v4));
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.report.totals).toEqual(fromFile.totals);
    expect(fromStdin.report.ports).toEqual(fromFile.ports);
  });

  it('combines several files as one capture', () => {
    const a = json([v4]).report;
    const b = json([v6]).report;
    const both = json([v4, v6]).report;
    expect(both.files).toHaveLength(2);
    expect(both.packets).toBe(a.packets + b.packets);
    expect(both.totals.attempts).toBe(a.totals.attempts + b.totals.attempts);
    expect(both.totals.refused).toBe(a.totals.refused + b.totals.refused);
  });

  it('an answer in the next file completes an attempt left pending at the end of the previous one', () => {
    // Cut the v4 capture right after the first SYN to the closed port: its RST is in the second half.
    const whole = readFileSync(v4);
    const cut = firstRecordEndAfterSynTo(whole, 8081);
    const head = whole.subarray(0, cut);
    const tail = Buffer.concat([whole.subarray(0, 24), whole.subarray(cut)]);
    writeFileSync(join(tmp, 'head.pcap'), head);
    writeFileSync(join(tmp, 'tail.pcap'), tail);
    const split = json([join(tmp, 'head.pcap'), join(tmp, 'tail.pcap')]).report;
    expect(split.totals).toEqual(json([v4]).report.totals);
  });

  it('splits directions with --local-net', () => {
    const { report } = json(['--local-net', '198.51.100.2/32', '--local-net', '2001:db8:52::2/128', v4, v6]);
    expect(report.directions.inbound.attempts).toBe(report.totals.attempts);
    expect(report.directions.unknown.attempts).toBe(0);
    const out = json(['--local-net', '198.51.100.1/32', v4]).report;
    expect(out.directions.outbound.attempts).toBe(out.totals.attempts);
  });

  it('--progress draws a bar on stderr and erases it; without a terminal there is none by default', () => {
    const withBar = rstwatch(['replay', '--progress', v4]);
    expect(withBar.status).toBe(0);
    expect(withBar.stderr).toMatch(/\[[#.]{30}\] +\d+% /);
    expect(withBar.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(rstwatch(['replay', v4]).stderr).toBe('');
  });

  it('help, version, and usage errors', () => {
    const help = rstwatch(['replay', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Several files are read one after another/);
    expect(help.stdout).toMatch(/RSTWATCH_ATTEMPT_TIMEOUT/);
    expect(rstwatch(['--version']).stdout).toMatch(/^rstwatch \d+\.\d+\.\d+/);
    const none = rstwatch([]);
    expect(none.status).toBe(2);
    const bad = rstwatch(['replay', '--frobnicate', v4]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^rstwatch: error: .*frobnicate/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const unknown = rstwatch(['replya', v4]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'replya'/);
    const badEnv = rstwatch(['replay', v4], undefined, { RSTWATCH_LOCAL_NET: '10.0.0.0/99' });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toMatch(/RSTWATCH_LOCAL_NET/);
  });
});

/** The records of RFC 4180 text whose fields hold no quote, comma or line break (as these tables' do). */
function csvRows(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((line) => line.split(','));
}

describe('rstwatch replay: who refuses whom, when, and the CSV tables', () => {
  const OUTCOMES = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered'];

  it('the table shows the failure share, the ICMP reasons per port, the timeline and the pairs', () => {
    const r = rstwatch(['replay', v4]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^all +18 +3 +6 +6 +3 +33\.3% +83\.3% +3$/m);
    expect(r.stdout).toMatch(/^8084 +3 +0 +0 +3 +0 +0\.0% +100\.0% +0 +admin 3 +server$/m);
    expect(r.stdout).toMatch(/^Timeline: attempts by the time of their first SYN, \d+ buckets of /m);
    expect(r.stdout).toMatch(/^198\.51\.100\.2:8081 <- 198\.51\.100\.1 +3 +0 +3 +0 +0 +09:09:33\.\d{3} +09:09:33\.\d{3}$/m);
  });

  it('--format csv: each table is the JSON rows, the timeline adds up to the totals', () => {
    const { report } = json([v4, v6]);
    const table = (name: string) => {
      const r = rstwatch(['replay', '--format', 'csv', '--table', name, v4, v6]);
      expect([r.status, r.stderr]).toEqual([0, '']);
      return csvRows(r.stdout);
    };
    const pairs = table('pairs');
    expect(pairs[0]).toEqual(['server', 'port', 'client', ...OUTCOMES, 'first', 'last']);
    expect(pairs.slice(1)).toEqual(report.pairs.map((p: Record<string, unknown>) => pairs[0].map((k) => String(p[k]))));
    const timeline = table('timeline');
    expect(timeline[0]).toEqual(['start', ...OUTCOMES]);
    expect(timeline.length - 1).toBe(report.timeline.buckets.length);
    for (const [c, k] of OUTCOMES.entries())
      expect(
        timeline.slice(1).reduce((n, row) => n + Number(row[c + 1]), 0),
        k,
      ).toBe(report.totals[k]);
    const ports = table('ports');
    expect(ports.slice(1).map((row) => Number(row[0]))).toEqual(report.ports.map((p: { port: number }) => p.port));
    expect(table('scans')[0]).toEqual(['kind', 'client', 'server', 'port', 'distinct', 'attempts', 'failures', 'first', 'last', 'duration_seconds']);
  });

  it('--max-pairs folds the pairs with the fewest failures into pairs_other, every attempt kept; the CSV says so on stderr', () => {
    const { report } = json(['--max-pairs', '2', v4]);
    expect(report.pairs.length).toBeLessThanOrEqual(2);
    expect(report.pairs_other).not.toBeNull();
    for (const k of OUTCOMES) {
      const sum = report.pairs.reduce((n: number, p: Record<string, number>) => n + p[k], report.pairs_other[k]);
      expect(sum, k).toBe(report.totals[k]);
    }
    const csv = rstwatch(['replay', '--format', 'csv', '--table', 'pairs', '--max-pairs', '2', v4]);
    expect(csv.status).toBe(0);
    expect(csv.stderr).toMatch(/^rstwatch: note: \d+ pairs past --max-pairs 2 are not rows; their sum is pairs_other in --json$/m);
  });

  it('a scan: named in the table, the ports it failed on in one row, the open ones apart, and its row in --format csv --table scans', () => {
    // 10.9.0.1 probes ports 1..40 of 10.9.0.2 once each, 1 ms apart; the closed ports refuse, 22 and 25 accept.
    const records = [];
    for (let port = 1; port <= 40; port++) {
      const ts = { tsSec: 1_700_000_000, tsNsec: port * 1_000_000 };
      const answer = port === 22 || port === 25 ? 'S.' : 'R.';
      records.push(
        { ...ts, data: ethernet(tcp4({ src: '10.9.0.1', dst: '10.9.0.2', sport: 45000, dport: port, flags: 'S', seq: 7 })) },
        { ...ts, tsNsec: ts.tsNsec + 50_000, data: ethernet(tcp4({ src: '10.9.0.2', dst: '10.9.0.1', sport: port, dport: 45000, flags: answer, ack: 8 })) },
      );
    }
    const scan = join(tmp, 'scan.pcap');
    writeFileSync(scan, writePcap(records, { linkType: 1 }));
    const table = rstwatch(['replay', scan]);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^#1 +vertical +10\.9\.0\.1 -> 10\.9\.0\.2 +38 ports +40 +38 +22:13:20\.001 +39\.0 ms$/m);
    // The 38 ports it failed on once each in one row; the two it found open stand out.
    expect(table.stdout).toMatch(/^38 ports +38 +0 +38 +0 +0 +100\.0% +100\.0% +0 +#1$/m);
    expect(table.stdout).toMatch(/^ +22 +1 +1 +0 +0 +0 +0\.0% +0\.0% +0 +#1$/m);
    const csv = rstwatch(['replay', '--format', 'csv', '--table', 'scans', scan]);
    expect(csvRows(csv.stdout)).toEqual([
      ['kind', 'client', 'server', 'port', 'distinct', 'attempts', 'failures', 'first', 'last', 'duration_seconds'],
      ['vertical', '10.9.0.1', '10.9.0.2', '', '38', '40', '38', '2023-11-14T22:13:20.001Z', '2023-11-14T22:13:20.040Z', '0.039'],
    ]);
  });

  it('--html writes one self-contained page of the report, the table still on stdout', () => {
    const page = join(tmp, 'report.html');
    const r = rstwatch(['replay', '--html', page, v4, v6]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Who refuses whom/m);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    for (const text of ['198.51.100.2', '8081', 'netns-refusals-v6.pcap']) expect(html).toContain(text);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//i);
  });

  it('--html refuses to write over a capture it reads, or under a file, before reading anything', () => {
    const copy = join(tmp, 'copy.pcap');
    copyFileSync(v4, copy);
    const before = readFileSync(copy);
    const r = rstwatch(['replay', '--html', copy, copy]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--html: cannot write .*copy\.pcap: it is a capture this replay reads/);
    expect(readFileSync(copy)).toEqual(before);
    const under = rstwatch(['replay', '--html', join(copy, 'page.html'), v4]);
    expect([under.status, under.stdout]).toEqual([2, '']);
    expect(under.stderr).toMatch(/is not a directory/);
  });

  it('--max-pairs 1 and 2: no crash; the pair with the most failures is kept, rows and other add up to the totals', () => {
    for (const n of ['1', '2']) {
      const { status, report } = json(['--max-pairs', n, v4, v6]);
      expect(status).toBe(0);
      expect(report.pairs.length).toBeLessThanOrEqual(Number(n));
      for (const k of ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered']) {
        const rows = report.pairs.reduce((a: number, p: Record<string, number>) => a + p[k], 0);
        expect(rows + (report.pairs_other?.[k] ?? 0)).toBe(report.totals[k]);
      }
    }
  });

  it('--bucket sets the width of the timeline', () => {
    const { report } = json(['--bucket', '2', v4]);
    expect(report.timeline.bucket_seconds).toBe(2);
    expect(report.timeline.buckets.every((b: { start: string }) => Date.parse(b.start) % 2000 === 0)).toBe(true);
  });

  it('usage errors: exit 2, one line and a hint, nothing read', () => {
    for (const args of [
      ['--json', '--format', 'csv'],
      ['--table', 'pairs'],
      ['--format', 'csv', '--table', 'hosts'],
      ['--bucket', '0'],
      ['--max-pairs', '0'],
    ]) {
      const r = rstwatch(['replay', ...args, join(tmp, 'never-read.pcap')]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^rstwatch: error: [^\n]+\n(rstwatch: hint: [^\n]+\n)?$/);
    }
  });
});

describe('rstwatch replay on bad input', () => {
  it('a missing file: exit 3, naming it, and no report', () => {
    const r = rstwatch(['replay', join(tmp, 'nope.pcap')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/nope\.pcap/);
    expect(r.stderr).toMatch(/^rstwatch: hint: /m);
    expect(r.stdout).toBe('');
  });

  it('a missing file with --json: only a small JSON error object on stdout', () => {
    const r = rstwatch(['replay', '--json', join(tmp, 'nope.pcap')]);
    expect(r.status).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['rstwatch_version', 'complete', 'error']);
    expect(report.complete).toBe(false);
    expect(report.error.code).toBe('RSTWATCH_ERR_FILE_OPEN');
    expect(report.error.message).toMatch(/nope\.pcap/);
    expect(r.stdout.length).toBeLessThan(400);
  });

  it('a file the user may not read: exit 3, permission denied (run as an unprivileged user when root)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstwatch-perm-'));
    chmodSync(dir, 0o755);
    const p = join(dir, 'secret.pcap');
    writeFileSync(p, readFileSync(v4));
    chmodSync(p, 0o000);
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const cmd = [...asUser, process.execPath, cli, 'replay', p];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/secret\.pcap/);
    expect(r.stderr).toMatch(/permission denied|EACCES/i);
  });

  it('a directory: exit 3', () => {
    expect(rstwatch(['replay', tmp]).status).toBe(3);
  });

  it('not a capture: exit 4, naming the file and offset', () => {
    const p = join(tmp, 'notes.txt');
    writeFileSync(p, 'hello, this is not a capture file at all\n');
    const r = rstwatch(['replay', p]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/notes\.txt/);
    expect(r.stderr).toMatch(/offset 0|byte 0/);
    expect(r.stdout).toBe('');
  });

  it('an empty file: exit 4', () => {
    const p = join(tmp, 'empty.pcap');
    writeFileSync(p, Buffer.alloc(0));
    expect(rstwatch(['replay', p]).status).toBe(4);
  });

  it('a corrupt record length mid-file: exit 4, the report of what came before, marked incomplete', () => {
    const whole = Buffer.from(readFileSync(v4));
    const second = 24 + 16 + whole.readUInt32LE(24 + 8);
    whole.writeUInt32LE(0x7fffffff, second + 8); // caplen of record 2
    whole.writeUInt32LE(0x7fffffff, second + 12);
    const p = join(tmp, 'corrupt.pcap');
    writeFileSync(p, whole);
    const r = json([p]);
    expect(r.status).toBe(4);
    expect(r.report.complete).toBe(false);
    expect(r.report.packets).toBe(1);
    expect(r.report.error.code).toBe('RSTWATCH_ERR_CAPTURE_FORMAT');
    expect(r.stderr).toMatch(new RegExp(`corrupt\\.pcap.*${second}|${second}.*corrupt\\.pcap`));
  });

  it('a truncated last record: a warning, everything before it counted, exit 0', () => {
    const whole = readFileSync(v4);
    const p = join(tmp, 'truncated.pcap');
    writeFileSync(p, whole.subarray(0, whole.length - 3));
    const full = json([v4]).report;
    const r = json([p]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: .*truncated\.pcap/);
    expect(r.report.packets).toBe(full.packets - 1);
    expect(r.report.files[0].truncated_tail).toBe(true);
    expect(r.report.warnings.length).toBe(1);
  });

  it('stdout closed early (| head) ends quietly', () => {
    const r = spawnSync('bash', ['-c', `node ${cli} replay ${v4} ${v6} | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
    expect(['0', '141']).toContain(r.stdout.trim());
  });
});

/** Byte offset just past the first record that carries a TCP SYN to `port` (Ethernet/IPv4, LE pcap). */
function firstRecordEndAfterSynTo(file: Buffer, port: number): number {
  let off = 24;
  while (off + 16 <= file.length) {
    const capLen = file.readUInt32LE(off + 8);
    const frame = file.subarray(off + 16, off + 16 + capLen);
    const end = off + 16 + capLen;
    if (frame.readUInt16BE(12) === 0x0800) {
      const ihl = (frame[14] & 0x0f) * 4;
      const tcp = 14 + ihl;
      if (frame[23] === 6 && frame.readUInt16BE(tcp + 2) === port && (frame[tcp + 13] & 0x12) === 0x02) return end;
    }
    off = end;
  }
  throw new Error(`no SYN to port ${port}`);
}
