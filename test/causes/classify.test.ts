import { describe, expect, it } from 'vitest';
import { classifyFailure, type FailureFacts } from '../../src/causes/classify.js';
import type { SocketOwner } from '../../src/kernel/sockets-to-processes.js';
import { listener } from '../support/listener.js';

function facts(o: Partial<FailureFacts>): FailureFacts {
  return {
    outcome: 'refused',
    serverAddress: '198.51.100.2',
    port: 8080,
    suspect: false,
    listeners: [],
    owners: new Map(),
    listenOverflowsRising: false,
    synQueueOverflowing: false,
    ...o,
  };
}

const owner = (openFds: number, nofileSoft: number): SocketOwner => ({ pid: 42, comm: 'server', openFds, nofileSoft, nofileHard: nofileSoft });

describe('classifyFailure', () => {
  it.each<[string, Partial<FailureFacts>, string, RegExp?]>([
    ['refused, nothing listens', {}, 'no_listener'],
    ['refused, a listener on another port only', { listeners: [listener('0.0.0.0', 22)] }, 'no_listener'],
    ['refused, listener on 127.0.0.1 reached on the veth address', { listeners: [listener('127.0.0.1', 8080)] }, 'wrong_bind'],
    ['refused, listener on ::1 reached over IPv6', { serverAddress: '2001:db8::2', listeners: [listener('::1', 8080)] }, 'wrong_bind'],
    ['refused, listener bound to another specific address', { listeners: [listener('198.51.100.9', 8080)] }, 'wrong_bind'],
    ['refused, an IPv6-only listener reached over IPv4', { listeners: [listener('::', 8080, { v6only: true })] }, 'wrong_bind'],
    [
      'refused, a [::] listener whose v6only could not be read, IPv4 SYN: never guess',
      { listeners: [listener('::', 8080, { v6only: undefined, v6onlySource: 'unknown' })] },
      'unknown',
    ],
    ['refused, a dual-stack [::] listener with room: a tcp-reset REJECT', { listeners: [listener('::', 8080)] }, 'firewall_reset'],
    ['refused, a 0.0.0.0 listener with room: a tcp-reset REJECT', { listeners: [listener('0.0.0.0', 8080)] }, 'firewall_reset'],
    ['refused, the queue fill cannot be read (no sock_diag): never guess', { listeners: [listener('0.0.0.0', 8080, { backlog: null })] }, 'unknown'],
    ['refused by a suspect RST', { suspect: true, listeners: [listener('0.0.0.0', 8080)] }, 'middlebox'],
    ['ICMP-rejected', { outcome: 'icmp_rejected' }, 'firewall_icmp'],
    ['unanswered, a listener with room: a DROP rule', { outcome: 'unanswered', listeners: [listener('0.0.0.0', 8080)] }, 'firewall_drop'],
    ['unanswered, nothing listens: never guess', { outcome: 'unanswered' }, 'unknown'],
    [
      'unanswered, the accept queue full',
      { outcome: 'unanswered', listeners: [listener('0.0.0.0', 8080, { acceptQueue: 3, backlog: 2 })] },
      'backlog_overflow',
    ],
    [
      'unanswered, ListenOverflows rising, only this port queued',
      { outcome: 'unanswered', listenOverflowsRising: true, listeners: [listener('0.0.0.0', 8080, { acceptQueue: 1, backlog: 4 })] },
      'backlog_overflow',
    ],
    [
      'unanswered, ListenOverflows rising, no queue seen: never guess',
      { outcome: 'unanswered', listenOverflowsRising: true, listeners: [listener('0.0.0.0', 8080)] },
      'unknown',
    ],
    [
      'unanswered, ListenOverflows rising, another port queued too: never guess',
      {
        outcome: 'unanswered',
        listenOverflowsRising: true,
        listeners: [listener('0.0.0.0', 8080, { acceptQueue: 1, backlog: 4 }), listener('0.0.0.0', 9090, { acceptQueue: 1, backlog: 4 })],
      },
      'unknown',
    ],
    [
      'unanswered with room, ListenOverflows explained by another full port: the DROP',
      { outcome: 'unanswered', listenOverflowsRising: true, listeners: [listener('0.0.0.0', 8080), listener('0.0.0.0', 9090, { acceptQueue: 2, backlog: 1 })] },
      'firewall_drop',
    ],
    ['the listener went away between the reads: never guess', { outcome: 'refused', listeners: [listener('0.0.0.0', 8080)], listenersAfter: [] }, 'unknown'],
    [
      'early reset, the queue full only in the read after',
      {
        outcome: 'early_reset',
        listeners: [listener('0.0.0.0', 8080, { acceptQueue: 3, backlog: 4 })],
        listenersAfter: [listener('0.0.0.0', 8080, { acceptQueue: 5, backlog: 4 })],
      },
      'backlog_overflow',
    ],
    ['the listeners could not be read', { outcome: 'refused', listeners: null }, 'unknown'],
    [
      'unanswered, full queue, owner unreadable: backlog_overflow, and it says so',
      { outcome: 'unanswered', ownersUnreadable: true, listeners: [listener('0.0.0.0', 8080, { acceptQueue: 2, backlog: 1 })] },
      'backlog_overflow',
      /could not be read.*fd_exhaustion/,
    ],
    [
      'early reset, the accept queue full (tcp_abort_on_overflow=1)',
      { outcome: 'early_reset', listeners: [listener('0.0.0.0', 8080, { acceptQueue: 2, backlog: 1 })] },
      'backlog_overflow',
    ],
    [
      'unanswered, full queue and the owner at its open-files limit',
      { outcome: 'unanswered', listeners: [listener('0.0.0.0', 8080, { acceptQueue: 3, backlog: 2 })], owners: new Map([[9080, [owner(64, 64)]]]) },
      'fd_exhaustion',
    ],
    ['unanswered, SYN cookies being sent', { outcome: 'unanswered', synQueueOverflowing: true, listeners: [listener('0.0.0.0', 8080)] }, 'syn_flood'],
    ['early reset with room and no counter rising: never guess', { outcome: 'early_reset', listeners: [listener('0.0.0.0', 8080)] }, 'unknown'],
    [
      'IPv4 SYN to a listener bound to ::ffff:198.51.100.2 (it reads as the dotted quad, family 6)',
      { outcome: 'unanswered', listeners: [{ ...listener('0.0.0.0', 8080), family: 6, address: '198.51.100.2', v6only: false }] },
      'firewall_drop',
    ],
  ])('%s', (_case, f, cause, evidence) => {
    const c = classifyFailure(facts(f));
    expect(c.cause).toBe(cause);
    expect(c.evidence.length).toBeGreaterThan(10);
    if (evidence) expect(c.evidence).toMatch(evidence);
    else expect(c.evidence).not.toMatch(/could not be read.*fd_exhaustion/);
  });

  it('names the process and its limit for fd_exhaustion', () => {
    const c = classifyFailure(
      facts({ outcome: 'unanswered', listeners: [listener('0.0.0.0', 8080, { acceptQueue: 3, backlog: 2 })], owners: new Map([[9080, [owner(64, 64)]]]) }),
    );
    expect(c.evidence).toMatch(/server \(pid 42\) holds 64 open files of its limit 64/);
  });

  it('an owner below its limit is no fd_exhaustion', () => {
    const c = classifyFailure(
      facts({ outcome: 'unanswered', listeners: [listener('0.0.0.0', 8080, { acceptQueue: 3, backlog: 2 })], owners: new Map([[9080, [owner(10, 1024)]]]) }),
    );
    expect(c.cause).toBe('backlog_overflow');
  });
});
