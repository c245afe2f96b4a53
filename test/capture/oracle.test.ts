/**
 * Oracles: on real captures, the reader agrees with pcap-parser record by record (classic pcap)
 * and with tshark on packet counts and cut-short tails (every capture), and tshark reads the writer's pcapng to the
 * same timestamps as the reader does.
 *
 * The captures are /work/shared/pcaps (beside the repository: `../shared/pcaps`) and the
 * repository's own `pcaps/`. The shared folder and tshark are required: without them these tests
 * fail, they do not skip.
 */

import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../src/capture/file-reader.js';
import { PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC } from '../../src/capture/pcap-format.js';
import { BLOCK_SHB } from '../../src/capture/pcapng-format.js';
import { writePcapng, type PcapngBlock, type PcapngInterface } from '../../kit/pcap-writer.js';
import { RecordingSink, tempFile } from './read-helpers.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string | NodeJS.ReadableStream): NodeJS.EventEmitter };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_DIR = sharedPcaps();
const REPO_DIR = join(repoRoot, 'pcaps');

type Container = 'pcap' | 'pcapng' | 'other';

/** The container of `file` by its magic, not its name (several .pcap files are pcapng). */
function containerOf(file: string): Container {
  const head = readFileSync(file).subarray(0, 4);
  if (head.length < 4) return 'other';
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  if ([le, be].some((m) => m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC)) return 'pcap';
  return le === BLOCK_SHB ? 'pcapng' : 'other';
}

/** Capture files in `dir`: any file with a capture magic or a capture file name. */
function capturesIn(dir: string): Array<{ name: string; path: string; container: Container }> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, path: join(dir, name) }))
    .filter((f) => statSync(f.path).isFile())
    .map((f) => ({ ...f, container: containerOf(f.path) }))
    .filter((f) => f.container !== 'other' || /\.(pcap|pcapng|cap)$/.test(f.name));
}

const shared = capturesIn(SHARED_DIR);
const ours = capturesIn(REPO_DIR);
const all = [...shared, ...ours];

interface Rec {
  capLen: number;
  origLen: number;
  tsSec: number;
  tsNsec: number;
}

/**
 * Every record as pcap-parser 0.2.1 reads it. It knows only the microsecond magic, so a
 * nanosecond file is fed with that magic in its place and its "microseconds" are nanoseconds.
 */
function parseWithPcapParser(path: string): Promise<Rec[]> {
  const bytes = Buffer.from(readFileSync(path));
  const magicBe = bytes.readUInt32BE(0);
  const nano = magicBe === PCAP_MAGIC_NSEC || bytes.readUInt32LE(0) === PCAP_MAGIC_NSEC;
  if (nano) {
    if (magicBe === PCAP_MAGIC_NSEC) bytes.writeUInt32BE(PCAP_MAGIC_USEC, 0);
    else bytes.writeUInt32LE(PCAP_MAGIC_USEC, 0);
  }
  return new Promise((resolvePromise, reject) => {
    const recs: Rec[] = [];
    const parser = pcapParser.parse(Readable.from([bytes]));
    parser.on('packet', (p: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number } }) => {
      const h = p.header;
      const frac = h.timestampMicroseconds * (nano ? 1 : 1000);
      // The reader carries an out-of-range fraction into the seconds; so does this.
      recs.push({ capLen: h.capturedLength, origLen: h.originalLength, tsSec: h.timestampSeconds + Math.floor(frac / 1e9), tsNsec: frac % 1e9 });
    });
    parser.on('error', reject);
    parser.on('end', () => resolvePromise(recs));
  });
}

/**
 * tshark's packet count for `path` (tshark must be installed), and whether tshark found the file
 * cut short (it then exits 2 after printing the complete packets). tshark 4 also lists pcapng
 * Custom Blocks as records; they carry no interface id, packets (EPB, SPB, OPB) do, so in pcapng
 * only records with an interface id are packets.
 */
