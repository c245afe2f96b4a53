import { describe, expect, it } from 'vitest';
import { Tracker } from '../../src/track/tracker.js';
import { AttemptEventsBase, chainEvents, NO_ATTEMPT_EVENTS } from '../../src/track/attempt-events.js';
import { AttemptTable } from '../../src/track/attempt-table.js';
import type { AttemptView } from '../../src/track/attempt-view.js';
import { endpoint, fill, run, type Ev } from '../support/tracker-events.js';
import { Counter, PORT_COUNTERS, PortCounters } from '../../src/track/counters.js';
import { Direction, DIRECTION_NAMES, LocalNets } from '../../src/track/direction.js';
import { parseAddress, parseCidr } from '../../src/net/address.js';
import { DecodedPacket, TCP_SYN, TCP_ECE, TCP_CWR } from '../../src/wire/decoded-packet.js';

function counts(t: Tracker, port: number, direction: number = Direction.Unknown) {
  const g = (c: number) => t.ports.get(direction, port, c);
  return {
    attempts: g(Counter.Attempts),
    retx: g(Counter.SynRetransmits),
    accepted: g(Counter.Accepted),
    refused: g(Counter.Refused),
    icmp:
      g(Counter.IcmpPortUnreachable) + g(Counter.IcmpAdminProhibited) + g(Counter.IcmpHostUnreachable) + g(Counter.IcmpNetUnreachable) + g(Counter.IcmpOther),
    unanswered: g(Counter.Unanswered),
  };
}

const C = '192.0.2.1:40000';
const S = '198.51.100.2:80';

