import { describe, expect, it } from 'vitest';
import type { ResetDetector } from '../../src/detect/detector.js';
import { suspectRecord, type SuspectRecord } from '../../src/detect/evidence-record.js';
import { Counter } from '../../src/track/counters.js';
import { Direction } from '../../src/track/direction.js';
import type { Tracker } from '../../src/track/tracker.js';
import { run, runPipeline, type Ev } from '../support/tracker-events.js';

const C = '192.0.2.10:40000';
const S = '198.51.100.20:80';

function detect(events: Ev[], hopThreshold = 2): { t: Tracker; detector: ResetDetector; records: SuspectRecord[] } {
  const records: SuspectRecord[] = [];
  const { tracker, detector } = runPipeline(events, { detect: { hopThreshold }, suspects: { suspectReset: (e) => records.push(suspectRecord(e)) } });
  if (detector === undefined) throw new Error('detection was asked for');
  return { t: tracker, detector, records };
}

/** The server accepts another connection first: its SYN-ACK (TTL `ttl`) is the baseline. */
const baseline = (ttl: number): Ev[] => [
  [0, 'syn', '192.0.2.10:39999', S, 500],
  [0.001, 'synack', S, '192.0.2.10:39999', { seq: 9000, ack: 501, ttl }],
];

describe('ResetDetector through the tracker', () => {
  it.each<[string, Ev[], string[]]>([
    ['a genuine kernel refusal, the server 3 hops away', [...baseline(61), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1001, ttl: 61 }]], []],
    [
      'a genuine refusal with no baseline: no verdict',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1001, ttl: 250 }],
      ],
      [],
    ],
    [
      'a REJECT from a firewall 3 hops closer than the server',
      [...baseline(61), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1001, ttl: 64 }]],
      ['ttl_mismatch'],
    ],
    [
      'a NAT refusing for a Linux host with TTL 255',
      [...baseline(60), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1001, ttl: 255 }]],
      ['ttl_mismatch'],
    ],
    [
      'a RST+ACK acknowledging the ISN',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1000, ttl: 64 }],
      ],
      ['ack_mismatch'],
    ],
    [
      'a RST with reserved bits',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rst', S, C, { reserved: 4 }],
      ],
      ['reserved_bits'],
    ],
    [
      'a TCP Fast Open SYN refused with ack ISN+1+data: genuine',
      [
        [1, 'syn', C, S, { seq: 1000, payloadLen: 18 }],
        [1.001, 'rstack', S, C, { ack: 1019 }],
      ],
      [],
    ],
    [
      'a RST racing the real SYN-ACK (the SYN-ACK also gives the baseline)',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1001, ttl: 46 }],
        [1.02, 'synack', S, C, { seq: 7, ack: 1001, ttl: 49 }],
      ],
      ['ttl_mismatch', 'reset_race'],
    ],
    [
      'a burst of RSTs with stepped sequence numbers',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rst', S, C, { seq: 5000 }],
        [1.002, 'rst', S, C, { seq: 6000 }],
        [1.003, 'rst', S, C, { seq: 7000 }],
      ],
      ['seq_burst'],
    ],
    [
      'a forged RST with a wrong ack: the client ignores it, re-sends the SYN, and the real SYN-ACK answers that ISN',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1000, ttl: 61 }],
        [1.01, 'syn', C, S, 1000],
        [1.1, 'synack', S, C, { seq: 7, ack: 1001, ttl: 61 }],
      ],
      ['ack_mismatch', 'reset_race'],
    ],
    [
      'a genuine refusal, then a new connection on the same tuple accepted (another ISN): no race',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1001 }],
        [2, 'syn', C, S, 5000],
        [2.001, 'synack', S, C, { ack: 5001 }],
      ],
      [],
    ],
    [
      'the same RST twice (a retransmitted SYN answered again)',
      [
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1001 }],
        [1.5, 'rstack', S, C, { ack: 1001 }],
      ],
      [],
    ],
    [
      'a BGP speaker (its packets TTL 255 or 1) whose kernel refuses with 64',
      [
        [0, 'syn', '192.0.2.10:39999', S, 500],
        [0.001, 'synack', S, '192.0.2.10:39999', { ack: 501, ttl: 255 }],
        [0.5, 'fin', S, '192.0.2.10:39999', { ttl: 1 }],
        [1, 'syn', C, S, 1000],
        [1.001, 'rstack', S, C, { ack: 1001, ttl: 64 }],
      ],
      [],
    ],
    [
      'IPv6: a genuine refusal 2 hops away',
      [
        [0, 'syn', '[2001:db8::1]:1', '[2001:db8::2]:80'],
        [0.001, 'synack', '[2001:db8::2]:80', '[2001:db8::1]:1', { ack: 1001, ttl: 62 }],
        [1, 'syn', '[2001:db8::1]:2', '[2001:db8::2]:80'],
        [1.001, 'rstack', '[2001:db8::2]:80', '[2001:db8::1]:2', { ack: 1001, ttl: 62 }],
      ],
      [],
    ],
  ])('%s', (_case, events, heuristics) => {
    const { t, detector, records } = detect(events);
    expect(records.flatMap((r) => r.heuristics).sort()).toEqual([...heuristics].sort());
    expect(detector.suspectResets).toBe(heuristics.length > 0 ? 1 : 0);
    // A suspect refusal is still a refusal: the counts do not change.
    const refused = t.ports.grandTotal(Counter.Refused);
    expect(refused).toBeGreaterThanOrEqual(heuristics.length > 0 ? 1 : 0);
  });

  it('reports the evidence: tuple, TTLs, baseline and acks', () => {
    const { records } = detect([...baseline(61), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1000, ttl: 64 }]]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      direction: 'unknown',
      client: '192.0.2.10',
      client_port: 40000,
      server: '198.51.100.20',
      server_port: 80,
      heuristics: ['ttl_mismatch', 'ack_mismatch'],
      ttl: 64,
      initial_ttl: 64,
      hop_distance: 0,
      baseline_initial_ttl: 64,
      baseline_hop_distance: 3,
      baseline_samples: 1,
      expected_ack: 1001,
      received_ack: 1000,
    });
    expect(records[0].ts).toBe(new Date(1001).toISOString());
  });

  it('counts by direction, port and heuristic for the metrics', () => {
    const { detector } = detect([...baseline(61), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1001, ttl: 64 }]]);
    expect(detector.counters.get(Direction.Unknown, 80, 0)).toBe(1);
    expect(detector.counters.total(Direction.Unknown, 0)).toBe(1);
  });

  it('the hop threshold is honoured', () => {
    const events: Ev[] = [...baseline(61), [1, 'syn', C, S, 1000], [1.001, 'rstack', S, C, { ack: 1001, ttl: 64 }]];
    expect(detect(events, 3).records).toHaveLength(0);
    expect(detect(events, 2).records).toHaveLength(1);
  });

  it('without detection the pipeline holds no detector and counts the same', () => {
    const events: Ev[] = [
      [1, 'syn', C, S, 1000],
      [1.001, 'rstack', S, C, { ack: 1000, ttl: 64 }],
    ];
    const off = runPipeline(events);
    expect(off.detector).toBeUndefined();
    expect(off.tracker.ports.grandTotal(Counter.Refused)).toBe(detect(events).t.ports.grandTotal(Counter.Refused));
  });
});
