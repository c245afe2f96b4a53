import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FrameSink } from '../../src/capture/frame-sink.js';
import type { CaptureFault, CaptureStats, LiveCaptureOptions, PacketSource } from '../../src/capture/packet-source.js';
import { RstwatchError } from '../../src/base/errors.js';
import { CaptureController, FIRST_BACKOFF_MS, type CaptureControllerParts } from '../../src/live/capture-controller.js';
import type { LinkState, LinkWatcher } from '../../src/capture/link-watch.js';
import { LocalAddressWatcher, readInterfaceNetworks } from '../../src/live/local-addresses.js';
import { lookUpUser } from '../../src/live/privileges.js';
import { SinkErrorLog } from '../../src/live/sink-error-log.js';
import { createLogger } from '../../src/log/logger.js';
import { LocalNets } from '../../src/track/direction.js';
import { parseAddress, parseCidr } from '../../src/net/address.js';

const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

const OPTIONS: LiveCaptureOptions = {
  interfaceName: 'veth0',
  snaplen: 256,
  promiscuous: false,
  immediate: false,
  bufferBytes: 1 << 20,
  timeoutMs: 100,
  filter: '',
  maxBatchFrames: 64,
  queueBytes: 1 << 20,
};

/**
 * A stand-in PacketSource for the controller's own logic (reopen timing, cumulative stats): the
 * real fault path (a veth deleted under a real capture) is tested in test/e2e/live-*.test.ts.
 */
class StandInSource implements PacketSource {
  readonly backend = 'stand-in';
  readonly interfaceName = 'veth0';
  readonly linkType = 1;
  readonly warnings: string[] = [];
  readonly statsSupported = true;
  sinkErrors = 0;
  lastSinkError: unknown = undefined;
  closed = false;
  fault: ((f: CaptureFault) => void) | undefined;
  /** start() throws this (a capture thread that cannot start), when set. */
  startError: Error | undefined;
  constructor(private readonly s: CaptureStats) {}
  start(_sink: FrameSink, onFault: (f: CaptureFault) => void): void {
    if (this.startError !== undefined) throw this.startError;
    this.fault = onFault;
  }
  stats(): CaptureStats {
    return this.s;
  }
  close(): void {
    this.closed = true;
  }
}

/** A logger whose JSON lines are kept in `lines`. */
function recordingLogger(): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      for (const l of c.toString().split('\n')) if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger('info', sink), lines };
}

/** A stand-in link watch: `emit` plays rtnetlink. */
function standInLinkWatch(): { watchLink: LinkWatcher; emit: (s: LinkState) => void; names: string[]; closed: () => boolean } {
  let onChange: ((s: LinkState) => void) | undefined;
  let closed = false;
  const names: string[] = [];
  return {
    watchLink: (name, cb) => {
      names.push(name);
      onChange = cb;
      return { close: () => (closed = true) };
    },
    emit: (s) => onChange?.(s),
    names,
    closed: () => closed,
  };
}

/**
 * A controller over stand-in sources; `failNext` opens fail before the next succeeds, `startFailNext`
 * sources open but fail to start; `clock.ms` is its clock.
 */
function controller(extra: Partial<CaptureControllerParts> = {}) {
  const opened: StandInSource[] = [];
  const state = { failNext: 0, startFailNext: 0, opens: 0 };
  const clock = { ms: 0 };
  const open = (): PacketSource => {
    state.opens++;
    if (state.failNext > 0) {
      state.failNext--;
      throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN' as never, 'no such device');
    }
    const s = new StandInSource({ received: 10, droppedKernel: 1, droppedInterface: 0, droppedQueue: 4 });
    if (state.startFailNext > 0) {
      state.startFailNext--;
      s.startError = new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN' as never, 'cannot start the capture thread: Resource temporarily unavailable');
    }
    opened.push(s);
    return s;
  };
  const c = new CaptureController({ options: OPTIONS, open, sink: { onFrame: () => undefined }, log: quiet(), nowMs: () => clock.ms, ...extra });
  return { c, opened, state, clock };
}

