/**
 * '-' reads standard input: a child process runs the reader on its stdin, fed through a shell
 * pipe (a FIFO: read as a file), a Node 'pipe' (a socketpair: read as a stream) and a redirected
 * file; it prints what it read as JSON.
 */

import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writePcap, writePcapng } from '../../kit/pcap-writer.js';
import { tempDir, tempFile } from './read-helpers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
const READER = join(repoRoot, 'src/capture/file-reader.ts');

/** The child: reads '-' with a small buffer and prints the result, sums of the timestamps and the result. */
const CHILD = `
import { readCaptureFile } from ${JSON.stringify(READER)};
let secSum = 0, nsecSum = 0, lenSum = 0;
const sink = { onFrame(buf, off, capLen, origLen, tsSec, tsNsec) { secSum += tsSec; nsecSum += tsNsec; lenSum += capLen; } };
try {
  const totals = new Set();
  const r = await readCaptureFile('-', sink, { bufferSize: 1000, onProgress: (_n, t) => totals.add(t) });
  console.log(JSON.stringify({ ...r, tsSum: [secSum, nsecSum], lenSum, totals: [...totals] }));
} catch (e) {
  console.log(JSON.stringify({ code: e.code, message: e.message }));
}
`;

interface ChildResult {
  out: Record<string, unknown>;
  stderr: string;
}

function childScript(): string {
  const p = join(tempDir(), 'read-stdin.mts');
  writeFileSync(p, CHILD);
  return p;
}

function run(cmd: string, args: string[], stdin: 'pipe' | number, feed?: Buffer): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'], cwd: repoRoot });
    let out = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolvePromise({ out: JSON.parse(out) as Record<string, unknown>, stderr });
      } catch {
        reject(new Error(`child printed no JSON: ${out} ${stderr}`));
      }
    });
    if (feed !== undefined && child.stdin !== null) {
      // Feed in uneven chunks so that records straddle reads.
      let at = 0;
      const step = (): void => {
        if (at >= feed.length) return void child.stdin?.end();
        const n = 777 + (at % 1300);
        child.stdin?.write(feed.subarray(at, at + n), () => setImmediate(step));
        at += n;
      };
      step();
    }
  });
}

const RECORDS = Array.from({ length: 300 }, (_, i) => ({
  data: new Uint8Array(40 + (i % 90)).fill(i & 0xff),
  tsSec: 1_700_000_000 + i,
  tsNsec: i * 1_000_003,
}));
const PCAP = writePcap(RECORDS, { linkType: 1, nanosecond: true });
const TS_SUM = [RECORDS.reduce((s, r) => s + r.tsSec, 0), RECORDS.reduce((s, r) => s + r.tsNsec, 0)];
const LEN_SUM = RECORDS.reduce((s, r) => s + r.data.length, 0);

describe("reading '-' (standard input)", () => {
  it('reads a shell pipe', async () => {
    const file = tempFile(PCAP);
    const { out } = await run('sh', ['-c', `cat "${file}" | "${process.execPath}" "${TSX}" "${childScript()}"`], 'pipe');
    expect(out).toMatchObject({ path: '-', format: 'pcap', frames: 300, bytesRead: PCAP.length, tsSum: TS_SUM, lenSum: LEN_SUM, totals: [-1] });
  });

  it('reads a Node pipe fed in uneven chunks', async () => {
    const { out } = await run(process.execPath, [TSX, childScript()], 'pipe', PCAP);
    expect(out).toMatchObject({ frames: 300, bytesRead: PCAP.length, tsSum: TS_SUM, lenSum: LEN_SUM, truncatedTail: false });
  });

  it('reads a redirected file, knowing its size', async () => {
    const fd = openSync(tempFile(PCAP), 'r');
    try {
      const { out } = await run(process.execPath, [TSX, childScript()], fd);
      expect(out).toMatchObject({ frames: 300, bytesRead: PCAP.length, tsSum: TS_SUM, totals: [PCAP.length] });
    } finally {
      closeSync(fd);
    }
  });

  it('reads pcapng from a pipe and reports a cut tail', async () => {
    const ng = writePcapng([{ interfaces: [{ linkType: 1, tsresol: 9 }], blocks: RECORDS.map((record) => ({ kind: 'epb' as const, record })) }]);
    const { out } = await run(process.execPath, [TSX, childScript()], 'pipe', ng.subarray(0, ng.length - 5));
    expect(out).toMatchObject({ format: 'pcapng', frames: 299, truncatedTail: true });
    expect((out.warnings as string[])[0]).toMatch(/^standard input: the last record at byte offset \d+ is cut short/);
  });

  it('names standard input in a format error', async () => {
    const { out } = await run(process.execPath, [TSX, childScript()], 'pipe', Buffer.from('hello, not a capture'));
    expect(out.code).toBe('RSTWATCH_ERR_CAPTURE_FORMAT');
    expect(out.message).toMatch(/^standard input: not a pcap or pcapng file: the first bytes are 68 65 6c 6c/);
  });
});
