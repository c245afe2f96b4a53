/**
 * Live capture for real: two network namespaces joined by a veth, a listener, a closed port,
 * iptables/ip6tables REJECT tcp-reset and REJECT port-unreachable rules, kernel traffic from the
 * client namespace, and captures in the server namespace (the native backend, the cap backend and
 * tcpdump at once, each in its own process). The frames captured go through the real pipeline
 * (decodeFrame -> PipelineSink -> Tracker) and must give the exact attempt counts per port.
 *
 * VLAN: the test kernel has no 802.1Q support (CONFIG_VLAN_8021Q is off, so no VLAN
 * sub-interface can exist), so tagged conversations are crafted (kit/craft.ts) and put on
 * the wire of the client's veth end with pcap_inject: the server's end receives real tagged frames
 * (one tag, and QinQ), with data segments, pure ACKs, FINs and UDP among them.
 *
 * Then: `any` (LINUX_SLL2), a burst of SYNs (batches), and the interface going down and away
 * while captured. Needs root: without it every test fails with a message, none is skipped.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FILTER, DEFAULT_SNAPLEN } from '../../src/capture/bpf-filter.js';
import { ethernet, icmp4Unreach, icmp6Unreach, tcp4, tcp6, udp4, udp6 } from '../../kit/craft.js';
import { createNetnsPair, requireRoot, type NetnsPair } from '../../kit/netns.js';
import { burst, CaptureChild, connect, inject, serve, type ChildLine, sendUdp } from './live-helpers.js';
import { sleep } from '../../kit/wait.js';

const N = 3;
/**
 * Port blocks: x0 listening, x1 closed, x2 REJECT tcp-reset, x3 REJECT port-unreachable (real
 * kernel traffic, v4 and v6); the VLAN and QinQ blocks are crafted conversations with the same
 * answers (x2 answered by a bare RST, as a reset firewall sends).
 */
const BLOCKS = { v4: 8080, v6: 9080, vlan4: 7080, vlan6: 7180, qinq4: 6080, qinq6: 6180 } as const;
const TAGGED = ['vlan4', 'vlan6', 'qinq4', 'qinq6'] as const;
const offsets = [0, 1, 2, 3] as const;

/**
 * N crafted conversations per port of a tagged block: SYN + SYN-ACK + ACK + data + FIN (accepted),
 * SYN + RST-ACK, SYN + RST, SYN + ICMP port unreachable; plus one UDP datagram per attempt.
 */
function craftBlock(base: number, v6: boolean, vlans: number[]): Uint8Array[] {
  const cl = v6 ? '2001:db8:c1:100::1' : '203.0.113.1';
  const sv = v6 ? '2001:db8:c1:100::2' : '203.0.113.2';
  const tcp = v6 ? tcp6 : tcp4;
  const l2 = (p: Uint8Array): Uint8Array => ethernet(p, { vlans, qinq: vlans.length > 1, padTo: 60 });
  const frames: Uint8Array[] = [];
  for (let i = 0; i < N; i++) {
    const sport = 41000 + i;
    const seq = 1000 * (i + 1);
    const syn = (dport: number): Uint8Array => tcp({ src: cl, dst: sv, sport, dport, flags: 'S', seq });
    const back = (sp: number, flags: string, extra: object = {}): Uint8Array =>
      l2(tcp({ src: sv, dst: cl, sport: sp, dport: sport, flags, seq: 5000, ack: seq + 1, ...extra }));
    frames.push(l2(syn(base)), back(base, 'S.'));
    frames.push(l2(tcp({ src: cl, dst: sv, sport, dport: base, flags: '.', seq: seq + 1, ack: 5001 })));
    frames.push(l2(tcp({ src: cl, dst: sv, sport, dport: base, flags: 'P.', seq: seq + 1, ack: 5001, payload: Buffer.from('ping\n') })));
    frames.push(back(base, 'P.', { seq: 5001, payload: Buffer.from('pong\n') }), back(base, 'F.', { seq: 5006 }));
    frames.push(l2(syn(base + 1)), back(base + 1, 'R.', { seq: 0 }));
    frames.push(l2(syn(base + 2)), back(base + 2, 'R', { seq: 0, ack: 0 }));
    const quote = syn(base + 3);
    frames.push(l2(quote));
    frames.push(l2(v6 ? icmp6Unreach({ src: sv, dst: cl, quote }) : icmp4Unreach({ src: sv, dst: cl, quote })));
    frames.push(l2(v6 ? udp6({ src: cl, dst: sv, sport, dport: 5353 }) : udp4({ src: cl, dst: sv, sport, dport: 5353 })));
  }
  return frames;
}