describe('CaptureController', () => {
  afterEach(() => vi.useRealTimers());

  it('on a fault: down, reopened with growing backoff, stats cumulative', () => {
    vi.useFakeTimers();
    const { c, opened, state } = controller();
    c.start();
    expect(c.up()).toBe(true);
    opened[0].sinkErrors = 3;
    opened[0].lastSinkError = new Error('the third');
    expect(c.sinkErrors()).toBe(3);
    state.failNext = 2;
    opened[0].fault?.({ reason: 'interface_gone', message: 'The interface disappeared' });
    expect(c.up()).toBe(false);
    expect(opened[0].closed).toBe(true);
    expect(c.stats()).toEqual({ received: 10, droppedKernel: 1, droppedInterface: 0, droppedQueue: 4 });
    expect(c.sinkErrors()).toBe(3); // the closed handle's count is kept
    expect(c.lastSinkError()).toEqual(new Error('the third')); // and its last error
    vi.advanceTimersByTime(FIRST_BACKOFF_MS); // first retry fails
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 2); // second retry fails
    expect(c.up()).toBe(false);
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 4 - 1);
    expect(c.up()).toBe(false);
    vi.advanceTimersByTime(1); // third retry opens
    expect(c.up()).toBe(true);
    expect(c.stats()).toEqual({ received: 20, droppedKernel: 2, droppedInterface: 0, droppedQueue: 8 });
    opened[1].sinkErrors = 2;
    expect(c.sinkErrors()).toBe(5);
    expect(c.opens).toBe(2);
    expect(c.faults).toBe(1);
    c.stop();
    expect(c.up()).toBe(false);
    expect(opened[1].closed).toBe(true);
  });

  it('a reopened source that cannot start (its capture thread) is closed, logged and retried on the backoff timer', () => {
    vi.useFakeTimers();
    const { log, lines } = recordingLogger();
    const { c, opened, state } = controller({ log });
    c.start();
    state.startFailNext = 1;
    opened[0].fault?.({ reason: 'interface_down', message: 'down' });
    vi.advanceTimersByTime(FIRST_BACKOFF_MS); // opens, but the start fails
    expect(c.up()).toBe(false);
    expect(opened[1].closed).toBe(true);
    expect(lines.find((l) => l.event === 'capture_reopen_failed')).toMatchObject({ trigger: 'timer', detail: expect.stringMatching(/capture thread/) });
    expect(lines.filter((l) => l.event === 'capture_up')).toEqual([]);
    expect(c.stats()).toEqual({ received: 10, droppedKernel: 1, droppedInterface: 0, droppedQueue: 4 }); // the unstarted one adds nothing
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 2);
    expect(c.up()).toBe(true);
    expect(c.opens).toBe(2);
    c.stop();
  });

  it('a first source that cannot start: start() throws and nothing runs', () => {
    const { c, opened, state } = controller();
    state.startFailNext = 1;
    expect(() => c.start()).toThrow(/capture thread/);
    expect(c.up()).toBe(false);
    expect(opened[0].closed).toBe(true);
  });

  it('stop() cancels a pending reopen', () => {
    vi.useFakeTimers();
    const { c, opened, state } = controller();
    c.start();
    opened[0].fault?.({ reason: 'interface_down', message: 'down' });
    c.stop();
    vi.advanceTimersByTime(60_000);
    expect(state.opens).toBe(1);
  });

  it('issue 11: the interface back after a long outage reopens at once on the link notice, not at the next backoff tick', () => {
    vi.useFakeTimers();
    const link = standInLinkWatch();
    const { log, lines } = recordingLogger();
    let reopened = 0;
    const { c, opened, state, clock } = controller({ watchLink: link.watchLink, log, onReopened: () => reopened++ });
    c.start();
    expect(link.names).toEqual(['veth0']);
    opened[0].fault?.({ reason: 'interface_down', message: 'The interface went down' });
    state.failNext = 4; // down for 0.5 + 1 + 2 + 4 s: the next retry is 8 s away
    for (const ms of [500, 1000, 2000, 4000]) {
      clock.ms += ms;
      vi.advanceTimersByTime(ms);
    }
    expect(c.up()).toBe(false);
    expect(lines.filter((l) => l.event === 'capture_reopen_failed').map((l) => l.retry_in_ms)).toEqual([1000, 2000, 4000, 8000]);
    link.emit('down'); // still down: nothing to do
    link.emit('gone');
    expect(state.opens).toBe(5);
    clock.ms += 250;
    link.emit('up');
    expect(c.up()).toBe(true); // no timer advanced
    expect(state.opens).toBe(6);
    expect(reopened).toBe(1); // the daemon re-reads the local addresses then
    const up = lines.find((l) => l.event === 'capture_up');
    expect(up).toMatchObject({ reopened_by: 'link', down_seconds: 7.75 });
    expect(String(up?.msg)).toMatch(/running again after 7\.75 s down/);
    vi.advanceTimersByTime(60_000); // the replaced retry never opens a second handle
    expect(state.opens).toBe(6);
    link.emit('up'); // while running: nothing
    expect(state.opens).toBe(6);
    c.stop();
    expect(link.closed()).toBe(true);
  });

  it('a flap told before the fault (down, up, then the capture fails) reopens at once', () => {
    vi.useFakeTimers();
    const link = standInLinkWatch();
    const { log, lines } = recordingLogger();
    const { c, opened, state } = controller({ watchLink: link.watchLink, log });
    c.start();
    link.emit('down'); // the capture has not failed yet
    link.emit('up');
    expect(state.opens).toBe(1);
    opened[0].fault?.({ reason: 'read_error', message: 'Network is down' });
    expect(c.up()).toBe(true); // no timer advanced
    expect(state.opens).toBe(2);
    expect(lines.find((l) => l.event === 'capture_up')).toMatchObject({ reopened_by: 'link' });
    vi.advanceTimersByTime(60_000);
    expect(state.opens).toBe(2); // no retry left behind
    c.stop();
  });

  it('adds up the time spent down, the current spell included', () => {
    vi.useFakeTimers();
    const link = standInLinkWatch();
    const { c, opened, clock } = controller({ watchLink: link.watchLink });
    c.start();
    clock.ms = 10_000;
    expect(c.downSeconds()).toBe(0);
    opened[0].fault?.({ reason: 'interface_gone', message: 'gone' });
    clock.ms = 12_000;
    expect(c.downSeconds()).toBe(2);
    clock.ms = 13_500;
    link.emit('up');
    expect(c.downSeconds()).toBe(3.5);
    clock.ms = 20_000; // up: does not grow
    expect(c.downSeconds()).toBe(3.5);
    link.emit('down');
    opened[1].fault?.({ reason: 'interface_down', message: 'down' });
    clock.ms = 21_000;
    expect(c.downSeconds()).toBe(4.5);
    expect(c.faults).toBe(2);
    c.stop();
  });

  it('without a working link watch, reopens on the timer (and says so); never watches `any`', () => {
    vi.useFakeTimers();
    const { log, lines } = recordingLogger();
    const broken: LinkWatcher = () => {
      throw new Error('netlink socket: Address family not supported');
    };
    const { c, opened } = controller({ watchLink: broken, log });
    c.start();
    expect(lines.find((l) => l.event === 'link_watch_unavailable')?.detail).toMatch(/Address family/);
    opened[0].fault?.({ reason: 'interface_down', message: 'down' });
    vi.advanceTimersByTime(FIRST_BACKOFF_MS);
    expect(c.up()).toBe(true);
    expect(lines.find((l) => l.event === 'capture_up')?.reopened_by).toBe('timer');
    c.stop();

    const link = standInLinkWatch();
    const any = new CaptureController({
      options: { ...OPTIONS, interfaceName: 'any' },
      open: () => new StandInSource({ received: 0, droppedKernel: 0, droppedInterface: 0, droppedQueue: 0 }),
      sink: { onFrame: () => undefined },
      log: quiet(),
      watchLink: link.watchLink,
    });
    any.start();
    expect(link.names).toEqual([]);
    any.stop();
  });

  it('a failed link watch is closed and the timer goes on', () => {
    vi.useFakeTimers();
    const link = standInLinkWatch();
    const { c, opened } = controller({ watchLink: link.watchLink });
    c.start();
    link.emit('error');
    expect(link.closed()).toBe(true);
    opened[0].fault?.({ reason: 'interface_down', message: 'down' });
    vi.advanceTimersByTime(FIRST_BACKOFF_MS);
    expect(c.up()).toBe(true);
    c.stop();
  });

  it('reopenNow (SIGHUP): a no-op while running, an immediate retry while down', () => {
    vi.useFakeTimers();
    const { c, opened, state } = controller();
    c.start();
    expect(c.reopenNow('SIGHUP')).toBe(true);
    expect(state.opens).toBe(1);
    opened[0].fault?.({ reason: 'interface_down', message: 'down' });
    state.failNext = 1;
    expect(c.reopenNow('SIGHUP')).toBe(false); // fails: the backoff timer takes over, one step further
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 2 - 1);
    expect(c.up()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(c.up()).toBe(true);
    expect(state.opens).toBe(3);
    c.stop();
    expect(c.reopenNow('SIGHUP')).toBe(false); // stopped: never reopens
    expect(state.opens).toBe(3);
  });
});

