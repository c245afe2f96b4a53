import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAUSES, type Cause } from '../../src/causes/classify.js';
import { CAUSE_COLUMN_BYTES } from '../../src/causes/cause-counts.js';
import { EVIDENCE_LINE_BYTES, MAX_EVIDENCE_PORTS } from '../../src/causes/cause-evidence.js';
import { FailureCauses, type FailureCausesOptions } from '../../src/causes/failure-causes.js';
import type { KernelStateSnapshot } from '../../src/kernel/kernel-state.js';
import type { Listener } from '../../src/kernel/listeners.js';
import { Counter, FIRST_ICMP_COUNTER, ICMP_REASON_NAMES } from '../../src/track/counters.js';
import { Direction } from '../../src/track/direction.js';
import { FAILURE_KIND_NAMES, FailureKind } from '../../src/track/attempt-events.js';
import type { Tracker } from '../../src/track/tracker.js';
import { ethernet, tcp4 } from '../../kit/craft.js';
import { Traffic } from '../metrics/helpers.js';
import { propertyRuns } from '../support/property.js';
import { listener } from '../support/listener.js';
import { heldBytes, heldHeapBytes } from '../support/memory.js';

const C = '192.0.2.10'; // remote client
const S = '198.51.100.2'; // local server (helpers' LOCAL_NET): attempts to it are inbound
const R = '203.0.113.9'; // remote server: attempts from S to it are outbound
const REFUSED = FailureKind.Refused;
const UNANSWERED = FailureKind.Unanswered;
const EARLY = FailureKind.EarlyReset;

/** A full accept queue: the kernel holds backlog + 1. */
const FULL = { acceptQueue: 129, backlog: 128 };

/** A kernel-state read at `takenAtMs` with `listeners`, everything else read fine. */
const SYSCTLS: KernelStateSnapshot['sysctls'] = { somaxconn: 4096, tcpMaxSynBacklog: 512, tcpAbortOnOverflow: 1, tcpSyncookies: 1, bindv6only: 0, errors: [] };

function read(takenAtMs: number, listeners: Listener[] = [], o: Partial<KernelStateSnapshot> = {}): KernelStateSnapshot {
  return {
    takenAtMs,
    listeners,
    sockDiag: true,
    tcpExt: tcpExt(0, 0, 0),
    sysctls: { somaxconn: 4096, tcpMaxSynBacklog: 512, tcpAbortOnOverflow: 1, tcpSyncookies: 1, bindv6only: 0, errors: [] },
    owners: new Map(),
    unreadablePids: [],
    ownersTruncated: false,
    errors: [],
    ...o,
  };
}

/** A real tracker fed crafted frames, its failures told to a FailureCauses as the daemon wires it (pipeline/build.ts). */
function setup(timeoutSeconds = 10, options: Partial<FailureCausesOptions> = {}, detect = false): { traffic: Traffic; causes: FailureCauses } {
  const traffic = new Traffic({ attemptTimeoutSeconds: timeoutSeconds, causes: { historyMs: 60_000, ...options }, detect: detect && { hopThreshold: 2 } });
  return { traffic, causes: traffic.pipeline.causes as FailureCauses };
}

const cause = (c: Cause): number => CAUSES.indexOf(c);
/** What a full port scan may add to the cause engine (docs/live.md "Memory"): one column of counts and the evidence of the last 4096 ports. */
const CAUSE_ENGINE_SCAN_BUDGET_BYTES = CAUSE_COLUMN_BYTES + MAX_EVIDENCE_PORTS * EVIDENCE_LINE_BYTES;

/** An inbound attempt from C:`sport` to S:`port` refused by RST after 0.4 ms. */
function refusal(t: Traffic, port: number, sport: number, ts: number): void {
  t.syn(`${C}:${sport}`, `${S}:${port}`, ts);
  t.rst(`${S}:${port}`, `${C}:${sport}`, ts + 0.0004);
}

/** A RST from the server carrying its ISN + 1 (the SYN-ACK of Traffic has ISN 5000): an early reset when soon enough. */
function earlyReset(t: Traffic, server: string, client: string, ts: number): void {
  const [src, sport] = server.split(':');
  const [dst, dport] = client.split(':');
  t.frame(ethernet(tcp4({ src, dst, sport: Number(sport), dport: Number(dport), flags: 'R', seq: 5001 })), ts);
}

/** The tracker's counters for each failure kind (FailureKind order). */
const KIND_COUNTERS: readonly (readonly number[])[] = [
  [Counter.Refused],
  ICMP_REASON_NAMES.map((_, r) => FIRST_ICMP_COUNTER + r),
  [Counter.Unanswered],
  [Counter.EarlyResets],
];

/** Per port and outcome: [causes + pending, the tracker's inbound count], and the same over all ports. */
function balance(tracker: Tracker, causes: FailureCauses, ports: readonly number[]): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (let k = 0; k < FAILURE_KIND_NAMES.length; k++) {
    for (const port of ports) {
      let decided = 0;
      for (let c = 0; c < CAUSES.length; c++) decided += causes.get(port, k, c);
      const counted = KIND_COUNTERS[k].reduce((s, c) => s + tracker.ports.get(Direction.Inbound, port, c), 0);
      out[`${port} ${FAILURE_KIND_NAMES[k]}`] = [decided + causes.pending(port, k), counted];
    }
    let decided = 0;
    for (let c = 0; c < CAUSES.length; c++) decided += causes.total(k, c);
    const counted = KIND_COUNTERS[k].reduce((s, c) => s + tracker.ports.total(Direction.Inbound, c), 0);
    out[`all ${FAILURE_KIND_NAMES[k]}`] = [decided + causes.pendingTotal(k), counted];
  }
  return out;
}

