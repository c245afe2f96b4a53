/**
 * The ended-attempt ring (src/report/collect/attempt-ring.ts) on one thread: what the writer puts
 * in comes out of the reader in order, every field exact; the end and an abort stop the reader;
 * a writer with no room in an aborted ring gives up at once. The two threads together are
 * test/report/report-thread.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AttemptRing, AttemptRingReader, AttemptRingWriter, RingAborted, RingState } from '../../src/report/collect/attempt-ring.js';
import { Ended, EndedAttempt, FIRST_SYN_SECONDS, FIRST_SYN_US, type EndedAttemptConsumer } from '../../src/report/collect/ended-attempt.js';

/** The fields of an attempt, as plain values. */
function fields(a: EndedAttempt): unknown[] {
  return [[...a.client], [...a.server], [...a.icmpFrom], a.serverPort, a.direction, a.outcome, a.times[FIRST_SYN_SECONDS], a.times[FIRST_SYN_US]];
}

/** Attempt `i`: every field different from the others', at the edges of its range. */
function attempt(i: number): EndedAttempt {
  const a = new EndedAttempt();
  a.client.set([0x20010db8, i, 0xffffffff, i * 7]);
  a.server.set([0, 0, 0xffff, 0xc0a80000 + i]);
  a.icmpFrom.set(i % 2 === 0 ? [0, 0, 0, 0] : [0, 0, 0xffff, 0x0a000001]);
  a.serverPort = i === 0 ? 65535 : i % 65536;
  a.direction = i % 3;
  a.outcome = [Ended.Accepted, Ended.Refused, Ended.IcmpRejected, Ended.Unanswered][i % 4];
  a.times[FIRST_SYN_SECONDS] = 1_700_000_000.123456 + i / 1e6;
  a.times[FIRST_SYN_US] = 1_700_000_000_123_456 + i;
  return a;
}

/** Keeps the fields of every attempt it is told of. */
class Recorder implements EndedAttemptConsumer {
  readonly seen: unknown[][] = [];
  ended(a: EndedAttempt): void {
    this.seen.push(fields(a));
  }
}

describe('the ended-attempt ring', () => {
  it('gives the reader every attempt written, in order, every field exact, then ends', () => {
    const ring = AttemptRing.create(256);
    const writer = new AttemptRingWriter(ring);
    const n = 255; // less than the ring holds: one thread cannot wait for room
    for (let i = 0; i < n; i++) writer.ended(attempt(i));
    writer.close();
    const a = new Recorder();
    const b = new Recorder();
    expect(new AttemptRingReader(new AttemptRing(ring.buffer), [a, b]).run()).toBe(true);
    const expected = Array.from({ length: n }, (_, i) => fields(attempt(i)));
    expect(a.seen).toEqual(expected);
    expect(b.seen).toEqual(expected);
  });

  it('a reader of an aborted ring stops, with what was published before', () => {
    const ring = AttemptRing.create(256);
    const writer = new AttemptRingWriter(ring);
    for (let i = 0; i < 10; i++) writer.ended(attempt(i));
    writer.abort();
    expect(ring.state).toBe(RingState.Aborted);
    const r = new Recorder();
    expect(new AttemptRingReader(ring, [r]).run()).toBe(false);
    expect(r.seen.length).toBeLessThanOrEqual(10);
  });

  it('a writer with no room in a ring the reader aborted gives up at once', () => {
    const ring = AttemptRing.create(256);
    const writer = new AttemptRingWriter(ring);
    for (let i = 0; i < ring.capacity; i++) writer.ended(attempt(i));
    ring.end(RingState.Aborted);
    const started = Date.now();
    expect(() => writer.ended(attempt(0))).toThrow(RingAborted);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('holds a power of two of records, at least a batch', () => {
    expect(AttemptRing.create(1).capacity).toBe(256);
    expect(AttemptRing.create(1000).capacity).toBe(1024);
    expect(() => new AttemptRing(new SharedArrayBuffer(128 + 72 * 300))).toThrow(RangeError);
  });
});
