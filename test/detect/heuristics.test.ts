import { describe, expect, it } from 'vitest';
import { ackMismatch, expectedAck } from '../../src/detect/ack-mismatch.js';
import { heuristicNames, Heuristic } from '../../src/detect/heuristics.js';
import { reservedBits } from '../../src/detect/reserved-bits.js';
import { resetRace } from '../../src/detect/reset-race.js';
import { seqBurst } from '../../src/detect/seq-burst.js';
import { hopDistance, initialTtl, isBaselineTtl } from '../../src/detect/ttl.js';
import { TtlBaselineTable, type Baseline } from '../../src/detect/ttl-baseline.js';
import { ttlMismatch } from '../../src/detect/ttl-mismatch.js';
import { parseAddress } from '../../src/net/address.js';
import { TCP_ACK, TCP_RST } from '../../src/wire/decoded-packet.js';

const addr = (t: string) => parseAddress(t) as Uint32Array;

describe('ttl', () => {
  it.each([
    [1, 32, 31],
    [32, 32, 0],
    [33, 64, 31],
    [49, 64, 15],
    [64, 64, 0],
    [113, 128, 15],
    [128, 128, 0],
    [129, 255, 126],
    [250, 255, 5],
    [255, 255, 0],
  ])('TTL %i starts from %i, %i hops away', (observed, initial, hops) => {
    expect(initialTtl(observed)).toBe(initial);
    expect(hopDistance(observed)).toBe(hops);
  });

  it('TTL 1 and 255 are application choices, no baseline on their own', () => {
    expect([1, 2, 64, 254, 255].map(isBaselineTtl)).toEqual([false, true, true, true, false]);
  });
});

describe('ttl_mismatch', () => {
  it.each<[string, number, number, number, number, boolean]>([
    // [case, rst ttl, baseline initial, baseline hops, samples, suspect]
    ['no baseline: no verdict', 250, 64, 0, 0, false],
    ['same stack, same distance', 61, 64, 3, 10, false],
    ['same stack, one hop more (a path change)', 60, 64, 3, 10, false],
    ['same stack, two hops more: still within the threshold', 59, 64, 3, 10, false],
    ['a box three hops closer (a firewall REJECT on the way)', 64, 64, 3, 5, true],
    ['another initial TTL (a NAT or IPS with 255 for a Linux host)', 252, 64, 3, 5, true],
    ['another initial TTL (Windows 128 vs Linux 64)', 125, 64, 3, 5, true],
    ['the injected RST of zeek rst-inject-rae (46 vs 49)', 46, 64, 15, 1, true],
    ['a BGP host: kernel RST 64, baseline from its kernel too', 64, 64, 0, 3, false],
  ])('%s', (_case, ttl, initial, hops, samples, suspect) => {
    expect(ttlMismatch(ttl, initial, hops, samples, 2)).toBe(suspect);
  });

  it('the threshold is a setting', () => {
    expect(ttlMismatch(62, 64, 0, 5, 2)).toBe(false);
    expect(ttlMismatch(62, 64, 0, 5, 1)).toBe(true);
  });
});

describe('ack_mismatch', () => {
  const R = TCP_RST;
  const RA = TCP_RST | TCP_ACK;
  it.each<[string, number, number, number, number, boolean]>([
    ['acks ISN+1', RA, 1001, 1001, 1001, false],
    ['acks the ISN itself (an injector that copied the seq)', RA, 1000, 1001, 1001, true],
    ['acks ISN+1 of the first of two SYNs', RA, 1001, 1001, 5001, false],
    ['acks ISN+1 of the latest of two SYNs', RA, 5001, 1001, 5001, false],
    ['a RST without ACK carries nothing to check', R, 0, 1001, 1001, false],
    ['acks something else', RA, 77, 1001, 1001, true],
    // The detector hands words over signed (`| 0`): the same bits match whatever their sign.
    ['acks ISN+1 above 2^31, handed over signed', RA, 0x80000001 | 0, 0x80000001, 0x80000001, false],
    ['acks ISN+1 above 2^31, expected given signed', RA, 0x80000001, 0x80000001 | 0, 0x80000001 | 0, false],
    ['acks something else above 2^31', RA, 0x80000002 | 0, 0x80000001, 0x80000001, true],
  ])('%s', (_case, flags, ack, first, latest, suspect) => {
    expect(ackMismatch(flags, ack, first, latest)).toBe(suspect);
  });

  it('expects ISN+1 plus the data of a TCP Fast Open SYN, modulo 2^32', () => {
    expect(expectedAck(1000, 0)).toBe(1001);
    expect(expectedAck(1000, 18)).toBe(1019);
    expect(expectedAck(0xffffffff, 0)).toBe(0);
  });

  it('gives the acknowledgment as a signed 32-bit word: its bits, from a signed or an unsigned ISN', () => {
    expect(expectedAck(0x7fffffff, 0)).toBe(0x80000000 | 0);
    expect(expectedAck(0x80000000, 0)).toBe(0x80000001 | 0);
    expect(expectedAck(0x80000000 | 0, 0)).toBe(0x80000001 | 0);
    expect(Uint32Array.of(expectedAck(0xfffffff0, 18))[0]).toBe(3);
  });
});