function expectBalanced(tracker: Tracker, causes: FailureCauses, ports: readonly number[]): void {
  const b = balance(tracker, causes, ports);
  const unbalanced = Object.entries(b).filter(([, [a, t]]) => a !== t);
  expect(unbalanced).toEqual([]);
}

describe('FailureCauses: a refusal waits for the read after it', () => {
  it('is pending until a read after the RST, then counted no_listener; pending goes back to 0', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000));
    refusal(traffic, 8080, 40001, 1.5);
    expect(traffic.tracker.ports.get(Direction.Inbound, 8080, Counter.Refused)).toBe(1);
    expect(causes.pending(8080, REFUSED)).toBe(1);
    expect(causes.pendingTotal(REFUSED)).toBe(1);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(0);
    // A settle before maxWaitMs decides nothing: the read after is still to come.
    causes.settle(2500);
    expect(causes.pending(8080, REFUSED)).toBe(1);

    causes.addRead(read(2000));
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1);
    expect(causes.total(REFUSED, cause('no_listener'))).toBe(1);
    expect(causes.pending(8080, REFUSED)).toBe(0);
    expect(causes.pendingTotal(REFUSED)).toBe(0);
    expect(causes.report(3000).ports.map((p) => p.port)).toEqual([8080]);
    expect(causes.readCount).toBe(2);
    expectBalanced(traffic.tracker, causes, [8080]);
  });

  it('outbound and unknown-direction failures are not counted', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000));
    traffic.syn(`${S}:50001`, `${R}:5432`, 1.5);
    traffic.rst(`${R}:5432`, `${S}:50001`, 1.6); // outbound refused
    traffic.syn(`${S}:50002`, `${R}:5432`, 1.7);
    traffic.icmp(`${S}:50002`, `${R}:5432`, 13, 1.8); // outbound ICMP-rejected
    traffic.syn(`${C}:40001`, `${R}:22`, 1.9);
    traffic.rst(`${R}:22`, `${C}:40001`, 1.95); // neither side local: unknown direction
    expect(traffic.tracker.ports.get(Direction.Outbound, 5432, Counter.Refused)).toBe(1);
    expect(traffic.tracker.ports.get(Direction.Unknown, 22, Counter.Refused)).toBe(1);
    expect(causes.pendingTotal(REFUSED)).toBe(0);
    expect(causes.pendingTotal(FailureKind.IcmpRejected)).toBe(0);
    causes.addRead(read(2000));
    expect(CAUSES.map((c) => causes.total(REFUSED, cause(c)) + causes.total(FailureKind.IcmpRejected, cause(c)))).toEqual(CAUSES.map(() => 0));
    expect(causes.report(3000).ports).toEqual([]);
  });

  it('a flood of identical refusals between two reads is one group, and every one is counted', () => {
    // Room for one group waiting: were the refusals separate groups, each would decide the one before.
    const { traffic, causes } = setup(10, { maxPendingGroups: 1 });
    causes.addRead(read(1000, [listener('127.0.0.1', 8080)]));
    for (let i = 0; i < 1000; i++) refusal(traffic, 8080, 20000 + i, 1.1 + i * 0.0008);
    expect(causes.pending(8080, REFUSED)).toBe(1000);
    causes.addRead(read(2000, [listener('127.0.0.1', 8080)]));
    expect(causes.pendingTotal(REFUSED)).toBe(0);
    expect(causes.get(8080, REFUSED, cause('wrong_bind'))).toBe(1000);
    expect(traffic.tracker.ports.get(Direction.Inbound, 8080, Counter.Refused)).toBe(1000);
  });

  it('a group decided to make room does not lend its decision to the group that takes its slot', () => {
    // One slot: each refusal decides the one before and takes its slot. 8080 has a listener
    // (firewall_reset), 8081 none (no_listener).
    const { traffic, causes } = setup(10, { maxPendingGroups: 1 });
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    refusal(traffic, 8080, 40001, 1.1);
    refusal(traffic, 8081, 40002, 1.2);
    refusal(traffic, 8082, 40003, 1.3);
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(1);
    expect(causes.get(8081, REFUSED, cause('firewall_reset'))).toBe(0);
    expect(causes.get(8081, REFUSED, cause('no_listener'))).toBe(1);
  });

  it('a flood of unanswered SYNs decided at their timeout is decided once per group, each counted', () => {
    const { traffic, causes } = setup(1);
    const ls = [listener('0.0.0.0', 8080)];
    causes.addRead(read(1000, ls));
    traffic.scan(C, S, Array<number>(20_000).fill(8080), 1.2);
    traffic.scan(C, S, Array<number>(10_000).fill(9), 1.3);
    causes.addRead(read(2000, ls));
    causes.addRead(read(3000, ls, { tcpExt: tcpExt(0, 0, 0) }));
    traffic.tracker.expire(3.5);
    expect(causes.get(8080, UNANSWERED, cause('firewall_drop'))).toBe(20_000);
    expect(causes.get(9, UNANSWERED, cause('unknown'))).toBe(10_000);
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
  });

  it('refusals to different ports, or across a read, are separate groups', () => {
    // Room for two groups waiting: the third refusal, a group of its own, decides the first.
    const { traffic, causes } = setup(10, { maxPendingGroups: 2 });
    causes.addRead(read(1000));
    refusal(traffic, 8080, 40001, 1.1);
    refusal(traffic, 8081, 40002, 1.2);
    refusal(traffic, 8080, 40003, 1.3);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1);
    expect([causes.pending(8080, REFUSED), causes.pending(8081, REFUSED)]).toEqual([1, 1]);
    causes.addRead(read(2000, [listener('0.0.0.0', 8081)]));
    refusal(traffic, 8081, 40004, 2.1); // after the listener appeared: a tcp-reset REJECT
    causes.addRead(read(3000, [listener('0.0.0.0', 8081)]));
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(2);
    // The listener appeared between the reads around the first one: the service was starting.
    expect(causes.get(8081, REFUSED, cause('unknown'))).toBe(1);
    expect(causes.get(8081, REFUSED, cause('firewall_reset'))).toBe(1);
  });
});

