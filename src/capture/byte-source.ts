/**
 * Where the capture reader's bytes come from: a file opened by path, or standard input ('-') read
 * as a file when it can be reopened (a pipe or a redirected file) and as a stream otherwise (a
 * socket, or a non-blocking descriptor that answers EAGAIN). Also the RSTWATCH_ERR_FILE_OPEN errors
 * for opening and reading.
 *
 * Buffer ownership: a source owns no read buffer; `read` fills the caller's buffer (the read
 * state's, src/capture/read-state.ts). A stream source holds the stream's current chunk until it
 * has copied all of it out.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { RstwatchError } from '../base/errors.js';

const OPEN_HINT = 'check the path and its permissions';

/** Where a byte source reads from: a FileHandle, or a stream when standard input cannot be read as a file. */
export interface ByteSource {
  /** Reads up to `length` bytes into `buf` at `offset`; 0 means end of input. */
  read(buf: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** A FileHandle read sequentially; for standard input, falls back to the stream on EAGAIN. */
class FileSource implements ByteSource {
  private fallback: StreamSource | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly isStdin: boolean,
  ) {}

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    if (this.fallback !== undefined) return this.fallback.read(buf, offset, length);
    try {
      const { bytesRead } = await this.handle.read(buf, offset, length, null);
      return bytesRead;
    } catch (err) {
      // A non-blocking stdin (set so by a parent process) answers EAGAIN when empty: switch to
      // the event-driven stream, which waits for data instead.
      if (this.isStdin && (err as NodeJS.ErrnoException).code === 'EAGAIN') {
        this.fallback = new StreamSource(process.stdin);
        return this.fallback.read(buf, offset, length);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A readable stream copied chunk by chunk into the read buffer (standard input as a socket, or after EAGAIN). */
class StreamSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private chunk: Buffer | undefined;
  private chunkPos = 0;

  constructor(stream: NodeJS.ReadableStream) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(buf: Buffer, offset: number, length: number): Promise<number> {
    while (this.chunk === undefined || this.chunkPos >= this.chunk.length) {
      const next = await this.chunks.next();
      if (next.done === true) return 0;
      this.chunk = next.value;
      this.chunkPos = 0;
    }
    const n = Math.min(length, this.chunk.length - this.chunkPos);
    this.chunk.copy(buf, offset, this.chunkPos, this.chunkPos + n);
    this.chunkPos += n;
    return n;
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/** How an OS error reads in a message: "no such file or directory (ENOENT)". */
function describeOsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return String(err);
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(e.message);
  return `${m === null ? e.message : m[1]} (${e.code})`;
}

/** How a capture path reads in a message: the path, or 'standard input' for '-'. */
export function displayName(path: string): string {
  return path === '-' ? 'standard input' : path;
}

function openError(path: string, err: unknown): RstwatchError {
  return new RstwatchError('RSTWATCH_ERR_FILE_OPEN', `${displayName(path)}: cannot open capture file: ${describeOsError(err)}`, {
    hint: OPEN_HINT,
    cause: err,
  });
}

/** The RSTWATCH_ERR_FILE_OPEN error for a read of `name` that failed at file byte offset `offset`. */
export function readError(name: string, offset: number, err: unknown): RstwatchError {
  return new RstwatchError('RSTWATCH_ERR_FILE_OPEN', `${name}: cannot read capture file at byte offset ${offset}: ${describeOsError(err)}`, {
    hint: OPEN_HINT,
    cause: err,
  });
}

/** Opens `path` ('-' = standard input): the source and its size in bytes (-1 when not a regular file). */
export async function openSource(path: string): Promise<{ source: ByteSource; totalBytes: number }> {
  let handle: FileHandle;
  try {
    // /dev/stdin reopens fd 0 as a new, blocking open file description, for a pipe and for a
    // redirected file alike; a socket cannot be reopened so, and is read as a stream.
    handle = await open(path === '-' ? '/dev/stdin' : path, 'r');
  } catch (err) {
    if (path === '-') return { source: new StreamSource(process.stdin), totalBytes: -1 };
    throw openError(path, err);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) {
      const err = Object.assign(new Error('EISDIR: is a directory'), { code: 'EISDIR' });
      throw openError(path, err);
    }
    return { source: new FileSource(handle, path === '-'), totalBytes: st.isFile() ? st.size : -1 };
  } catch (err) {
    await handle.close();
    throw err instanceof RstwatchError ? err : openError(path, err);
  }
}
