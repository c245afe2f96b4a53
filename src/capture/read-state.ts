/**
 * The capture reader's read buffer, its position, and the read-ahead that keeps the next chunk of
 * the file coming while the records of this one are handed on.
 *
 * Buffer ownership: a ReadState owns two read buffers (the caller's size plus a reserve of up to
 * 256 KiB each), reused for the whole file: records are handed on from `buf` while the next chunk
 * is read ahead into the spare, then they swap. `buf` and `view` change only in `refill`, so a
 * view into `buf` (a frame handed to a sink) stays valid until the next `refill`, which moves or
 * overwrites those bytes. A buffer grows only when one record is larger than it, and never beyond
 * MAX_RECORD_BYTES. There is one `await` per chunk, never one per record.
 */

import { RstwatchError } from '../base/errors.js';
import { type ByteSource, displayName, readError } from './byte-source.js';
import { PCAP_MAX_SNAPLEN_FLOOR } from './pcap-format.js';
import { BLOCK_MAX_LEN } from './pcapng-format.js';

/**
 * Largest record or block accepted, in bytes (pcap record header included): the read buffer may
 * grow to this, and a record that would need more is a format error.
 */
export const MAX_RECORD_BYTES = BLOCK_MAX_LEN;

const FORMAT_HINT = 'the file is corrupt or not a capture; `tshark -r FILE` or `capinfos FILE` may tell more';

/**
 * The read buffer and the position in it. `pos..end` holds bytes not yet consumed; `base` is
 * the file offset of `buf[0]`, so `base + pos` is the file offset of the next record.
 */
export class ReadState {
  buf: Buffer;
  view: DataView;
  pos = 0;
  end = 0;
  base = 0;
  eof = false;
  /** Bytes read from the source so far. */
  bytesRead = 0;
  /** File offset named by the last error made here (the fault that stops the read); -1 before any. */
  faultAt = -1;
  /** Frames handed on so far; a drain keeps its count in a local and commits it on return. */
  frames = 0;
  /** Frames whose capture time is beyond MAX_DATE_SECONDS either side of 1970 (read all the same). */
  farTimes = 0;
  /** File offset of the first such frame's record or block, and its time in seconds. */
  firstFarTimeAt = -1;
  firstFarTimeSec = 0;
  /**
   * The capture time, seconds and nanoseconds, that a frame with a time beyond the range of a date
   * is given (pcapng: src/capture/pcapng-drain.ts); NaN until the drain knows one.
   */
  knownSec = NaN;
  knownNsec = 0;
  // What the whole records read so far have shown, against which a record that the end of the
  // file cuts short is judged (src/capture/cut-tail.ts): a rule the file's own whole records
  // break is no evidence against its last. The drains set these once per call, not per record.
  /** Capture time, whole seconds, of the last frame handed on (-Infinity before the first; pcap only). */
  lastSec = -Infinity;
  /** Frames whose captured length exceeds the snapshot length of the file or interface (when one is set). */
  overSnaplen = 0;
  /** pcap records whose sub-second field was a whole second or more (a buggy writer; carried into the seconds). */
  fracOverflows = 0;
  /** pcap records dated more than MAX_BACK_STEP_SECONDS before the record before them. */
  backSteps = 0;
  /** Capture time, whole seconds, of the record before the last such step back (NaN before any; pcap only). */
  stepFromSec = NaN;
  readonly name: string;
  /** Second buffer, the target of the read ahead; the two swap. */
  private spare: Buffer;
  /** Bytes kept free at the front of a chunk read ahead. */
  private readonly reserve: number;
  /** The read ahead in flight, if any, and the file offset it reads from. */
  private ahead: Promise<number> | undefined;
  private aheadAt = 0;