describe('FailureCauses: the reads around the attempt decide', () => {
  it.each<[string, Listener[], Listener[], Cause, RegExp]>([
    [
      'queue full in the read after: backlog_overflow',
      [listener('0.0.0.0', 8080)],
      [listener('0.0.0.0', 8080, FULL)],
      'backlog_overflow',
      /port 8080: accept queue 129 of backlog 128/,
    ],
    [
      'queue full in the read before: backlog_overflow',
      [listener('0.0.0.0', 8080, FULL)],
      [listener('0.0.0.0', 8080)],
      'backlog_overflow',
      /accept queue 129 of backlog 128/,
    ],
    [
      'a listener with room in both: firewall_drop',
      [listener('0.0.0.0', 8080)],
      [listener('0.0.0.0', 8080)],
      'firewall_drop',
      /queue has room, yet nothing answered: a DROP rule/,
    ],
    ['the listener went away: unknown', [listener('0.0.0.0', 8080)], [], 'unknown', /changed around the attempt \(before: 0\.0\.0\.0:8080; after: none\)/],
    ['nothing listens in either: unknown (never guess)', [], [], 'unknown', /nothing listens on port 8080, yet no RST came/],
  ])('an unanswered attempt, %s', (_case, before, after, expected, evidence) => {
    const { traffic, causes } = setup(10);
    causes.addRead(read(1000, before));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.syn(`${C}:40001`, `${S}:8080`, 2.5); // a retransmission changes nothing
    causes.addRead(read(2000, after));
    // Later reads do not count: the two around the first SYN do.
    causes.addRead(read(3000, [listener('0.0.0.0', 8080, FULL)]));
    causes.addRead(read(11_000, []));
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
    traffic.tracker.expire(12);
    expect(traffic.tracker.ports.get(Direction.Inbound, 8080, Counter.Unanswered)).toBe(1);
    // Its reads exist at the timeout: decided at once.
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
    expect(causes.get(8080, UNANSWERED, cause(expected))).toBe(1);
    const port = causes.report(13_000).ports[0];
    expect(port.outcomes).toEqual([
      {
        outcome: 'unanswered',
        count: 1,
        pending: 0,
        causes: [{ cause: expected, count: 1, evidence: expect.stringMatching(evidence), last_seen: '1970-01-01T00:00:12.000Z' }],
      },
    ]);
  });

  it('an unanswered attempt whose read after is still to come waits for it', () => {
    const { traffic, causes } = setup(1);
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.tracker.expire(2.6);
    expect(causes.pending(8080, UNANSWERED)).toBe(1);
    causes.addRead(read(2700, [listener('0.0.0.0', 8080, FULL)]));
    expect(causes.pending(8080, UNANSWERED)).toBe(0);
    expect(causes.get(8080, UNANSWERED, cause('backlog_overflow'))).toBe(1);
  });

  it.each<[string, Partial<KernelStateSnapshot>, Partial<KernelStateSnapshot>, Cause, RegExp]>([
    ['ListenOverflows rising between the reads', { tcpExt: tcpExt(10, 0) }, { tcpExt: tcpExt(12, 0) }, 'backlog_overflow', /ListenOverflows rising/],
    ['SYN cookies sent between the reads', { tcpExt: tcpExt(0, 5) }, { tcpExt: tcpExt(0, 9) }, 'syn_flood', /SYN queue overflows/],
    ['SYNs dropped for a full SYN queue between the reads', { tcpExt: tcpExt(0, 0, 3) }, { tcpExt: tcpExt(0, 0, 4) }, 'syn_flood', /SYN queue overflows/],
    ['counters unchanged', { tcpExt: tcpExt(10, 5) }, { tcpExt: tcpExt(10, 5) }, 'firewall_drop', /DROP rule/],
    ['counters unreadable in the read before: never guess', { tcpExt: null }, { tcpExt: tcpExt(12, 9) }, 'unknown', /whether an overflow counter rose/],
    [
      'tcp_syncookies=2: cookies for every SYN say nothing',
      { tcpExt: tcpExt(0, 5, 0), sysctls: { ...SYSCTLS, tcpSyncookies: 2 } },
      { tcpExt: tcpExt(0, 9, 0), sysctls: { ...SYSCTLS, tcpSyncookies: 2 } },
      'firewall_drop',
      /DROP rule/,
    ],
    [
      'tcp_syncookies=2 and SYNs dropped for a full SYN queue',
      { tcpExt: tcpExt(0, 5, 0), sysctls: { ...SYSCTLS, tcpSyncookies: 2 } },
      { tcpExt: tcpExt(0, 9, 2), sysctls: { ...SYSCTLS, tcpSyncookies: 2 } },
      'syn_flood',
      /SYN queue overflows/,
    ],
  ])('an unanswered attempt with %s', (_case, before, after, expected, evidence) => {
    const { traffic, causes } = setup(1);
    // One connection queued on the port, far from full.
    const ls = [listener('0.0.0.0', 8080, { acceptQueue: 1 })];
    causes.addRead(read(1000, ls, before));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    causes.addRead(read(2000, ls, after));
    traffic.tracker.expire(3);
    expect(causes.get(8080, UNANSWERED, cause(expected))).toBe(1);
    expect(causes.report(4000).ports[0].outcomes[0].causes[0].evidence).toMatch(evidence);
  });

  it('listeners differing between the read before and the read after a refusal: unknown', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000, []));
    refusal(traffic, 8080, 40001, 1.5);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080)]));
    expect(causes.get(8080, REFUSED, cause('unknown'))).toBe(1);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(0);
    expect(causes.report(3000).ports[0].outcomes[0].causes[0].evidence).toBe(
      'the listeners on port 8080 changed around the attempt (before: none; after: 0.0.0.0:8080): the service was starting or stopping',
    );
  });

  it('a read that could not see the listeners gives unknown for a refusal', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000, [], { errors: [{ what: 'listeners', message: 'EACCES: /proc/net/tcp' }] }));
    refusal(traffic, 8080, 40001, 1.5);
    causes.addRead(read(2000, []));
    expect(causes.get(8080, REFUSED, cause('unknown'))).toBe(1);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(0);
    const r = causes.report(3000);
    expect(r.ports[0].outcomes[0].causes[0].evidence).toMatch(/listening sockets could not be read/);
    // Another part missing (sock_diag) does not hide the listeners.
    causes.addRead(read(3000, [], { errors: [{ what: 'sock_diag', message: 'ss: not found' }] }));
    refusal(traffic, 8080, 40002, 3.5);
    causes.addRead(read(4000, []));
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1);
  });

  it('the report lists the errors of the latest read', () => {
    const { causes } = setup();
    causes.addRead(read(1000, [], { errors: [{ what: 'listeners', message: 'EACCES' }] }));
    expect(causes.report(2000).read_errors).toEqual([{ what: 'listeners', message: 'EACCES' }]);
    causes.addRead(read(2000, []));
    expect(causes.report(2500).read_errors).toEqual([]);
  });

  it('an early reset (SYN, SYN-ACK, RST with the server ISN + 1 within 5 s) with a full queue is early_reset/backlog_overflow', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000, [listener('0.0.0.0', 8080, FULL)]));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.synAck(`${S}:8080`, `${C}:40001`, 1.5001);
    earlyReset(traffic, `${S}:8080`, `${C}:40001`, 1.6);
    // Too late to be early (more than 5 s after the SYN-ACK): no failure at all.
    traffic.syn(`${C}:40002`, `${S}:8080`, 1.7);
    traffic.synAck(`${S}:8080`, `${C}:40002`, 1.7001);
    earlyReset(traffic, `${S}:8080`, `${C}:40002`, 6.8);
    expect(traffic.tracker.ports.get(Direction.Inbound, 8080, Counter.EarlyResets)).toBe(1);
    expect(traffic.tracker.ports.get(Direction.Inbound, 8080, Counter.Accepted)).toBe(2);
    expect(causes.pending(8080, EARLY)).toBe(1);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080, FULL)]));
    expect(causes.get(8080, EARLY, cause('backlog_overflow'))).toBe(1);
    expect(causes.pending(8080, EARLY)).toBe(0);
    expect(causes.report(3000).ports[0].outcomes).toEqual([
      {
        outcome: 'early_reset',
        count: 1,
        pending: 0,
        causes: [{ cause: 'backlog_overflow', count: 1, evidence: 'port 8080: accept queue 129 of backlog 128', last_seen: '1970-01-01T00:00:01.600Z' }],
      },
    ]);
  });

  it('an ICMP rejection is firewall_icmp, even with no read kept', () => {
    const { traffic, causes } = setup();
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.icmp(`${C}:40001`, `${S}:8080`, 13, 1.6);
    causes.settle(5000);
    expect(causes.get(8080, FailureKind.IcmpRejected, cause('firewall_icmp'))).toBe(1);
  });
});

