/**
 * The ended-attempt ring of a replay whose report collectors run in a second thread
 * (report-thread.ts): the replay's thread writes each ended attempt (ended-attempt.ts) into one
 * SharedArrayBuffer as a fixed record (AttemptRingWriter), the report thread reads them in order
 * into its own EndedAttempt and tells its collectors (AttemptRingReader): no message and no
 * allocation per attempt.
 *
 * Layout: CONTROL_BYTES of control words, then `capacity` records of RECORD_BYTES. Record `n`
 * (counted from 0 since the start, wrapping at 2^32) is at `n & (capacity - 1)`. The writer's
 * words and the reader's sit on separate cache lines:
 *
 * - WRITTEN: records published. The writer fills records, then publishes a batch with one
 *   Atomics.store; the reader reads only records below it.
 * - READ: records consumed, stored by the reader after each batch; the writer fills a record only
 *   when it is less than `capacity` records ahead of it.
 * - STATE: RUNNING, then DONE (the writer published its last record) or ABORTED (either side gave
 *   up: the other stops waiting).
 * - Waiting: a side with nothing to do (the reader with no record, the writer with no room) reads
 *   its signal word, raises its waiting flag, looks once more, and only then waits on the signal
 *   word, a bounded time. The other side wakes it (flag down, signal bumped, Atomics.notify) when
 *   it has published or consumed a batch. Whichever order the atomics fall in, either the waker
 *   sees the flag or the waiter sees the new records: no wake-up is lost.
 *
 * A record: client (4 words), server (4), ICMP sender (4), server port | direction << 16 |
 * outcome << 24 (1), a spare word, then the first SYN in seconds and in microseconds (2 float64).
 */
import { EndedAttempt, FIRST_SYN_SECONDS, FIRST_SYN_US, type EndedAttemptConsumer } from './ended-attempt.js';

/** Control bytes before the first record: two 64-byte cache lines. */
const CONTROL_BYTES = 128;
/** Int32 indexes of the control words (see the module comment). */
const WRITTEN = 0;
const WRITER_SIGNAL = 1;
const STATE = 2;
const WRITER_WAITING = 3;
const READ = 16;
const READER_SIGNAL = 17;
const READER_WAITING = 18;
/** Words of a record, and where its float64s start (an even word: 8-byte aligned). */
const RECORD_WORDS = 18;
const TIMES_WORD = 14;
/** Bytes of a record. */
export const RECORD_BYTES = RECORD_WORDS * 4;
/** Records a side hands on between two looks at the other side. */
const BATCH = 256;
/** Longest wait, ms, between two looks at the ring's state (the other side may have died). */
const WAIT_MS = 100;

/** Longest the writer waits for a reader that reads nothing before it gives up, ms (a full ring takes the reader some 20 ms). */
const STALL_MS = 60_000;

/** Values of the STATE word. */
export const RingState = { Running: 0, Done: 1, Aborted: 2 } as const;

/** Default records of a ring: 65536 of 72 bytes, 4.5 MiB, some 20 ms of the collectors' work on a flood. */
export const DEFAULT_RING_RECORDS = 65_536;

/** The typed views of one ring's shared buffer; each thread makes its own over the same buffer. */
export class AttemptRing {
  readonly control: Int32Array;
  readonly words: Uint32Array;
  readonly times: Float64Array;
  /** Records of the ring (a power of two, at least BATCH). */
  readonly capacity: number;
  readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.capacity = (buffer.byteLength - CONTROL_BYTES) / RECORD_BYTES;
    if (!Number.isInteger(this.capacity) || this.capacity < BATCH || (this.capacity & (this.capacity - 1)) !== 0) {
      throw new RangeError(`an attempt ring of ${buffer.byteLength} bytes does not hold a power of two of at least ${BATCH} records`);
    }
    this.mask = this.capacity - 1;
    this.control = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.words = new Uint32Array(buffer, CONTROL_BYTES);
    this.times = new Float64Array(buffer, CONTROL_BYTES);
  }

  /** A new ring of `records` records (rounded up to a power of two, at least BATCH). */
  static create(records = DEFAULT_RING_RECORDS): AttemptRing {
    const n = 2 ** Math.ceil(Math.log2(Math.max(BATCH, records)));
    return new AttemptRing(new SharedArrayBuffer(CONTROL_BYTES + n * RECORD_BYTES));
  }

  /** The ring's RingState. */
  get state(): number {
    return Atomics.load(this.control, STATE);
  }

  /** Ends the ring with `state` (Done or Aborted) and wakes both sides; false when it had ended already. */
  end(state: number): boolean {
    if (Atomics.compareExchange(this.control, STATE, RingState.Running, state) !== RingState.Running) return false;
    this.signal(WRITER_SIGNAL);
    this.signal(READER_SIGNAL);
    return true;
  }

  /** Takes the waiting `flag` down and wakes whoever waits on `signal`, if the flag was up. */
  wake(flag: number, signal: number): void {
    if (Atomics.load(this.control, flag) === 0) return;
    Atomics.store(this.control, flag, 0);
    this.signal(signal);
  }

  /**
   * Waits, at most WAIT_MS, for the other side to bump `signal`, unless `ready()` (looked at after
   * the `flag` is raised) says there is no need.
   */
  wait(flag: number, signal: number, ready: () => boolean): void {
    const seen = Atomics.load(this.control, signal);
    Atomics.store(this.control, flag, 1);
    if (ready() || this.state !== RingState.Running) {
      Atomics.store(this.control, flag, 0);
      return;
    }
    Atomics.wait(this.control, signal, seen, WAIT_MS);
  }

  private signal(signal: number): void {
    Atomics.add(this.control, signal, 1);
    Atomics.notify(this.control, signal);
  }
}