describe('local addresses', () => {
  it('reads this namespace: loopback is local', () => {
    const nets = readInterfaceNetworks().map((n) => n.text);
    expect(nets).toContain('127.0.0.1/32');
  });

  it('updates the networks when the addresses change, keeping --local-net', () => {
    const local = new LocalNets();
    let addrs = ['192.0.2.1/32'];
    const w = new LocalAddressWatcher(local, [parseCidr('203.0.113.0/24')], quiet(), () => addrs.map(parseCidr));
    w.refresh();
    expect(local.contains(parseAddress('192.0.2.1') as Uint32Array)).toBe(true);
    expect(local.contains(parseAddress('203.0.113.9') as Uint32Array)).toBe(true);
    addrs = ['2001:db8::1/128'];
    w.refresh();
    expect(local.contains(parseAddress('192.0.2.1') as Uint32Array)).toBe(false);
    expect(local.contains(parseAddress('2001:db8::1') as Uint32Array)).toBe(true);
  });
});

describe('lookUpUser', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';
  it('finds a user by name or id', () => {
    expect(lookUpUser('nobody', passwd)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
    expect(lookUpUser('0', passwd)).toEqual({ name: 'root', uid: 0, gid: 0 });
    expect(lookUpUser('4242', passwd)).toEqual({ name: '4242', uid: 4242, gid: 4242 });
  });
  it('rejects an unknown name with a clear error', () => {
    expect(() => lookUpUser('ghost', passwd)).toThrow(/no user 'ghost'/);
  });
});

describe('SinkErrorLog', () => {
  it('logs the pipeline throwing once per check that finds new errors, with the last error', () => {
    const { log, lines } = recordingLogger();
    const source = { count: 0, last: undefined as unknown, sinkErrors: () => source.count, lastSinkError: () => source.last };
    const errors = new SinkErrorLog(source, log);
    expect(errors.check()).toBe(0);
    source.count = 5;
    source.last = new Error('boom in the tracker');
    expect(errors.check()).toBe(5);
    expect(errors.check()).toBe(0); // nothing new: no second line
    source.count = 7;
    expect(errors.check()).toBe(2);
    const logged = lines.filter((l) => l.event === 'sink_errors');
    expect(logged.map((l) => [l.new, l.total, l.level])).toEqual([
      [5, 5, 'error'],
      [2, 7, 'error'],
    ]);
    expect((logged[0]!.err as { message: string }).message).toBe('boom in the tracker');
  });
});