/** TcpExt counters with ListenOverflows, SyncookiesSent and TCPReqQFullDrop set, the rest absent. */
function tcpExt(listenOverflows: number, syncookiesSent: number, reqQFullDrop: number | null = null): KernelStateSnapshot['tcpExt'] {
  return {
    listenOverflows,
    listenDrops: listenOverflows,
    syncookiesSent,
    syncookiesRecv: null,
    syncookiesFailed: null,
    reqQFullDrop,
    reqQFullDoCookies: null,
    all: new Map(),
    malformedLines: 0,
  };
}

describe('FailureCauses: waiting has bounds', () => {
  it('settle(now) past maxWaitMs decides a pending group from the read before alone', () => {
    const { traffic, causes } = setup(10, { maxWaitMs: 3000 });
    causes.addRead(read(1000, []));
    refusal(traffic, 8080, 40001, 1.5); // RST at 1500.4 ms
    causes.settle(4500);
    expect(causes.pending(8080, REFUSED)).toBe(1);
    causes.settle(4501);
    expect(causes.pending(8080, REFUSED)).toBe(0);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1);
    // A read arriving later changes nothing already decided.
    causes.addRead(read(5000, [listener('0.0.0.0', 8080)]));
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1);
    expect(causes.get(8080, REFUSED, cause('unknown'))).toBe(0);
  });

  it('settle with no read ever made decides unknown', () => {
    const { traffic, causes } = setup(10, { maxWaitMs: 1000 });
    refusal(traffic, 8080, 40001, 1.5);
    causes.settle(3000);
    expect(causes.get(8080, REFUSED, cause('unknown'))).toBe(1);
    expect(causes.report(3000).ports[0].outcomes[0].causes[0].evidence).toBe('no kernel-state read was kept from the time of the attempt');
  });

  it('beyond maxPendingGroups the oldest group is decided at once', () => {
    const { traffic, causes } = setup(10, { maxPendingGroups: 2 });
    causes.addRead(read(1000, []));
    refusal(traffic, 8080, 40001, 1.1);
    refusal(traffic, 8081, 40002, 1.2);
    expect([causes.pending(8080, REFUSED), causes.pending(8081, REFUSED)]).toEqual([1, 1]);
    refusal(traffic, 8082, 40003, 1.3);
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1); // from the read before alone
    expect(causes.pending(8081, REFUSED) + causes.pending(8082, REFUSED)).toBe(2);
    expectBalanced(traffic.tracker, causes, [8080, 8081, 8082]);
  });

  it.each<[string, number, Cause]>([
    ['kept, the read before the SYN decides', 60_000, 'firewall_drop'],
    ['dropped, and the first kept read came more than 2 s after the SYN', 5000, 'unknown'],
  ])('reads older than historyMs: %s', (_case, historyMs, expected) => {
    const { traffic, causes } = setup(10, { historyMs });
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    for (const ms of [4000, 7000, 10_000, 11_000]) causes.addRead(read(ms, [listener('0.0.0.0', 8080)]));
    expect(causes.readCount).toBe(5);
    traffic.tracker.expire(12);
    expect(causes.get(8080, UNANSWERED, cause(expected))).toBe(1);
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
  });

  it('with no read before the SYN, a read within 2 s after it stands in; later than that, unknown', () => {
    const { traffic, causes } = setup(10);
    refusal(traffic, 8082, 40003, 1.0);
    refusal(traffic, 8080, 40001, 1.5);
    refusal(traffic, 8081, 40002, 1.6);
    causes.addRead(read(3400, []));
    expect(causes.get(8082, REFUSED, cause('unknown'))).toBe(1); // 2.4 s after its SYN
    expect(causes.get(8080, REFUSED, cause('no_listener'))).toBe(1); // 1.9 s
    expect(causes.get(8081, REFUSED, cause('no_listener'))).toBe(1); // 1.8 s
    expect(causes.pendingTotal(REFUSED)).toBe(0);
  });
});