/** Thrown by a side whose ring the other side aborted. */
export class RingAborted extends Error {
  constructor() {
    super('the report thread stopped');
  }
}

/** The writing side: an EndedAttemptConsumer whose attempts go into the ring. */
export class AttemptRingWriter implements EndedAttemptConsumer {
  private written = 0;
  private published = 0;
  /** READ as last seen. */
  private read = 0;
  private readonly hasRoom = (): boolean => (this.written - Atomics.load(this.ring.control, READ)) >>> 0 < this.ring.capacity;

  constructor(private readonly ring: AttemptRing) {}

  ended(a: EndedAttempt): void {
    const ring = this.ring;
    if ((this.written - this.read) >>> 0 >= ring.capacity) this.waitForRoom();
    const w = (this.written & ring.mask) * RECORD_WORDS;
    const words = ring.words;
    for (let i = 0; i < 4; i++) {
      words[w + i] = a.client[i];
      words[w + 4 + i] = a.server[i];
      words[w + 8 + i] = a.icmpFrom[i];
    }
    words[w + 12] = a.serverPort | (a.direction << 16) | (a.outcome << 24);
    const t = (w + TIMES_WORD) >> 1;
    ring.times[t] = a.times[FIRST_SYN_SECONDS];
    ring.times[t + 1] = a.times[FIRST_SYN_US];
    this.written = (this.written + 1) >>> 0;
    if ((this.written - this.published) >>> 0 >= BATCH) this.publish();
  }

  /** Publishes the last records and ends the ring: the reader finishes once it has read them. */
  close(): void {
    this.publish(true);
    this.ring.end(RingState.Done);
  }

  /** Ends the ring unfinished: the reader stops. */
  abort(): void {
    this.ring.end(RingState.Aborted);
  }

  /**
   * Publishes the records written; wakes a waiting reader only once a quarter of the ring waits
   * for it (a wake-up is a system call: one per batch cost the replay's thread more than the
   * copying), or when `always` (the writer is about to wait, or done).
   */
  private publish(always = false): void {
    const c = this.ring.control;
    Atomics.store(c, WRITTEN, this.written);
    this.published = this.written;
    if (always || (this.written - Atomics.load(c, READ)) >>> 0 >= this.ring.capacity >>> 2) this.ring.wake(READER_WAITING, WRITER_SIGNAL);
  }

  /**
   * Waits until the reader has freed a record; throws RingAborted if the ring was aborted, or if
   * the reader has read nothing for STALL_MS (its thread died without saying so).
   */
  private waitForRoom(): void {
    this.publish(true);
    let since = Date.now();
    let seen = this.read;
    for (;;) {
      if (this.ring.state === RingState.Aborted) throw new RingAborted();
      this.read = Atomics.load(this.ring.control, READ);
      if ((this.written - this.read) >>> 0 < this.ring.capacity) return;
      if (this.read !== seen) {
        seen = this.read;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        this.abort();
        throw new RingAborted();
      }
      this.ring.wait(WRITER_WAITING, READER_SIGNAL, this.hasRoom);
    }
  }
}

/** The reading side: reads every record, in order, into one EndedAttempt and tells `consumers`, in order. */
export class AttemptRingReader {
  private readonly record = new EndedAttempt();
  private read = 0;
  private readonly hasRecords = (): boolean => Atomics.load(this.ring.control, WRITTEN) !== this.read;

  constructor(
    private readonly ring: AttemptRing,
    private readonly consumers: readonly EndedAttemptConsumer[],
  ) {}

  /** Reads until the writer is done and every record is read (true), or the ring is aborted (false). */
  run(): boolean {
    const ring = this.ring;
    for (;;) {
      const written = Atomics.load(ring.control, WRITTEN);
      while (this.read !== written) {
        this.tell(this.read & ring.mask);
        this.read = (this.read + 1) >>> 0;
        if ((this.read & (BATCH - 1)) === 0) this.consumed();
      }
      this.consumed();
      const state = ring.state;
      if (state === RingState.Aborted) return false;
      if (state === RingState.Done && Atomics.load(ring.control, WRITTEN) === this.read) return true;
      ring.wait(READER_WAITING, WRITER_SIGNAL, this.hasRecords);
    }
  }

  /** Says how far it has read; wakes a waiting writer only once half the ring is free (see AttemptRingWriter.publish). */
  private consumed(): void {
    const c = this.ring.control;
    Atomics.store(c, READ, this.read);
    if ((Atomics.load(c, WRITTEN) - this.read) >>> 0 <= this.ring.capacity >>> 1) this.ring.wake(WRITER_WAITING, READER_SIGNAL);
  }

  private tell(at: number): void {
    const r = this.record;
    const words = this.ring.words;
    const w = at * RECORD_WORDS;
    for (let i = 0; i < 4; i++) {
      r.client[i] = words[w + i];
      r.server[i] = words[w + 4 + i];
      r.icmpFrom[i] = words[w + 8 + i];
    }
    const packed = words[w + 12];
    r.serverPort = packed & 0xffff;
    r.direction = (packed >>> 16) & 0xff;
    r.outcome = packed >>> 24;
    const t = (w + TIMES_WORD) >> 1;
    r.times[FIRST_SYN_SECONDS] = this.ring.times[t];
    r.times[FIRST_SYN_US] = this.ring.times[t + 1];
    const consumers = this.consumers;
    for (let i = 0; i < consumers.length; i++) consumers[i].ended(r);
  }
}
