import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FrameSink } from '../../src/capture/frame-sink.js';
import type { CaptureFault, CaptureStats, LiveCaptureOptions, PacketSource } from '../../src/capture/packet-source.js';
import { RstwatchError } from '../../src/base/errors.js';
import { CaptureController, FIRST_BACKOFF_MS } from '../../src/live/capture-controller.js';
import { LocalAddressWatcher, readInterfaceNetworks } from '../../src/live/local-addresses.js';
import { lookUpUser } from '../../src/live/privileges.js';
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
  closed = false;
  fault: ((f: CaptureFault) => void) | undefined;
  constructor(private readonly s: CaptureStats) {}
  start(_sink: FrameSink, onFault: (f: CaptureFault) => void): void {
    this.fault = onFault;
  }
  stats(): CaptureStats {
    return this.s;
  }
  close(): void {
    this.closed = true;
  }
}

describe('CaptureController', () => {
  afterEach(() => vi.useRealTimers());

  it('on a fault: down, reopened with growing backoff, stats cumulative', () => {
    vi.useFakeTimers();
    const opened: StandInSource[] = [];
    let failNext = 0;
    const open = (): PacketSource => {
      if (failNext > 0) {
        failNext--;
        throw new RstwatchError('RSTWATCH_ERR_CAPTURE_OPEN' as never, 'no such device');
      }
      const s = new StandInSource({ received: 10, droppedKernel: 1, droppedInterface: 0 });
      opened.push(s);
      return s;
    };
    const c = new CaptureController(OPTIONS, open, { onFrame: () => undefined }, quiet());
    c.start();
    expect(c.up()).toBe(true);
    opened[0].sinkErrors = 3;
    expect(c.sinkErrors()).toBe(3);
    failNext = 2;
    opened[0].fault?.({ reason: 'interface_gone', message: 'The interface disappeared' });
    expect(c.up()).toBe(false);
    expect(opened[0].closed).toBe(true);
    expect(c.stats()).toEqual({ received: 10, droppedKernel: 1, droppedInterface: 0 });
    expect(c.sinkErrors()).toBe(3); // the closed handle's count is kept
    vi.advanceTimersByTime(FIRST_BACKOFF_MS); // first retry fails
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 2); // second retry fails
    expect(c.up()).toBe(false);
    vi.advanceTimersByTime(FIRST_BACKOFF_MS * 4 - 1);
    expect(c.up()).toBe(false);
    vi.advanceTimersByTime(1); // third retry opens
    expect(c.up()).toBe(true);
    expect(c.stats()).toEqual({ received: 20, droppedKernel: 2, droppedInterface: 0 });
    opened[1].sinkErrors = 2;
    expect(c.sinkErrors()).toBe(5);
    expect(c.opens).toBe(2);
    c.stop();
    expect(c.up()).toBe(false);
    expect(opened[1].closed).toBe(true);
  });

  it('stop() cancels a pending reopen', () => {
    vi.useFakeTimers();
    let opens = 0;
    const sources: StandInSource[] = [];
    const c = new CaptureController(
      OPTIONS,
      () => {
        opens++;
        const s = new StandInSource({ received: 0, droppedKernel: 0, droppedInterface: 0 });
        sources.push(s);
        return s;
      },
      { onFrame: () => undefined },
      quiet(),
    );
    c.start();
    sources[0].fault?.({ reason: 'interface_down', message: 'down' });
    c.stop();
    vi.advanceTimersByTime(60_000);
    expect(opens).toBe(1);
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