describe('FailureCauses: report()', () => {
  it('lists ports most recent first, outcomes with counts and pending, causes with evidence', () => {
    const { traffic, causes } = setup(10);
    causes.addRead(read(1000, []));
    refusal(traffic, 22, 40001, 1.5);
    causes.addRead(read(2000, []));
    refusal(traffic, 8080, 40002, 2.5);
    refusal(traffic, 8080, 40003, 2.6);
    causes.addRead(read(3000, [listener('127.0.0.1', 8080)]));
    causes.addRead(read(4000, [listener('127.0.0.1', 8080)]));
    refusal(traffic, 8080, 40004, 4.5);
    causes.addRead(read(5000, [listener('127.0.0.1', 8080)]));
    const r = causes.report(6000);
    expect(r).toEqual({
      taken_at: '1970-01-01T00:00:06.000Z',
      kernel_reads: 5,
      last_read: '1970-01-01T00:00:05.000Z',
      read_errors: [],
      ports_with_failures: 2,
      decided_from_one_read: 0,
      late_suspects: 0,
      evidence_evictions: 0,
      ports: [
        {
          port: 8080,
          last_seen: '1970-01-01T00:00:04.500Z',
          outcomes: [
            {
              outcome: 'refused',
              count: 3,
              pending: 0,
              causes: [
                // Two before the listener came: the reads around them differ.
                {
                  cause: 'unknown',
                  count: 2,
                  evidence: expect.stringMatching(/^the listeners on port 8080 changed around the attempt/),
                  last_seen: '1970-01-01T00:00:02.600Z',
                },
                {
                  cause: 'wrong_bind',
                  count: 1,
                  evidence: 'listeners on port 8080 cannot take a SYN to 198.51.100.2 (bound to loopback): 127.0.0.1:8080',
                  last_seen: '1970-01-01T00:00:04.500Z',
                },
              ],
            },
          ],
        },
        {
          port: 22,
          last_seen: '1970-01-01T00:00:01.500Z',
          outcomes: [
            {
              outcome: 'refused',
              count: 1,
              pending: 0,
              causes: [{ cause: 'no_listener', count: 1, evidence: 'nothing listens on port 22', last_seen: '1970-01-01T00:00:01.500Z' }],
            },
          ],
        },
      ],
    });
    // What the daemon serves is plain JSON.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('counts pending failures in their outcome until decided', () => {
    const { traffic, causes } = setup(10);
    causes.addRead(read(1000, []));
    refusal(traffic, 8080, 40001, 1.5);
    causes.addRead(read(2000, []));
    refusal(traffic, 8080, 40002, 2.5); // no read after it yet
    expect(causes.report(3000).ports.map((p) => [p.port, p.outcomes])).toEqual([
      [8080, [{ outcome: 'refused', count: 2, pending: 1, causes: [expect.objectContaining({ cause: 'no_listener', count: 1 })] }]],
    ]);
    causes.addRead(read(3000, []));
    expect(causes.report(4000).ports[0].outcomes).toEqual([
      {
        outcome: 'refused',
        count: 2,
        pending: 0,
        causes: [{ cause: 'no_listener', count: 2, evidence: 'nothing listens on port 8080', last_seen: '1970-01-01T00:00:02.500Z' }],
      },
    ]);
  });

  it('before any read: no read, no port', () => {
    const { causes } = setup();
    expect(causes.report(1000)).toEqual({
      taken_at: '1970-01-01T00:00:01.000Z',
      kernel_reads: 0,
      last_read: null,
      read_errors: [],
      ports_with_failures: 0,
      decided_from_one_read: 0,
      late_suspects: 0,
      evidence_evictions: 0,
      ports: [],
    });
    expect(causes.latestRead).toBeUndefined();
  });
});