/**
 * What the tracker must count for each port of a block after N connects each. Over IPv6 the
 * kernel re-sends the SYN once after the ICMPv6 port unreachable (pcaps/README.md,
 * netns-refusals-v6.pcap): each connect to x3 is two attempts there.
 */
function expectedCounts(base: number): Record<number, ChildLine> {
  const zero = { attempts: N, synRetransmits: 0, accepted: 0, refused: 0, icmpPortUnreachable: 0, icmpOther: 0 };
  const icmpAttempts = base === BLOCKS.v6 ? 2 * N : N;
  return {
    [base]: { ...zero, accepted: N },
    [base + 1]: { ...zero, refused: N },
    [base + 2]: { ...zero, refused: N },
    [base + 3]: { ...zero, attempts: icmpAttempts, icmpPortUnreachable: icmpAttempts },
  };
}

function pick(ports: ChildLine, base: number): ChildLine {
  const out: ChildLine = {};
  for (const o of offsets) out[base + o] = ports[base + o];
  return out;
}

let net: NetnsPair;
let server: ChildProcess | undefined;
const hosts = (): Record<'v4' | 'v6', string> => ({ v4: net.addr.server4, v6: net.addr.server6 });

/** N kernel attempts to each port of each block; returns the client's outcomes per port. */
function traffic(blocks: ('v4' | 'v6')[]): Record<number, string[]> {
  const out: Record<number, string[]> = {};
  const h = hosts();
  for (const b of blocks) for (const o of offsets) out[BLOCKS[b] + o] = connect(net, h[b], BLOCKS[b] + o, N);
  return out;
}

beforeAll(async () => {
  requireRoot('test/capture/live-capture.test.ts');
  net = createNetnsPair({ tag: 'lcap', subnet: 'c1' });
  const ipt = (cmd: string, ports: string, reject: string): void => {
    net.exec(net.server, cmd, ['-A', 'INPUT', '-p', 'tcp', '-m', 'multiport', '--dports', ports, '-j', 'REJECT', '--reject-with', reject]);
  };
  ipt('iptables', String(BLOCKS.v4 + 2), 'tcp-reset');
  ipt('iptables', String(BLOCKS.v4 + 3), 'icmp-port-unreachable');
  ipt('ip6tables', String(BLOCKS.v6 + 2), 'tcp-reset');
  ipt('ip6tables', String(BLOCKS.v6 + 3), 'icmp6-port-unreachable');
  server = await serve(net, [BLOCKS.v4, BLOCKS.v6]);
}, 60_000);

afterAll(() => {
  net?.destroy();
});

