/**
 * Real captures cut short stay a warning. The reader takes a last record cut by the end of the
 * file for corruption when its header cannot be true or whole records after it reach the end
 * (src/capture/cut-tail.ts); no genuinely cut capture may fall under those rules. Every capture of
 * pcaps/, ../shared/pcaps and ../shared/pcaps-more is cut, in memory, at every byte of its first
 * and last records, of each record whose time steps by more than a day or whose fields break a
 * rule (a captured length over the snapshot length, a fraction of a second over a second), and of
 * records spread over the file (every byte of a record's first 48, then evenly): each cut reads
 * without error, with every whole record counted and the tail reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type CaptureIndex, indexCapture, packetsBefore, type Structure } from '../../kit/capture-index.js';
import { sharedPcaps } from '../support/shared-pcaps.js';
import { readMemory } from './read-helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const DIRS = [join(root, 'pcaps'), sharedPcaps(), resolve(sharedPcaps(), '../pcaps-more')];

/** [shown name, path] of every capture. */
const captures = DIRS.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .sort()
    .map((f) => [`${basename(dir)}/${f}`, join(dir, f)]),
);

const DAY_SECONDS = 86_400;

/** Records of a pcap whose fields a cut record is judged by: a time step over a day, caplen over snaplen, a fraction of a second or more. */
function oddRecords(bytes: Buffer, index: CaptureIndex): Structure[] {
  if (index.format !== 'pcap') return [];
  const le = index.structures[0].le;
  const u32 = (at: number): number => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const fracLimit = u32(0) === 0xa1b23c4d ? 1e9 : 1e6;
  const snaplen = u32(16);
  const odd: Structure[] = [];
  let prev = NaN;
  for (const s of index.structures.slice(1)) {
    const sec = u32(s.start);
    if (Math.abs(sec - prev) > DAY_SECONDS || u32(s.start + 4) >= fracLimit || (snaplen !== 0 && u32(s.start + 8) > snaplen)) odd.push(s);
    prev = sec;
  }
  return odd.slice(0, 50);
}

/** Where to cut: every byte of the chosen structures' first 48 and last 4, and 40 more spread over each. */
function cutOffsets(bytes: Buffer, index: CaptureIndex): number[] {
  const all = index.structures.filter((s) => s.start >= index.headerEnd);
  const spread = Array.from({ length: 30 }, (_, i) => all[Math.floor((i * all.length) / 30)]);
  const chosen = new Set([...all.slice(0, 3), ...all.slice(-3), ...oddRecords(bytes, index), ...spread].filter((s) => s !== undefined));
  const cuts = new Set<number>();
  for (const s of chosen) {
    const len = s.end - s.start;
    for (let k = 0; k < Math.min(len, 48); k++) cuts.add(s.start + k);
    for (let k = 1; k <= 40; k++) cuts.add(s.start + Math.floor((k * len) / 41));
    for (let k = Math.max(0, len - 4); k < len; k++) cuts.add(s.start + k);
  }
  return [...cuts].sort((a, b) => a - b);
}

describe('real captures cut short', () => {
  it('the captures are there', () => {
    expect(captures.length).toBeGreaterThan(60);
  });

  it.each(captures)('%s, cut at many offsets: a warning, every whole record counted', async (_name, file) => {
    const bytes = readFileSync(file);
    const index = indexCapture(bytes);
    const ends = new Set(index.structures.map((s) => s.end));
    const wrong: string[] = [];
    for (const cut of cutOffsets(bytes, index)) {
      const { frames, result, error } = await readMemory(bytes.subarray(0, cut));
      const expected = packetsBefore(index, cut);
      if (error !== undefined || frames !== expected || result?.truncatedTail !== !ends.has(cut)) {
        wrong.push(`cut at ${cut}: ${frames} of ${expected} frames, tail ${result?.truncatedTail}, ${error?.message ?? 'no error'}`);
      }
    }
    expect(wrong.slice(0, 5), `${wrong.length} cuts misjudged`).toEqual([]);
  });
});