describe('FailureCauses: causes plus pending always equal the tracker count (property)', () => {
  const PORTS = [22, 80, 8080] as const;
  const step = fc.record({
    op: fc.constantFrom('syn', 'synack', 'rst', 'early', 'accept-reset', 'icmp', 'expire', 'read', 'settle'),
    client: fc.integer({ min: 0, max: 2 }),
    port: fc.integer({ min: 0, max: PORTS.length - 1 }),
    outbound: fc.boolean(),
    dtMs: fc.integer({ min: 0, max: 1500 }),
    listening: fc.subarray([...PORTS]),
    full: fc.boolean(),
    listenersError: fc.boolean(),
  });

  it('holds after every step of random SYN / RST / SYN-ACK / ICMP / expiry / read sequences', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1000, max: 8000 }),
        (steps, maxPendingGroups, historyMs) => {
          const { traffic, causes } = setup(4, { maxPendingGroups, historyMs, maxWaitMs: 3000 });
          let nowMs = 1000;
          for (const s of steps) {
            nowMs += s.dtMs;
            const ts = nowMs / 1000;
            const port = PORTS[s.port];
            const client = s.outbound ? `${S}:${50000 + s.client}` : `${C}:${40000 + s.client}`;
            const server = s.outbound ? `${R}:${port}` : `${S}:${port}`;
            switch (s.op) {
              case 'syn':
                traffic.syn(client, server, ts);
                break;
              case 'synack':
                traffic.synAck(server, client, ts);
                break;
              case 'rst':
                traffic.rst(server, client, ts);
                break;
              case 'early':
                earlyReset(traffic, server, client, ts);
                break;
              case 'accept-reset': // the three packets of an early reset (a new attempt when the SYN is one)
                traffic.syn(client, server, ts);
                traffic.synAck(server, client, ts + 0.0001);
                earlyReset(traffic, server, client, ts + 0.0002);
                break;
              case 'icmp':
                traffic.icmp(client, server, 3, ts);
                break;
              case 'expire':
                traffic.tracker.expire(ts);
                break;
              case 'read': {
                const ls = s.listening.map((p) => listener('0.0.0.0', p, s.full ? FULL : {}));
                causes.addRead(read(nowMs, ls, s.listenersError ? { errors: [{ what: 'listeners', message: 'EIO' }] } : {}), nowMs);
                break;
              }
              case 'settle':
                causes.settle(nowMs);
                break;
            }
            expectBalanced(traffic.tracker, causes, PORTS);
          }
          // The end of the capture, then long enough: nothing is left pending, and the sums still hold.
          traffic.tracker.finish();
          expectBalanced(traffic.tracker, causes, PORTS);
          causes.settle(nowMs + 10_000);
          expect(FAILURE_KIND_NAMES.map((_, k) => causes.pendingTotal(k))).toEqual([0, 0, 0, 0]);
          expectBalanced(traffic.tracker, causes, PORTS);
          // The report says the same, per port and outcome.
          for (const p of causes.report(nowMs).ports) {
            for (const o of p.outcomes) {
              const k = FAILURE_KIND_NAMES.indexOf(o.outcome);
              expect(o.count).toBe(KIND_COUNTERS[k].reduce((sum, c) => sum + traffic.tracker.ports.get(Direction.Inbound, p.port, c), 0));
              expect(o.causes.reduce((sum, c) => sum + c.count, 0)).toBe(o.count);
            }
          }
        },
      ),
      propertyRuns(300),
    );
  });
});