describe('Tracker: the SEMANTICS.md state machine', () => {
  it.each<[string, Ev[], ReturnType<typeof counts>]>([
    [
      'SYN answered by SYN-ACK is accepted',
      [
        [0, 'syn', C, S],
        [0.01, 'synack', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 1, refused: 0, icmp: 0, unanswered: 0 },
    ],
    [
      'SYN answered by RST is refused',
      [
        [0, 'syn', C, S],
        [0.01, 'rst', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 1, icmp: 0, unanswered: 0 },
    ],
    [
      'SYN answered by RST-ACK is refused',
      [
        [0, 'syn', C, S],
        [0.01, 'rstack', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 1, icmp: 0, unanswered: 0 },
    ],
    ['SYN with no answer is unanswered at the end', [[0, 'syn', C, S]], { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 1 }],
    [
      'SYNs while pending are retransmissions, whatever their ISN',
      [
        [0, 'syn', C, S, 1],
        [1, 'syn', C, S, 2],
        [3, 'syn', C, S, 3],
      ],
      { attempts: 1, retx: 2, accepted: 0, refused: 0, icmp: 0, unanswered: 1 },
    ],
    [
      'a SYN re-sent after each RST is a new attempt each time (3 SYN, 3 RST = 3 refused)',
      [
        [0, 'syn', C, S],
        [0.1, 'rstack', S, C],
        [0.5, 'syn', C, S],
        [0.6, 'rstack', S, C],
        [1, 'syn', C, S],
        [1.1, 'rstack', S, C],
      ],
      { attempts: 3, retx: 0, accepted: 0, refused: 3, icmp: 0, unanswered: 0 },
    ],
    [
      'after accept, a SYN with the same ISN is a retransmission',
      [
        [0, 'syn', C, S, 77],
        [0.1, 'synack', S, C],
        [0.2, 'syn', C, S, 77],
      ],
      { attempts: 1, retx: 1, accepted: 1, refused: 0, icmp: 0, unanswered: 0 },
    ],
    [
      'after accept, a SYN with another ISN is a new attempt (port reuse)',
      [
        [0, 'syn', C, S, 77],
        [0.1, 'synack', S, C],
        [5, 'syn', C, S, 99],
        [5.1, 'synack', S, C],
      ],
      { attempts: 2, retx: 0, accepted: 2, refused: 0, icmp: 0, unanswered: 0 },
    ],
    [
      'the first answer decides: RST then SYN-ACK is refused',
      [
        [0, 'syn', C, S],
        [0.1, 'rst', S, C],
        [0.2, 'synack', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 1, icmp: 0, unanswered: 0 },
    ],
    [
      'the first answer decides: SYN-ACK then RST is accepted',
      [
        [0, 'syn', C, S],
        [0.1, 'synack', S, C],
        [0.2, 'rstack', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 1, refused: 0, icmp: 0, unanswered: 0 },
    ],
    [
      'a RST from the client side is no answer',
      [
        [0, 'syn', C, S],
        [0.1, 'rst', C, S],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 1 },
    ],
    [
      'SYN|FIN (nmap) counts as a SYN',
      [
        [0, 'synfin', C, S],
        [0.1, 'rstack', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 1, icmp: 0, unanswered: 0 },
    ],
    [
      'a SYN-ACK from another server port matches nothing',
      [
        [0, 'syn', C, S],
        [0.1, 'synack', '198.51.100.2:81', C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 1 },
    ],
    [
      'an ICMP unreachable quoting the SYN rejects it',
      [
        [0, 'syn', C, S],
        [0.1, 'icmp', C, S, 3],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 1, unanswered: 0 },
    ],
    [
      'an ICMP unreachable quoting other ports matches nothing',
      [
        [0, 'syn', C, S],
        [0.1, 'icmp', '192.0.2.1:40001', S, 3],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 1 },
    ],
    [
      'after an ICMP rejection the next SYN is a new attempt',
      [
        [0, 'syn', C, S],
        [0.1, 'icmp', C, S, 13],
        [1, 'syn', C, S],
        [1.1, 'synack', S, C],
      ],
      { attempts: 2, retx: 0, accepted: 1, refused: 0, icmp: 1, unanswered: 0 },
    ],
    [
      'data and FIN segments change nothing',
      [
        [0, 'syn', C, S],
        [0.1, 'data', S, C],
      ],
      { attempts: 1, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 1 },
    ],
  ])('%s', (_name, events, expected) => {
    const t = run(events);
    expect(counts(t, 80)).toEqual(expected);
    expect(t.tracked).toBeLessThanOrEqual(1);
  });

  it('answers that match no attempt change no attempt count but are counted apart', () => {
    const t = run([
      [0, 'synack', S, C],
      [0.1, 'rst', S, C],
      [0.2, 'icmp', C, S, 3],
    ]);
    expect(counts(t, 80)).toEqual({ attempts: 0, retx: 0, accepted: 0, refused: 0, icmp: 0, unanswered: 0 });
    expect(t.stats).toMatchObject({ unmatchedSynAcks: 1, unmatchedResets: 1, unmatchedIcmp: 1, resetsSeen: 1 });
  });

  it('ECE and CWR on a SYN (ECN setup) keep it a SYN', () => {
    const t = new Tracker({ attemptTimeoutSeconds: 0 });
    const p = new DecodedPacket();
    fill(p, [0, 'syn', C, S]);
    p.tcpFlags = TCP_SYN | TCP_ECE | TCP_CWR;
    t.onPacket(p, 0);
    fill(p, [0.1, 'synack', S, C]);
    p.tcpFlags |= TCP_ECE;
    t.onPacket(p, 0.1);
    t.finish();
    expect(counts(t, 80).accepted).toBe(1);
  });

  it.each<[number, number, number]>([
    // [ip version, code, counter]
    [4, 3, Counter.IcmpPortUnreachable],
    [4, 9, Counter.IcmpAdminProhibited],
    [4, 10, Counter.IcmpAdminProhibited],
    [4, 13, Counter.IcmpAdminProhibited],
    [4, 1, Counter.IcmpHostUnreachable],
    [4, 0, Counter.IcmpNetUnreachable],
    [4, 2, Counter.IcmpOther],
    [6, 4, Counter.IcmpPortUnreachable],
    [6, 1, Counter.IcmpAdminProhibited],
    [6, 3, Counter.IcmpHostUnreachable],
    [6, 0, Counter.IcmpNetUnreachable],
    [6, 5, Counter.IcmpOther],
  ])('ICMPv%i code %i is counted under its reason', (version, code, counter) => {
    const c = version === 6 ? '[2001:db8::1]:40000' : C;
    const s = version === 6 ? '[2001:db8::2]:80' : S;
    const t = run([
      [0, 'syn', c, s],
      [0.1, 'icmp', c, s, code],
    ]);
    expect(t.ports.get(Direction.Unknown, 80, counter)).toBe(1);
    expect(t.ports.grandTotal(Counter.Unanswered)).toBe(0);
  });

  it('keeps IPv4 and IPv6 attempts apart', () => {
    const t = run([
      [0, 'syn', C, S],
      [0, 'syn', '[::ffff:c000:201]:40000', '[2001:db8::2]:80'],
      [0.1, 'rst', S, C],
    ]);
    expect(counts(t, 80)).toMatchObject({ attempts: 2, refused: 1, unanswered: 1 });
  });
});

describe('Tracker: timeout, linger and eviction', () => {
  it('an attempt past the timeout is unanswered, and a later answer matches nothing', () => {
    const t = run(
      [
        [0, 'syn', C, S],
        [61, 'synack', S, C],
      ],
      { attemptTimeoutSeconds: 60 },
    );
    expect(counts(t, 80)).toMatchObject({ attempts: 1, accepted: 0, unanswered: 1 });
    expect(t.stats.timedOut).toBe(1);
    expect(t.stats.unmatchedSynAcks).toBe(1);
  });

  it('an answer within the timeout counts (a NAT answering 21 s late)', () => {
    const t = run(
      [
        [0, 'syn', C, S],
        [21, 'rstack', S, C],
      ],
      { attemptTimeoutSeconds: 60 },
    );
    expect(counts(t, 80)).toMatchObject({ refused: 1, unanswered: 0 });
    expect(t.refusalLatency.maxSeconds[Direction.Unknown]).toBeCloseTo(21, 6);
  });

  it('timeout 0 disables expiry: an answer an hour later still decides', () => {
    const t = run([
      [0, 'syn', C, S],
      [3600, 'synack', S, C],
    ]);
    expect(counts(t, 80)).toMatchObject({ accepted: 1, unanswered: 0 });
  });

  it('an accepted attempt lingers, then a same-ISN SYN long after is a new attempt', () => {
    const t = run(
      [
        [0, 'syn', C, S, 5],
        [0.1, 'synack', S, C],
        [30, 'syn', C, S, 5],
        [200, 'syn', C, S, 5],
      ],
      { lingerSeconds: 60 },
    );
    expect(counts(t, 80)).toMatchObject({ attempts: 2, retx: 1, accepted: 1, unanswered: 1 });
  });

  it('when full, evicts answered attempts first, then the oldest pending (counted unanswered)', () => {
    const t = run(
      [
        [0, 'syn', '192.0.2.1:1', S],
        [0.1, 'synack', S, '192.0.2.1:1'],
        [1, 'syn', '192.0.2.1:2', S],
        [2, 'syn', '192.0.2.1:3', S], // evicts the answered :1
        [3, 'syn', '192.0.2.1:4', S], // evicts pending :2
        [4, 'rst', S, '192.0.2.1:2'], // matches nothing now
        [5, 'rst', S, '192.0.2.1:3'],
      ],
      { maxAttempts: 2 },
    );
    expect(t.stats.evictedResolved).toBe(1);
    expect(t.stats.evictedPending).toBe(1);
    expect(t.stats.unmatchedResets).toBe(1);
    expect(counts(t, 80)).toEqual({ attempts: 4, retx: 0, accepted: 1, refused: 1, icmp: 0, unanswered: 2 });
  });

  it('holds a large table without growing, and every attempt ends in exactly one outcome', () => {
    const t = new Tracker({ attemptTimeoutSeconds: 0, maxAttempts: 1000 });
    const p = new DecodedPacket();
    let ts = 0;
    for (let i = 0; i < 5000; i++) {
      const client = `192.0.2.${i % 250}:${1024 + i}`;
      fill(p, [ts, 'syn', client, S]);
      t.onPacket(p, (ts += 0.001));
      if (i % 3 === 0) {
        fill(p, [ts, 'rst', S, client]);
        t.onPacket(p, (ts += 0.001));
      } else if (i % 3 === 1) {
        fill(p, [ts, 'synack', S, client]);
        t.onPacket(p, (ts += 0.001));
      }
      expect(t.tracked).toBeLessThanOrEqual(1000);
    }
    t.finish();
    const c = counts(t, 80);
    expect(c.attempts).toBe(5000);
    expect(c.accepted + c.refused + c.icmp + c.unanswered).toBe(5000);
    expect(t.capacity).toBe(1000);
    expect(t.tracked).toBeLessThanOrEqual(t.capacity);
  });
});

describe('Tracker: direction', () => {
  const nets = new LocalNets([parseCidr('198.51.100.0/24'), parseCidr('2001:db8:1::/48')]);
  it.each<[string, string, number]>([
    ['192.0.2.1:4000', '198.51.100.7:22', Direction.Inbound],
    ['198.51.100.7:4000', '203.0.113.9:443', Direction.Outbound],
    ['192.0.2.1:4000', '203.0.113.9:443', Direction.Unknown],
    ['[2001:db8:2::1]:4000', '[2001:db8:1::5]:22', Direction.Inbound],
    ['[2001:db8:1::5]:4000', '[2001:db8:2::1]:22', Direction.Outbound],
  ])('%s -> %s', (client, server, direction) => {
    const t = run([[0, 'syn', client, server]], { localNets: nets });
    const port = endpoint(server)[1];
    expect(t.ports.get(direction, port, Counter.Attempts)).toBe(1);
    expect(t.ports.grandTotal(Counter.Attempts)).toBe(1);
  });

  it('an attempt keeps its direction for its answer', () => {
    const t = run(
      [
        [0, 'syn', '192.0.2.1:4000', '198.51.100.7:22'],
        [0.001, 'rstack', '198.51.100.7:22', '192.0.2.1:4000'],
      ],
      { localNets: nets },
    );
    expect(t.ports.get(Direction.Inbound, 22, Counter.Refused)).toBe(1);
    expect(t.refusalLatency.count[Direction.Inbound]).toBe(1);
    expect(t.refusingServers.top(1)).toEqual([{ address: '198.51.100.7', count: 1 }]);
    expect(t.refusedClients.top(1)).toEqual([{ address: '192.0.2.1', count: 1 }]);
  });
});

it('the counter table has one row per direction and port', () => {
  expect(new Tracker().ports.values.length).toBe(3 * 65536 * PORT_COUNTERS);
});

describe('Tracker: ISN bookkeeping and timeout edge', () => {
  it('after retransmissions with other ISNs, the latest ISN is the one a later same-ISN SYN must match', () => {
    const t = run([
      [0, 'syn', C, S, 100],
      [1, 'syn', C, S, 200],
      [1.1, 'synack', S, C],
      [1.2, 'syn', C, S, 200], // retransmission of the answered SYN
      [1.3, 'syn', C, S, 100], // the old ISN after accept: a new attempt
    ]);
    expect(counts(t, 80)).toEqual({ attempts: 2, retx: 2, accepted: 1, refused: 0, icmp: 0, unanswered: 1 });
  });

  it('an answer exactly at the timeout is within it', () => {
    const t = run(
      [
        [0, 'syn', C, S],
        [20, 'rst', S, C],
      ],
      { attemptTimeoutSeconds: 20 },
    );
    expect(counts(t, 80)).toMatchObject({ refused: 1, unanswered: 0 });
  });
});

describe('Tracker: events', () => {
  /** Records each event it is told, with what the table's view says of the attempt. */
  class Recorder extends AttemptEventsBase {
    readonly seen: string[] = [];
    private readonly words = new Uint32Array(4);

    constructor(
      private readonly view: AttemptView,
      private readonly name = '',
    ) {
      super();
    }

    private note(what: string, slot: number): void {
      this.view.client(slot, this.words);
      const client = `${this.words[3] & 255}:${this.view.clientPort(slot)}`;
      this.view.server(slot, this.words);
      const server = `${this.words[3] & 255}:${this.view.serverPort(slot)}`;
      this.seen.push(
        `${this.name}${what} ${client}->${server} ${DIRECTION_NAMES[this.view.direction(slot)].slice(0, 2)} syn@${this.view.firstSynSeconds(slot)}`,
      );
    }

    override synAck(p: DecodedPacket): void {
      this.seen.push(`${this.name}synAck from ${p.srcPort}`);
    }
    override started(slot: number, _p: DecodedPacket, afterRefusal: boolean): void {
      this.note(afterRefusal ? 'started after refusal' : 'started', slot);
    }
    override retransmitted(slot: number): void {
      this.note('retransmitted', slot);
    }
    override accepted(slot: number): void {
      this.note('accepted', slot);
    }
    override refused(slot: number): void {
      this.note('refused', slot);
    }
    override icmpRejected(slot: number): void {
      this.note('icmpRejected', slot);
    }
    override unanswered(slot: number): void {
      this.note('unanswered', slot);
    }
    override earlyReset(slot: number): void {
      this.note('earlyReset', slot);
    }
    override laterReset(slot: number): void {
      this.note('laterReset', slot);
    }
    override synAckAfterReset(slot: number): void {
      this.note('synAckAfterReset', slot);
    }
  }

  const C1 = '192.0.2.1:1000';
  const C2 = '192.0.2.1:1001';
  const C3 = '192.0.2.1:1002';
  const C4 = '192.0.2.1:1003';
  const S1 = '198.51.100.2:81';

  function told(events: Ev[], consumers = 1): string[][] {
    const table = new AttemptTable(16);
    const recorders = Array.from({ length: consumers }, (_, i) => new Recorder(table.view, consumers > 1 ? `${i} ` : ''));
    const t = new Tracker({ attemptTimeoutSeconds: 0, localNets: new LocalNets([parseCidr('198.51.100.0/24')]), table, events: chainEvents(recorders) });
    const p = new DecodedPacket();
    for (const ev of events) {
      fill(p, ev);
      t.onPacket(p, ev[0]);
    }
    t.finish();
    return recorders.map((r) => r.seen);
  }

  it('tells each thing that happens to an attempt, the attempt read through the view', () => {
    const [seen] = told([
      [1, 'syn', C1, S1],
      [1.5, 'syn', C1, S1],
      [2, 'rst', S1, C1],
      [2.1, 'rst', S1, C1, 5],
      [2.2, 'synack', S1, C1],
      [3, 'syn', C1, S1, 2000],
      [4, 'syn', C2, S1],
      [4.1, 'synack', S1, C2],
      [4.2, 'rst', S1, C2, 1001], // the server's ISN (1000) + 1: no data since its SYN-ACK,
      [5, 'syn', C3, S1],
      [5.1, 'icmp', C3, S1, 3],
      [6, 'syn', C4, S1],
    ]);
    expect(seen).toEqual([
      'started 1:1000->2:81 in syn@1',
      'retransmitted 1:1000->2:81 in syn@1',
      'refused 1:1000->2:81 in syn@1',
      'laterReset 1:1000->2:81 in syn@1',
      'synAck from 81',
      'synAckAfterReset 1:1000->2:81 in syn@1',
      'started after refusal 1:1000->2:81 in syn@3',
      'started 1:1001->2:81 in syn@4',
      'synAck from 81',
      'accepted 1:1001->2:81 in syn@4',
      'earlyReset 1:1001->2:81 in syn@4',
      'started 1:1002->2:81 in syn@5',
      'icmpRejected 1:1002->2:81 in syn@5',
      'started 1:1003->2:81 in syn@6',
      // At the end of the capture, oldest first.
      'unanswered 1:1000->2:81 in syn@3',
      'unanswered 1:1003->2:81 in syn@6',
    ]);
  });

  it('an event that counts something comes after the tracker counted it', () => {
    // What a consumer reading the port counters during each event sees (the refusal log does).
    const ports = new PortCounters();
    const at: string[] = [];
    const get = (c: number) => ports.get(Direction.Inbound, 81, c);
    class Reader extends AttemptEventsBase {
      override started(): void {
        at.push(`started attempts=${get(Counter.Attempts)}`);
      }
      override retransmitted(): void {
        at.push(`retransmitted syn_retransmits=${get(Counter.SynRetransmits)}`);
      }
      override refused(): void {
        at.push(`refused refused=${get(Counter.Refused)}`);
      }
      override accepted(): void {
        at.push(`accepted accepted=${get(Counter.Accepted)}`);
      }
      override icmpRejected(): void {
        at.push(`icmpRejected port_unreachable=${get(Counter.IcmpPortUnreachable)}`);
      }
      override unanswered(): void {
        at.push(`unanswered unanswered=${get(Counter.Unanswered)}`);
      }
      override earlyReset(): void {
        at.push(`earlyReset early_resets=${get(Counter.EarlyResets)}`);
      }
    }
    const t = new Tracker({ attemptTimeoutSeconds: 0, localNets: new LocalNets([parseCidr('198.51.100.0/24')]), ports, events: new Reader() });
    const p = new DecodedPacket();
    const events: Ev[] = [
      [1, 'syn', C1, S1],
      [1.5, 'syn', C1, S1],
      [2, 'rst', S1, C1],
      [3, 'syn', C1, S1, 2000],
      [3.1, 'synack', S1, C1],
      [3.2, 'rst', S1, C1, 1001],
      [5, 'syn', C3, S1],
      [5.1, 'icmp', C3, S1, 3],
      [6, 'syn', C4, S1],
    ];
    for (const ev of events) {
      fill(p, ev);
      t.onPacket(p, ev[0]);
    }
    t.finish();
    expect(at).toEqual([
      'started attempts=1',
      'retransmitted syn_retransmits=1',
      'refused refused=1',
      'started attempts=2',
      'accepted accepted=1',
      'earlyReset early_resets=1',
      'started attempts=3',
      'icmpRejected port_unreachable=1',
      'started attempts=4',
      'unanswered unanswered=1',
    ]);
  });

  it('a chain tells every consumer each event, in the order chosen', () => {
    const seen = told(
      [
        [1, 'syn', C1, S1],
        [2, 'rst', S1, C1],
      ],
      2,
    );
    expect(seen).toEqual([
      ['0 started 1:1000->2:81 in syn@1', '0 refused 1:1000->2:81 in syn@1'],
      ['1 started 1:1000->2:81 in syn@1', '1 refused 1:1000->2:81 in syn@1'],
    ]);
    expect(chainEvents([])).toBe(NO_ATTEMPT_EVENTS);
    const one = new AttemptEventsBase();
    expect(chainEvents([undefined, one, undefined])).toBe(one);
  });
});

describe('Tracker: early resets', () => {
  const early = (events: Ev[]) => {
    const t = run(events);
    return { early: t.ports.grandTotal(Counter.EarlyResets), accepted: t.ports.grandTotal(Counter.Accepted), refused: t.ports.grandTotal(Counter.Refused) };
  };
  it.each<[string, Ev[], { early: number; accepted: number; refused: number }]>([
    [
      'accepted, then the server resets with its ISN+1 at once (tcp_abort_on_overflow=1)',
      [
        [0, 'syn', C, S, 100],
        [0.001, 'synack', S, C, { seq: 9000, ack: 101 }],
        [0.002, 'rstack', S, C, { seq: 9001, ack: 101 }],
      ],
      { early: 1, accepted: 1, refused: 0 },
    ],
    [
      'a RST after the server sent data (its seq moved on) is no early reset',
      [
        [0, 'syn', C, S, 100],
        [0.001, 'synack', S, C, { seq: 9000, ack: 101 }],
        [0.5, 'rstack', S, C, { seq: 9201, ack: 150 }],
      ],
      { early: 0, accepted: 1, refused: 0 },
    ],
    [
      'a RST long after the handshake is no early reset',
      [
        [0, 'syn', C, S, 100],
        [0.001, 'synack', S, C, { seq: 9000, ack: 101 }],
        [30, 'rstack', S, C, { seq: 9001, ack: 101 }],
      ],
      { early: 0, accepted: 1, refused: 0 },
    ],
    [
      'a RST from the client is no early reset',
      [
        [0, 'syn', C, S, 100],
        [0.001, 'synack', S, C, { seq: 9000, ack: 101 }],
        [0.002, 'rst', C, S, { seq: 101 }],
      ],
      { early: 0, accepted: 1, refused: 0 },
    ],
    [
      'counted once however many RSTs follow',
      [
        [0, 'syn', C, S, 100],
        [0.001, 'synack', S, C, { seq: 9000, ack: 101 }],
        [0.002, 'rstack', S, C, { seq: 9001, ack: 101 }],
        [0.003, 'rstack', S, C, { seq: 9001, ack: 101 }],
      ],
      { early: 1, accepted: 1, refused: 0 },
    ],
  ])('%s', (_name, events, expected) => {
    expect(early(events)).toEqual(expected);
  });
});