describe('one run of traffic on the server veth, captured by native, cap and tcpdump at once', () => {
  let native: ChildLine;
  let cap: ChildLine;
  let nativeReady: ChildLine;
  let capReady: ChildLine;
  let tcpdumpCount = -1;
  let outcomes: Record<number, string[]> = {};
  let injected = 0;
  let nativeExit: { code: number | null; signal: string | null };

  beforeAll(async () => {
    const nativeChild = await CaptureChild.start(net, net.server, { backend: 'native', interfaceName: net.serverIf });
    const capChild = await CaptureChild.start(net, net.server, { backend: 'cap', interfaceName: net.serverIf });
    nativeReady = nativeChild.lines[0];
    capReady = capChild.lines[0];
    const tcpdump = net.spawn(
      net.server,
      'tcpdump',
      // MLD reports (IPv6 hop-by-hop) come at times of their own: left out, so that the counts
      // compare although tcpdump starts after and stops before the native capture. (The
      // exclusion comes first: libpcap's `vlan` shifts the offsets of everything after it.)
      ['-n', '-i', net.serverIf, '-s', String(DEFAULT_SNAPLEN), '--immediate-mode', '-w', '/dev/null', `not (ip6 and ip6[6] == 0) and (${DEFAULT_FILTER})`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let tcpdumpErr = '';
    tcpdump.stderr?.on('data', (c: Buffer) => (tcpdumpErr += c.toString()));
    const tcpdumpDone = new Promise<void>((resolve) => tcpdump.on('exit', () => resolve()));
    // tcpdump says "listening on" once its capture is open.
    for (let i = 0; i < 100 && !tcpdumpErr.includes('listening on'); i++) await sleep(50);

    outcomes = traffic(['v4', 'v6']);
    const tagged = [
      ...craftBlock(BLOCKS.vlan4, false, [100]),
      ...craftBlock(BLOCKS.vlan6, true, [100]),
      ...craftBlock(BLOCKS.qinq4, false, [200, 100]),
      ...craftBlock(BLOCKS.qinq6, true, [200, 100]),
    ];
    injected = inject(net, net.client, net.clientIf, tagged);
    // Data the filter must drop: UDP over both families (and the listener's echo, above).
    sendUdp(net, net.addr.server4, 5353, 5);
    sendUdp(net, net.addr.server6, 5353, 5);
    await sleep(500);

    tcpdump.kill('SIGINT');
    await Promise.race([tcpdumpDone, sleep(5000)]);
    const m = /(\d+) packets? captured/.exec(tcpdumpErr);
    tcpdumpCount = m ? Number(m[1]) : -1;
    const n = await nativeChild.closeAndExit();
    native = n.report;
    nativeExit = n.exit;
    // cap's fixed 1000 ms read timeout can hold the last frames that long (docs/capture.md).
    await sleep(1500);
    cap = (await capChild.closeAndExit()).report;
  }, 90_000);

  it('the client saw each port behave as set up (the traffic is what the counts assume)', () => {
    expect(injected).toBe(TAGGED.length * N * 13);
    for (const base of [BLOCKS.v4, BLOCKS.v6]) {
      expect(outcomes[base]).toEqual(Array(N).fill('connected'));
      expect(outcomes[base + 1]).toEqual(Array(N).fill('ECONNREFUSED'));
      expect(outcomes[base + 2]).toEqual(Array(N).fill('ECONNREFUSED'));
      // Linux maps ICMP port unreachable to ECONNREFUSED as well.
      expect(outcomes[base + 3]).toEqual(Array(N).fill('ECONNREFUSED'));
    }
  });

  it('native: Ethernet link type, the VLAN-aware default filter, no warnings', () => {
    expect(nativeReady.linkType).toBe(1);
    expect(nativeReady.filter).toBe(DEFAULT_FILTER);
    expect(nativeReady.warnings).toEqual([]);
  });

  it.each(Object.entries(BLOCKS))('native: exact attempt counts per port, %s', (_name, base) => {
    expect(pick(native.ports, base)).toEqual(expectedCounts(base));
  });

  it('native: only the tracked ports appear (nothing else was counted as an attempt)', () => {
    const all = Object.values(BLOCKS).flatMap((b) => offsets.map((o) => String(b + o)));
    expect(Object.keys(native.ports).sort()).toEqual(all.sort());
  });

  it('native: the default filter passes SYN, SYN-ACK, RST, ICMP and ICMPv6 unreachables, tagged and untagged', () => {
    const blocks = Object.keys(BLOCKS).length;
    // Per block: 4N SYNs, N SYN-ACKs (listener), 2N RSTs (closed port, tcp-reset), N ICMP errors;
    // plus, over IPv6, the SYN the kernel re-sends after the ICMPv6 error, and its second error.
    expect(native.seen.syn).toBe(blocks * 4 * N + N);
    expect(native.seen.synAck).toBe(blocks * N);
    expect(native.seen.rst).toBe(blocks * 2 * N);
    expect(native.seen.icmpUnreach).toBe(blocks * N + N);
    // Tagged blocks: every one of their frames that passes arrives with its tags.
    expect(native.seen.vlanTagged).toBe(TAGGED.length * (4 * N + N + 2 * N + N));
    expect(native.sinkErrors).toBe(0);
  });

  it('native: the default filter drops data segments, pure ACKs, FINs and UDP', () => {
    // The listener echoes "pong" to each "ping" (and the crafted blocks carry data, ACKs, FINs):
    // none of it may arrive.
    expect(native.seen.tcpOther).toBe(0);
    // No UDP (v4 protocol / v6 next header 17). What passes without being tracked: the port
    // unreachables the server sends for the UDP datagrams (ICMP type 3 / ICMPv6 type 1 quoting UDP,
    // 5 each: the filter cannot see what they quote), and IPv6 packets with an extension header
    // (MLD reports carry hop-by-hop options: next header 0).
    const { 'v4:1': icmp4, 'v6:58': icmp6, ...rest } = native.notTrackedProtocols as Record<string, number>;
    expect([icmp4, icmp6]).toEqual([5, 5]);
    for (const key of Object.keys(rest)) expect(key).toMatch(/^v6:(0|43|44|51|60)$/);
  });

  it('native: delivered exactly what tcpdump captured with the same filter and snaplen (MLD aside)', () => {
    expect(tcpdumpCount).toBeGreaterThan(0);
    expect(native.frames - (native.notTrackedProtocols['v6:0'] ?? 0)).toBe(tcpdumpCount);
    expect(native.packets).toBe(native.frames);
  });

  it('native: stats() counts at least the frames delivered, no drops at this rate', () => {
    expect(native.stats.received).toBeGreaterThanOrEqual(native.frames);
    expect(native.stats.droppedKernel).toBe(0);
    expect(native.stats.droppedInterface).toBe(0);
    expect(native.statsSupported).toBe(true);
  });

  it('native: close() lets the process exit on its own (the poll handle is released)', () => {
    expect(nativeExit).toEqual({ code: 0, signal: null });
  });

  it('cap: the same counts on the same traffic', () => {
    expect(capReady.linkType).toBe(1);
    // Every frame the tracker uses, and so every count, is the same. Of the untracked frames, the
    // MLD reports (IPv6 with a hop-by-hop header, v6:0) are sent by the kernel on its own schedule,
    // and the two captures do not start and end at the same instant (cap's fixed 1000 ms read
    // timeout, docs/capture.md), so they are left out: everything else both saw exactly alike.
    const { notTracked: capOther, ...capTracked } = cap.seen as Record<string, number>;
    const { notTracked: nativeOther, ...nativeTracked } = native.seen as Record<string, number>;
    expect(capTracked).toEqual(nativeTracked);
    const { 'v6:0': capMld = 0, ...capUntracked } = cap.notTrackedProtocols as Record<string, number>;
    const { 'v6:0': nativeMld = 0, ...nativeUntracked } = native.notTrackedProtocols as Record<string, number>;
    expect(capUntracked).toEqual(nativeUntracked);
    expect(capOther - capMld).toBe(nativeOther - nativeMld);
    expect(cap.ports).toEqual(native.ports);
    expect(cap.statsSupported).toBe(false);
    expect(cap.stats).toEqual({ received: 0, droppedKernel: 0, droppedInterface: 0, droppedQueue: 0 });
    expect(capReady.warnings.join('\n')).toMatch(/Date\.now\(\)/);
  });
});

describe('native on `any` inside the server namespace', () => {
  let ready: ChildLine;
  let report: ChildLine;

  beforeAll(async () => {
    const child = await CaptureChild.start(net, net.server, { backend: 'native', interfaceName: 'any' });
    ready = child.lines[0];
    traffic(['v4', 'v6']);
    await sleep(500);
    report = (await child.closeAndExit()).report;
  }, 60_000);

  it('asks for LINUX_SLL2 (276) and uses the untagged filter', () => {
    expect(ready.linkType).toBe(276);
    expect(ready.filter).not.toContain('vlan');
    expect(ready.warnings).toEqual([]);
    expect(Object.keys(report.linkTypes)).toEqual(['276']);
  });

  it.each([
    ['v4', BLOCKS.v4],
    ['v6', BLOCKS.v6],
  ])('the same exact counts per port, %s', (_name, base) => {
    expect(pick(report.ports, base)).toEqual(expectedCounts(base));
  });

  it('drops data segments here too; no drops', () => {
    expect(report.seen.tcpOther).toBe(0);
    expect(report.stats.droppedKernel).toBe(0);
  });
});

describe('batches: one JavaScript call per batch', () => {
  it.each([
    ['immediate mode off', { immediate: false, timeoutMs: 50 }],
    ['immediate mode on', { immediate: true }],
  ])(
    'a burst of 2000 refused SYNs arrives in batches of more than one frame (%s)',
    async (_name, opts) => {
      const child = await CaptureChild.start(net, net.server, { backend: 'native', interfaceName: net.serverIf, ...opts });
      const ended = burst(net, net.addr.server4, BLOCKS.v4 + 1, 2000);
      expect(ended).toBe(2000);
      await sleep(500);
      const { report } = await child.closeAndExit();
      expect(report.ports[BLOCKS.v4 + 1].attempts).toBe(2000);
      expect(report.ports[BLOCKS.v4 + 1].refused).toBe(2000);
      expect(report.frames).toBe(4000);
      expect(report.frames / report.batches).toBeGreaterThan(1);
      expect(report.stats.droppedKernel).toBe(0);
      expect(report.stats.received).toBeGreaterThanOrEqual(4000);
      expect(report.sinkErrors).toBe(0);
    },
    60_000,
  );

  it('a sink that throws is counted once per batch, never reaches native code, and the rest of the batch is delivered', async () => {
    const child = await CaptureChild.start(net, net.server, {
      backend: 'native',
      interfaceName: net.serverIf,
      immediate: false,
      timeoutMs: 50,
      throwEvery: 7,
    });
    expect(burst(net, net.addr.server4, BLOCKS.v4 + 1, 1000)).toBe(1000);
    await sleep(500);
    const { report, exit } = await child.closeAndExit();
    // The pipeline saw every frame: the frames after a throw in the same batch were delivered.
    expect(report.ports[BLOCKS.v4 + 1].refused).toBe(1000);
    expect(report.sinkErrors).toBeGreaterThan(0);
    expect(report.sinkErrors).toBeLessThanOrEqual(Math.min(report.batches, Math.floor(report.frames / 7)));
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe('the interface goes down or away while captured', () => {
  // A second veth pair inside the server namespace (rwx0 <-> rwx1): it can be set down and deleted
  // without touching the pair the other tests use; the last test deletes that one too.
  const spare = 'rwx0';
  beforeAll(() => {
    net.exec(net.server, 'ip', ['link', 'add', spare, 'type', 'veth', 'peer', 'name', 'rwx1']);
    net.exec(net.server, 'ip', ['link', 'set', spare, 'up']);
    net.exec(net.server, 'ip', ['link', 'set', 'rwx1', 'up']);
  });

  /** Starts a capture on `iface`, runs `action`, and expects one fault, a clean close and a normal exit. */
  async function faultOn(iface: string, action: () => void): Promise<ChildLine> {
    const child = await CaptureChild.start(net, net.server, { backend: 'native', interfaceName: iface });
    expect(child.lines[0].ready).toBe(true);
    action();
    const line = await child.waitFor((l) => l.fault !== undefined, 10_000, 'fault');
    expect(line.closeOk).toBe(true);
    expect(line.fault.message).toContain(iface);
    child.proc.stdin?.end();
    // No abort, no open handle left: the process ends on its own with status 0.
    expect(await child.exited(10_000)).toEqual({ code: 0, signal: null });
    expect(child.lines.filter((l) => l.fault !== undefined)).toHaveLength(1);
    return line;
  }

  it("`ip link set down` -> onFault(interface_down) with libpcap's message", async () => {
    const line = await faultOn(spare, () => net.exec(net.server, 'ip', ['link', 'set', spare, 'down']));
    expect(line.fault.reason).toBe('interface_down');
    expect(line.fault.message).toMatch(/went down|disappeared|network is down/i);
    net.exec(net.server, 'ip', ['link', 'set', spare, 'up']);
  });

  it("cap (documented limit): the interface going down aborts the whole process (SIGABRT in cap's poll callback)", async () => {
    const child = await CaptureChild.start(net, net.server, { backend: 'cap', interfaceName: spare });
    expect(child.lines[0].ready).toBe(true);
    net.exec(net.server, 'ip', ['link', 'set', spare, 'down']);
    expect(await child.exited(10_000)).toEqual({ code: null, signal: 'SIGABRT' });
    expect(child.stderr).toMatch(/Assertion `status == 0' failed/);
    net.exec(net.server, 'ip', ['link', 'set', spare, 'up']);
  });

  it('a deleted interface -> onFault(interface_gone)', async () => {
    const line = await faultOn(spare, () => net.exec(net.server, 'ip', ['link', 'del', spare]));
    expect(line.fault.reason).toBe('interface_gone');
  });

  it('the deleted main veth -> onFault(interface_gone), the frames before it delivered', async () => {
    const line = await faultOn(net.serverIf, () => {
      connect(net, net.addr.server4, BLOCKS.v4 + 1, 1);
      spawnSync('sleep', ['0.3']);
      net.exec(net.server, 'ip', ['link', 'del', net.serverIf]);
    });
    expect(line.fault.reason).toBe('interface_gone');
    expect(line.report.ports[BLOCKS.v4 + 1].refused).toBe(1);
    void server;
  });
});