describe('reset_race, seq_burst, reserved_bits', () => {
  it.each<[boolean, boolean, boolean]>([
    [true, true, true],
    [true, false, false],
    [false, true, false],
  ])('reset_race(refused %s, SYN-ACK from the server %s) = %s', (refused, synAck, suspect) => {
    expect(resetRace(refused, synAck)).toBe(suspect);
  });

  it.each<[string, number, number, number, number, number, number, boolean]>([
    ['the same RST again (a retransmitted SYN answered again)', 0, 1001, 0, 0, 1001, 0.2, false],
    ['stepped sequence numbers within the window', 1000, 1001, 0, 2000, 1001, 0.001, true],
    ['another ack within the window', 0, 1001, 0, 0, 999, 0.5, true],
    ['other numbers, but seconds apart', 1000, 1001, 0, 2000, 1001, 5, false],
  ])('seq_burst: %s', (_case, s1, a1, t1, s2, a2, t2, suspect) => {
    expect(seqBurst(s1, a1, t1, s2, a2, t2, 1)).toBe(suspect);
  });

  it('reserved_bits: any of the three set', () => {
    expect([0, 1, 2, 4, 7].map(reservedBits)).toEqual([false, true, true, true, true]);
  });

  it('names the heuristics of a mask', () => {
    expect(heuristicNames((1 << Heuristic.TtlMismatch) | (1 << Heuristic.SeqBurst))).toEqual(['ttl_mismatch', 'seq_burst']);
  });
});

describe('TtlBaselineTable', () => {
  it('learns the dominant initial TTL and the mean hop distance of a host', () => {
    const t = new TtlBaselineTable(16);
    const b: Baseline = { initialTtl: 0, hops: 0, samples: 0 };
    expect(t.lookup(addr('192.0.2.1'), b)).toBe(false);
    for (const ttl of [61, 61, 60, 125]) t.observe(addr('192.0.2.1'), ttl);
    expect(t.lookup(addr('192.0.2.1'), b)).toBe(true);
    expect(b).toEqual({ initialTtl: 64, hops: 3, samples: 3 });
  });

  it('ignores TTL 1 and 255 (a BGP speaker): no baseline from them alone', () => {
    const t = new TtlBaselineTable(16);
    const b: Baseline = { initialTtl: 0, hops: 0, samples: 0 };
    for (const ttl of [255, 1, 255]) t.observe(addr('2001:db8::1'), ttl);
    expect(t.lookup(addr('2001:db8::1'), b)).toBe(false);
    expect(t.ignoredSamples).toBe(3);
  });

  it('is bounded: a full set evicts its least-sampled host, counted', () => {
    const t = new TtlBaselineTable(4); // one set of four ways
    for (let i = 1; i <= 4; i++) for (let n = 0; n < i; n++) t.observe(addr(`192.0.2.${i}`), 64);
    t.observe(addr('192.0.2.9'), 64);
    expect(t.evictions).toBe(1);
    const b: Baseline = { initialTtl: 0, hops: 0, samples: 0 };
    expect(t.lookup(addr('192.0.2.1'), b)).toBe(false); // one sample: the victim
    expect(t.lookup(addr('192.0.2.4'), b)).toBe(true);
    expect(t.lookup(addr('192.0.2.9'), b)).toBe(true);
  });
});
