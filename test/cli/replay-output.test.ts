/**
 * `rstwatch replay` in-process (src/main.ts): what stdout and stderr get for each --format, and for
 * input that fails before any frame is read (only the error; with --json a small JSON error
 * object) or after some were (the report of what was read, marked incomplete).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { writePcap } from '../../kit/pcap-writer.js';
import { ERROR_CODES } from '../../src/base/errors.js';
import { main, readVersion } from '../../src/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rstwatch-replay-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A capture of one refused attempt (10.0.0.1:40000 -> 10.0.0.2:8080), or of no frame. */
function capture(name: string, frames = true): string {
  // 10.0.0.1.40000 > 10.0.0.2.8080: Flags [S], seq 1000; 10.0.0.2.8080 > 10.0.0.1.40000: Flags [R.], ack 1001
  const data = [
    ethernet(tcp4({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 8080, flags: 'S', seq: 1000 })),
    ethernet(tcp4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 8080, dport: 40000, flags: 'R.', seq: 0, ack: 1001 })),
  ];
  const path = join(dir, name);
  writeFileSync(path, writePcap(frames ? data.map((d, i) => ({ data: d, tsSec: 1_700_000_000, tsNsec: i * 1000 })) : [], { linkType: 1 }));
  return path;
}

const good = capture('good.pcap');
const empty = capture('empty.pcap', false);
const missing = join(dir, 'missing.pcap');
const notCapture = join(dir, 'notes.txt');
writeFileSync(notCapture, 'hello, world\n');

/** Runs `rstwatch ARGS` in-process: its exit status and what it wrote to stdout and stderr. */
async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((x): x is () => void => typeof x === 'function');
      done?.();
      return true;
    };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (stdout += t)) as typeof process.stdout.write);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (stderr += t)) as typeof process.stderr.write);
  const status = await main(['replay', '--no-progress', ...args]);
  vi.restoreAllMocks();
  return { status, stdout, stderr };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('an error before any frame is read: the error alone', () => {
  it.each<[string, string[], keyof typeof ERROR_CODES]>([
    ['a missing file', [missing], 'RSTWATCH_ERR_FILE_OPEN'],
    ['a file that is no capture', [notCapture], 'RSTWATCH_ERR_CAPTURE_FORMAT'],
    ['a capture of no frame, then a missing file', [empty, missing], 'RSTWATCH_ERR_FILE_OPEN'],
  ])('%s: the table format prints nothing on stdout, the error on stderr', async (_what, files, code) => {
    const r = await run(files);
    expect(r.status).toBe(ERROR_CODES[code].exitCode);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rstwatch: error: /);
    expect(r.stderr).not.toMatch(/Totals|Server ports/);
  });

  it.each<[string, string[]]>([
    ['--json', ['--json']],
    ['--format json', ['--format', 'json']],
  ])('%s: a small JSON object with the version, complete false and the error', async (_what, flags) => {
    const r = await run([...flags, missing]);
    expect(r.status).toBe(ERROR_CODES.RSTWATCH_ERR_FILE_OPEN.exitCode);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['rstwatch_version', 'complete', 'error']);
    expect(report).toEqual({
      rstwatch_version: readVersion(),
      complete: false,
      error: { code: 'RSTWATCH_ERR_FILE_OPEN', message: expect.stringContaining(missing) },
    });
    expect(r.stderr).toContain(`rstwatch: error: ${(report.error as { message: string }).message}\n`);
  });

  it('--format csv: nothing on stdout', async () => {
    const r = await run(['--format', 'csv', missing]);
    expect([r.status, r.stdout]).toEqual([ERROR_CODES.RSTWATCH_ERR_FILE_OPEN.exitCode, '']);
  });
});

describe('an error after frames were read: the report of what was read', () => {
  it('the table, marked incomplete, and the error; the status of the error', async () => {
    const r = await run([good, missing]);
    expect(r.status).toBe(ERROR_CODES.RSTWATCH_ERR_FILE_OPEN.exitCode);
    expect(r.stdout).toMatch(/^Totals$/m);
    expect(r.stdout).toMatch(/^- INCOMPLETE: /m);
    expect(r.stderr).toMatch(/^rstwatch: error: /);
  });

  it('--json: the whole report, complete false, with its error', async () => {
    const r = await run(['--json', good, notCapture]);
    expect(r.status).toBe(ERROR_CODES.RSTWATCH_ERR_CAPTURE_FORMAT.exitCode);
    const report = JSON.parse(r.stdout);
    expect([report.complete, report.error.code, report.totals.refused, report.files.length]).toEqual([false, 'RSTWATCH_ERR_CAPTURE_FORMAT', 1, 2]);
  });
});

describe('formats', () => {
  it('--format csv prints the ports table, CRLF lines, a header first', async () => {
    const r = await run(['--format', 'csv', good]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toMatch(/^port,attempts,accepted,refused,icmp_rejected,unanswered,/);
    expect(lines[1]).toMatch(/^8080,1,0,1,0,0,/);
    expect(lines.slice(2)).toEqual(['']);
    expect(r.stderr).toBe('');
  });

  it('a bad combination is a usage error before anything is read', async () => {
    const r = await run(['--json', '--format', 'csv', missing]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'rstwatch: error: --json and --format csv ask for two formats\nrstwatch: hint: --json is the same as --format json: give one of them\n',
    );
  });

  it('--html writes the page besides the table on stdout; nothing when no frame was read', async () => {
    const page = join(dir, 'report.html');
    const r = await run(['--html', page, good]);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^Totals$/m);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('8080');
    expect(html).toContain('10.0.0.2');
    const none = join(dir, 'none.html');
    expect((await run(['--html', none, missing])).status).toBe(ERROR_CODES.RSTWATCH_ERR_FILE_OPEN.exitCode);
    expect(existsSync(none)).toBe(false);
  });

  it('--html to a folder that does not exist fails before the capture is read', async () => {
    const r = await run(['--html', join(dir, 'no-such-folder', 'report.html'), good]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rstwatch: error: --html: cannot write .*report\.html: /);
  });
});