async function tsharkPackets(path: string, container: Container): Promise<{ packets: number; cutShort: boolean }> {
  const args = ['-n', '-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.interface_id'];
  let stdout: string;
  let cutShort = false;
  try {
    ({ stdout } = await run('tshark', args, { maxBuffer: 64 << 20 }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    if (e.stdout === undefined || !/cut short in the middle of a packet/.test(e.stderr ?? '')) throw err;
    stdout = e.stdout;
    cutShort = true;
  }
  const rows = stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
  const packets = container === 'pcapng' ? rows.filter((r) => (r[1] ?? '') !== '').length : rows.length;
  return { packets, cutShort };
}

describe('the captures are there', () => {
  it(`${SHARED_DIR} exists and holds pcap and pcapng captures`, () => {
    expect(existsSync(SHARED_DIR), `the shared captures folder ${SHARED_DIR} is missing: the oracle tests need it`).toBe(true);
    expect(shared.filter((f) => f.container === 'pcap').length).toBeGreaterThan(0);
    expect(shared.filter((f) => f.container === 'pcapng').length).toBeGreaterThan(0);
  });
});

describe('pcap-parser agrees on every classic pcap record', () => {
  const classic = all.filter((f) => f.container === 'pcap');
  it.each(classic.map((f) => [f.name, f.path]))('%s', async (_name, path) => {
    const sink = new RecordingSink();
    const res = await readCaptureFile(path, sink);
    const mine: Rec[] = sink.frames.map(({ capLen, origLen, tsSec, tsNsec }) => ({ capLen, origLen, tsSec, tsNsec }));
    const theirs = await parseWithPcapParser(path);
    expect(res.format).toBe('pcap');
    expect(mine.length).toBe(theirs.length);
    expect(mine).toEqual(theirs);
  });
});

describe('tshark agrees on the frame count of every capture', () => {
  it.each(all.map((f) => [f.name, f.path, f.container] as const))('%s', async (_name, path, container) => {
    const res = await readCaptureFile(path, new RecordingSink());
    const tshark = await tsharkPackets(path, container);
    expect({ frames: res.frames, truncatedTail: res.truncatedTail }).toEqual({ frames: tshark.packets, truncatedTail: tshark.cutShort });
  });

  it('reads the 126-interface, mixed-resolution ldap capture (libpcap cannot)', async () => {
    const path = join(SHARED_DIR, 'zeek_ldap-gap-data-missing.pcapng');
    const sink = new RecordingSink();
    const res = await readCaptureFile(path, sink);
    expect(res.format).toBe('pcapng');
    const { stdout } = await run('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len']);
    const want = stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(sink.frames.map((f) => [`${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`, String(f.capLen), String(f.origLen)])).toEqual(want);
  });
});

describe('tshark reads the writer', () => {
  it('to the same timestamps, lengths and interfaces as the reader, across resolutions and byte orders', async () => {
    const ifaces: PcapngInterface[] = [
      { linkType: 1 },
      { linkType: 1, tsresol: 9, snaplen: 200 },
      { linkType: 101, tsresol: 3, tsoffset: 1_000_000 },
      { linkType: 113, tsresol: 0x80 | 20 },
    ];
    const blocks: PcapngBlock[] = [];
    for (let i = 0; i < 40; i++) {
      const record = {
        data: new Uint8Array(60 + i).fill(i),
        tsSec: 1_700_000_000 + i * 3601,
        tsNsec: (i * 123_456_789) % 1e9,
        interfaceId: i % 4,
        origLen: 100 + i,
      };
      blocks.push({ kind: 'epb', record, comment: `packet ${i}` });
      if (i % 10 === 0) blocks.push({ kind: 'nrb', ipv4: [['198.51.100.7', 'host.test']] });
    }
    const bytes = writePcapng([
      { interfaces: ifaces, blocks: blocks.slice(0, 20), comment: 'le' },
      { bigEndian: true, interfaces: ifaces, blocks: blocks.slice(20) },
    ]);
    const path = tempFile(bytes, 'writer.pcapng');
    const sink = new RecordingSink();
    await readCaptureFile(path, sink);
    const { stdout } = await run('tshark', [
      '-n',
      '-r',
      path,
      '-T',
      'fields',
      '-e',
      'frame.time_epoch',
      '-e',
      'frame.cap_len',
      '-e',
      'frame.len',
      '-e',
      'frame.interface_id',
    ]);
    const want = stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3));
    expect(sink.frames.length).toBe(40);
    expect(sink.frames.map((f) => [`${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}`, String(f.capLen), String(f.origLen)])).toEqual(want);
  });
});