describe('FailureCauses: review fixes', () => {
  /** A tracker with the detector, its verdicts told to the causes as the daemon wires them. */
  function detecting(): { traffic: Traffic; causes: FailureCauses } {
    return setup(10, {}, true);
  }

  /** A RST+ACK that acks the SYN exactly (nothing suspect about it), then the server's own SYN-ACK: reset_race. */
  function raced(t: Traffic, sport: number, ts: number): void {
    t.syn(`${C}:${sport}`, `${S}:8080`, ts);
    t.frame(ethernet(tcp4({ src: S, dst: C, sport: 8080, dport: sport, flags: 'R.', seq: 0, ack: 1001 })), ts + 0.0003);
    t.synAck(`${S}:8080`, `${C}:${sport}`, ts + 0.0006);
  }

  it('a refusal found suspect after the RST (reset_race) is middlebox while its cause waits', () => {
    const { traffic, causes } = detecting();
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    raced(traffic, 40001, 1.5);
    expect(traffic.pipeline.detector?.suspectResets).toBe(1);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080)]));
    expect(causes.get(8080, REFUSED, cause('middlebox'))).toBe(1);
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(0);
    expect(causes.pending(8080, REFUSED)).toBe(0);
    expect(causes.lateSuspects).toBe(0);
  });

  /** A SYN from `client` to `server` and a RST+ACK from the server acknowledging `ack` (1001 is right: the SYN's ISN is 1000). */
  function refusedWithAck(t: Traffic, client: string, server: string, ack: number, ts: number): void {
    const [src, sport] = server.split(':');
    const [dst, dport] = client.split(':');
    t.syn(client, server, ts);
    t.frame(ethernet(tcp4({ src, dst, sport: Number(sport), dport: Number(dport), flags: 'R.', seq: 0, ack })), ts + 0.0003);
  }

  // A suspect refusal (ack = ISN: ack_mismatch, judged as it is counted), then a genuine inbound one on 8080.
  it.each<[string, string, string, number]>([
    ['an inbound suspect refusal is middlebox; the genuine one after it is not', `${C}:40002`, `${S}:8080`, 1],
    ['an outbound suspect refusal leaves the next inbound refusal as it is', `${S}:50000`, `${R}:443`, 0],
  ])('%s', (_case, client, server, middlebox) => {
    const { traffic, causes } = detecting();
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    refusedWithAck(traffic, client, server, 1000, 1.5);
    refusedWithAck(traffic, `${C}:40001`, `${S}:8080`, 1001, 1.6);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080)]));
    expect(traffic.pipeline.detector?.suspectResets).toBe(1);
    expect(causes.total(REFUSED, cause('middlebox'))).toBe(middlebox);
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(1);
  });

  it('a flag that comes after the cause was decided leaves it, and is counted', () => {
    const { traffic, causes } = detecting();
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.frame(ethernet(tcp4({ src: S, dst: C, sport: 8080, dport: 40001, flags: 'R.', seq: 0, ack: 1001 })), 1.5003);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080)]));
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(1);
    traffic.synAck(`${S}:8080`, `${C}:40001`, 2.1);
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(1);
    expect(causes.lateSuspects).toBe(1);
    expect(causes.report(3000).late_suspects).toBe(1);
  });

  it('without a read after it, an unanswered attempt with room is unknown, not firewall_drop, and counted', () => {
    const { traffic, causes } = setup(1, { maxWaitMs: 3000 });
    causes.addRead(read(1000, [listener('0.0.0.0', 8080)]));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    traffic.tracker.expire(2.6);
    causes.settle(6000); // no read came after the SYN: reads stalled
    expect(causes.get(8080, UNANSWERED, cause('unknown'))).toBe(1);
    expect(causes.decidedFromOneRead).toBe(1);
    expect(causes.report(6000).decided_from_one_read).toBe(1);
  });

  it('a read that ended after the SYN is not the state before it, even if it started before', () => {
    const { traffic, causes } = setup();
    causes.addRead(read(1000, []));
    // Started before the SYN (1500), ended after it: a listener bound meanwhile may be in it.
    causes.addRead(read(1490, [listener('0.0.0.0', 8080)], { doneAtMs: 1510 }));
    refusal(traffic, 8080, 40001, 1.5);
    causes.addRead(read(2000, [listener('0.0.0.0', 8080)]));
    // Before = the read at 1000 (nothing), after = the one at 2000 (a listener): it changed.
    expect(causes.get(8080, REFUSED, cause('unknown'))).toBe(1);
    expect(causes.report(3000).ports[0].outcomes[0].causes[0].evidence).toMatch(/changed around the attempt \(before: none; after: 0\.0\.0\.0:8080\)/);
  });

  it('an unanswered attempt: the read "after" is the first one started after the SYN, not one in flight at the time', () => {
    const { traffic, causes } = setup(1);
    const ls = [listener('0.0.0.0', 8080)];
    causes.addRead(read(1000, ls, { tcpExt: tcpExt(0, 0, 0) }));
    // Started before the SYN (1500), ended after it: its counters may predate the drop.
    causes.addRead(read(1490, ls, { doneAtMs: 1510, tcpExt: tcpExt(0, 0, 0) }));
    traffic.syn(`${C}:40001`, `${S}:8080`, 1.5);
    causes.addRead(read(2000, ls, { tcpExt: tcpExt(0, 0, 3) }));
    traffic.tracker.expire(3);
    expect(causes.get(8080, UNANSWERED, cause('syn_flood'))).toBe(1);
  });

  it('a port scan expiring at once holds a couple of groups, not one per port', () => {
    const { traffic, causes } = setup(1);
    causes.addRead(read(1000, [listener('0.0.0.0', 22)]));
    traffic.scan(
      C,
      S,
      Array.from({ length: 5000 }, (_, i) => 1000 + i),
      1.5,
    );
    causes.addRead(read(2000, [listener('0.0.0.0', 22)]));
    traffic.tracker.expire(3);
    expect(traffic.tracker.ports.total(Direction.Inbound, Counter.Unanswered)).toBe(5000);
    expect(causes.total(UNANSWERED, cause('unknown'))).toBe(5000);
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
  });

  it('a run of distinct failures decided at once holds no memory until the next read', () => {
    // Unanswered attempts to two ports in turn, told at their timeout when their reads exist: each
    // failure differs from the one before (a new group), each is decided at once. Memory must not
    // grow with their number: about 0.1 MB here, while kept as a list until the next read 60 000
    // groups hold some 11 MB (measured by breaking the reuse).
    const { traffic, causes } = setup(1);
    const ls = [listener('0.0.0.0', 22)];
    const twoPorts = (n: number): number[] => Array.from({ length: n }, (_, i) => 7000 + (i % 2));
    causes.addRead(read(1000, ls));
    traffic.scan(C, S, twoPorts(1000), 1.4); // warm-up: the two ports' counts, evidence, compiled code
    causes.addRead(read(2000, ls));
    traffic.tracker.expire(2.5);
    traffic.scan(C, S, twoPorts(60_000), 2.1);
    causes.addRead(read(3000, ls));
    const before = heldHeapBytes();
    traffic.tracker.expire(3.5);
    const grown = heldHeapBytes() - before;
    expect(causes.total(UNANSWERED, cause('unknown'))).toBe(61_000);
    expect(causes.get(7000, UNANSWERED, cause('unknown')) + causes.get(7001, UNANSWERED, cause('unknown'))).toBe(61_000);
    expect(causes.pendingTotal(UNANSWERED)).toBe(0);
    expect(grown).toBeLessThan(1 << 20);
  });

  it('a full port scan holds the engine within its budget: a count is a cell of a column, a waiting failure a slot of a ring', () => {
    // 65,535 refusals, each on a port of its own, wait for the read after them, then are decided.
    // Measured before the fix (issue 11): 29 MB held while waiting (an object per group, a
    // Float64Array of pending counts per port), 37 MB once decided (a Float64Array of counts per
    // port); after: 0.2 MB and 1.7 MB.
    const { traffic, causes } = setup(10);
    const ports = Array.from({ length: 65_535 }, (_, i) => i + 1);
    causes.addRead(read(1000, []));
    traffic.refusedScan(C, S, [1, 2, 3], 1.2); // warm-up: compiled code, the first evidence
    causes.addRead(read(1300, []));
    const before = heldBytes();
    traffic.refusedScan(C, S, ports, 1.5);
    const waiting = heldBytes() - before;
    expect(causes.pendingTotal(REFUSED)).toBe(65_535);
    causes.addRead(read(2000, []));
    const decided = heldBytes() - before;
    expect(causes.total(REFUSED, cause('no_listener'))).toBe(65_535 + 3);
    expect(causes.get(65_535, REFUSED, cause('no_listener'))).toBe(1);
    expect(causes.pendingTotal(REFUSED)).toBe(0);
    expect(causes.report(Date.now(), []).ports_with_failures).toBe(65_535);
    expect(waiting).toBeLessThan(CAUSE_ENGINE_SCAN_BUDGET_BYTES);
    expect(decided).toBeLessThan(CAUSE_ENGINE_SCAN_BUDGET_BYTES);
  });

  it('reads stay bounded when the clock steps back: the reads dropped are let go', async () => {
    const { causes } = setup(10, { historyMs: 20_000 });
    const reads: WeakRef<KernelStateSnapshot>[] = [];
    for (let i = 0; i < 500; i++) {
      const s = read(1_000_000 - i * 1000);
      reads.push(new WeakRef(s));
      causes.addRead(s, s.takenAtMs);
    }
    expect(causes.readCount).toBe(500);
    // A WeakRef holds its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    heldHeapBytes();
    const kept = reads.filter((r) => r.deref() !== undefined).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(Math.ceil(20_000 / 1000) * 2 + 16);
  });

  it('IPV6_V6ONLY unknown in one read (no ss) is no change of listeners', () => {
    const { traffic, causes } = setup();
    const v6 = (o: Partial<Listener>) => listener('::', 8080, { family: 6, v6onlySource: 'sock_diag', ...o });
    causes.addRead(read(1000, [v6({ v6only: false })]));
    refusal(traffic, 8080, 40001, 1.5);
    causes.addRead(read(2000, [v6({ v6only: undefined, v6onlySource: 'unknown' })]));
    expect(causes.get(8080, REFUSED, cause('firewall_reset'))).toBe(1);
  });
});
