/**
 * Helpers shared by the capture tests: a sink that copies every frame, temp files, and a reader
 * call that returns what the sink saw.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { isRstwatchError, type ErrorCode, type RstwatchError } from '../../src/base/errors.js';
import type { ByteSource } from '../../src/capture/byte-source.js';
import { readCaptureFile, readCaptureSource, type CaptureReadResult, type ReadOptions } from '../../src/capture/file-reader.js';
import type { FrameSink } from '../../src/capture/frame-sink.js';

/** One frame as the sink saw it, its bytes copied out of the reader's buffer. */
export interface SeenFrame {
  data: Buffer;
  capLen: number;
  origLen: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
}

/** Copies every frame (tests only: the hot path never allocates per frame). */
export class RecordingSink implements FrameSink {
  readonly frames: SeenFrame[] = [];

  onFrame(buf: Uint8Array, offset: number, capLen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number): void {
    expect(offset + capLen).toBeLessThanOrEqual(buf.length);
    this.frames.push({ data: Buffer.from(buf.subarray(offset, offset + capLen)), capLen, origLen, tsSec, tsNsec, linkType });
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test file. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rstwatch-capture-'));
  dirs.push(d);
  return d;
}

let fileSeq = 0;
let sharedDir: string | undefined;

/** Writes `bytes` to a new temp file and returns its path. */
export function tempFile(bytes: Uint8Array, name = `f${fileSeq++}.pcap`): string {
  sharedDir ??= tempDir();
  const p = join(sharedDir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Reads `bytes` (written to a temp file) and returns the result and the frames seen. */
export async function readBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<{ path: string; result: CaptureReadResult; frames: SeenFrame[] }> {
  const path = tempFile(bytes);
  const sink = new RecordingSink();
  const result = await readCaptureFile(path, sink, options);
  return { path, result, frames: sink.frames };
}

/**
 * Reads `bytes` (written to a temp file) to the end or to its first format error: the frames the
 * sink saw before it, the result or the error, and the path.
 */
export async function readToFault(
  bytes: Uint8Array,
  options: ReadOptions = {},
): Promise<{ path: string; frames: SeenFrame[]; result?: CaptureReadResult; error?: RstwatchError }> {
  const path = tempFile(bytes);
  const sink = new RecordingSink();
  try {
    return { path, frames: sink.frames, result: await readCaptureFile(path, sink, options) };
  } catch (err) {
    if (!isRstwatchError(err) || err.code !== 'RSTWATCH_ERR_CAPTURE_FORMAT') throw err;
    return { path, frames: sink.frames, error: err };
  }
}

/**
 * Expects reading `path` to throw RstwatchError `code` whose message names the file and matches
 * every pattern, with a hint; returns the message.
 */
export async function expectReadError(path: string, code: ErrorCode, ...patterns: RegExp[]): Promise<string> {
  const err: unknown = await readCaptureFile(path, new RecordingSink(), { bufferSize: 64 }).then(
    () => new Error('expected an error, the read succeeded'),
    (e: unknown) => e,
  );
  if (!isRstwatchError(err)) throw err;
  expect(err.code).toBe(code);
  expect(err.message).toContain(path);
  for (const p of patterns) expect(err.message).toMatch(p);
  expect(err.hint).toBeTruthy();
  return err.message;
}

/** Expected (sec, nsec) of `units` at if_tsresol `tsresol` plus `offsetSec`, by BigInt arithmetic. */
export function referenceTs(units: bigint, tsresol: number, offsetSec = 0): [number, number] {
  const v = BigInt(tsresol & 0x7f);
  const perSec = (tsresol & 0x80) !== 0 ? 1n << v : 10n ** v;
  const sec = units / perSec + BigInt(offsetSec);
  const nsec = ((units % perSec) * 1_000_000_000n) / perSec;
  return [Number(sec), Number(nsec)];
}

/** A ByteSource over bytes in memory, in chunks of at most `chunk` bytes (tests: no temp file per read). */
export class MemorySource implements ByteSource {
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly chunk = Infinity,
  ) {}

  read(buf: Buffer, offset: number, length: number): Promise<number> {
    const n = Math.min(length, this.chunk, this.bytes.length - this.at);
    buf.set(this.bytes.subarray(this.at, this.at + n), offset);
    this.at += n;
    return Promise.resolve(n);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Counts frames, nothing else. */
export class CountingSink implements FrameSink {
  frames = 0;

  onFrame(): void {
    this.frames++;
  }
}

/**
 * Reads `bytes` from memory to the end or to its first format error: the frames handed on, and
 * the result or the error.
 */
export async function readMemory(bytes: Uint8Array, options: ReadOptions = {}): Promise<{ frames: number; result?: CaptureReadResult; error?: RstwatchError }> {
  const sink = new CountingSink();
  try {
    const result = await readCaptureSource('mem', new MemorySource(bytes), bytes.length, sink, options);
    return { frames: sink.frames, result };
  } catch (err) {
    if (!isRstwatchError(err) || err.code !== 'RSTWATCH_ERR_CAPTURE_FORMAT') throw err;
    return { frames: sink.frames, error: err };
  }
}