  constructor(
    readonly path: string,
    private readonly source: ByteSource,
    bufferSize: number,
    private readonly totalBytes: number,
    private readonly onProgress: ((bytesRead: number, totalBytes: number) => void) | undefined,
  ) {
    this.name = displayName(path);
    // The reserve holds a record cut by the end of a chunk in front of the next chunk.
    this.reserve = Math.min(bufferSize, PCAP_MAX_SNAPLEN_FLOOR + 16);
    this.buf = Buffer.allocUnsafeSlow(bufferSize + this.reserve);
    this.spare = Buffer.allocUnsafeSlow(bufferSize + this.reserve);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /**
   * Makes at least `need` unconsumed bytes available (fewer only at end of input): takes the
   * chunk read ahead, if any; then, if that is not enough, moves the unconsumed tail to the front,
   * grows the buffer if `need` exceeds it, and reads; finally starts reading the next chunk ahead.
   */
  async refill(need: number): Promise<void> {
    if (this.ahead !== undefined) await this.takeAhead();
    if (this.end - this.pos < need && !this.eof) {
      if (this.pos > 0) {
        this.buf.copyWithin(0, this.pos, this.end);
        this.base += this.pos;
        this.end -= this.pos;
        this.pos = 0;
      }
      if (need > this.buf.length) this.grow(need);
      while (this.end < need && !this.eof) {
        const n = await this.readChecked(this.source.read(this.buf, this.end, this.buf.length - this.end), this.end);
        if (n === 0) this.eof = true;
        this.end += n;
        this.bytesRead += n;
      }
    }
    if (!this.eof) {
      // Read ahead into the spare buffer while the caller hands on the records of this one: the
      // copy runs on a libuv thread, so the packet loop seldom waits for I/O (bench/README.md).
      this.aheadAt = this.base + this.end;
      this.ahead = this.source.read(this.spare, this.reserve, this.spare.length - this.reserve);
      // A rejection is handled when the chunk is taken; this keeps it from counting as unhandled.
      this.ahead.catch(() => undefined);
    }
    this.onProgress?.(this.bytesRead, this.totalBytes);
  }

  /**
   * Takes the chunk read ahead: when the unconsumed tail fits in the spare buffer's reserve, the
   * tail is copied in front of the chunk and the buffers swap; otherwise the chunk is appended to
   * the current buffer after compacting it.
   */
  private async takeAhead(): Promise<void> {
    const n = await this.readChecked(this.ahead as Promise<number>, this.aheadAt - this.base);
    this.ahead = undefined;
    if (n === 0) this.eof = true;
    this.bytesRead += n;
    const tail = this.end - this.pos;
    if (tail <= this.reserve) {
      const start = this.reserve - tail;
      this.buf.copy(this.spare, start, this.pos, this.end);
      const old = this.buf;
      this.base += this.pos - start;
      this.buf = this.spare;
      this.spare = old.length === this.buf.length ? old : Buffer.allocUnsafeSlow(this.buf.length);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
      this.pos = start;
      this.end = this.reserve + n;
      return;
    }
    this.buf.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.end = tail;
    this.pos = 0;
    if (tail + n > this.buf.length) this.grow(tail + n);
    this.spare.copy(this.buf, tail, this.reserve, this.reserve + n);
    this.end += n;
  }

  /** Awaits a read, turning an OS error into RSTWATCH_ERR_FILE_OPEN at buffer position `at`. */
  private async readChecked(read: Promise<number>, at: number): Promise<number> {
    try {
      return await read;
    } catch (err) {
      this.faultAt = this.base + at;
      throw readError(this.name, this.faultAt, err);
    }
  }

  /** Replaces the buffer by one of the next power of two >= need (at most MAX_RECORD_BYTES). */
  private grow(need: number): void {
    const size = Math.min(MAX_RECORD_BYTES, 2 ** Math.ceil(Math.log2(need)));
    const next = Buffer.allocUnsafeSlow(Math.max(size, need));
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /**
   * Records where a drain stopped: the next record at buffer position `pos`, `frames` handed on
   * in all. Drains keep both in locals in their loop and call this once, at their one exit.
   */
  commit(pos: number, frames: number): void {
    this.pos = pos;
    this.frames = frames;
  }

  /**
   * Notes a frame at buffer position `at` whose capture time `sec` is beyond the range of a date
   * (rare: off the hot path; called by a drain only for such a frame).
   */
  noteFarTime(at: number, sec: number): void {
    if (this.farTimes++ === 0) {
      this.firstFarTimeAt = this.base + at;
      this.firstFarTimeSec = sec;
    }
  }

  /** A RSTWATCH_ERR_CAPTURE_FORMAT error about the record at buffer position `at`. */
  formatError(at: number, what: string, hint = FORMAT_HINT): RstwatchError {
    this.faultAt = this.base + at;
    return new RstwatchError('RSTWATCH_ERR_CAPTURE_FORMAT', `${this.name}: ${what} at byte offset ${this.faultAt}`, {
      hint,
    });
  }
}
