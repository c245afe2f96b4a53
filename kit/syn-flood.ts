/**
 * SYN floods for the memory test and the live benchmark: IPv4 SYNs crafted in one reused frame and
 * put on a veth end with the native addon's pcap_inject (the addon's one hatch for tests), at a
 * bounded rate, counted. Run inside the client namespace of a pair (kit/netns.ts), through tsx
 * (bench/live-bench.ts instead writes the same frames, `synFrames`, to a pcap for tcpreplay):
 *
 *   syn-flood.ts IFACE PLAN_JSON      prints {"sent":N,"seconds":S} on stdout, exits 0
 *
 * Two kinds of flood (`FloodPlan.kind`):
 * - `scan`: one SYN to each destination port in [firstPort, lastPort], from one source address and
 *   port, like `nmap -sS -p-`: every SYN is a distinct attempt, and to a closed port the server's
 *   kernel answers each with a RST.
 * - `random`: `count` SYNs (at most 2^24) to one destination port, each from a different source
 *   address in 10.0.0.0/8 (a bijective mix of the SYN's index, so that no two SYNs share a tuple
 *   and every one is an attempt: a random-source flood that fills and churns the attempt table).
 *   The sources are ordinary unicast addresses: a kernel drops SYNs from martian sources (0/8,
 *   127/8, multicast) unanswered, and answers these with a RST when the port is closed.
 *
 * Checksums (IPv4 header and TCP) are correct on every frame: the kernel drops a SYN with a wrong
 * one and answers nothing. Every flood is bounded in count and, by `maxSeconds`, in time.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ethernet, parseIpv4, tcp4 } from './craft.js';

/** What one flood sends. */
export interface FloodPlan {
  kind: 'scan' | 'random';
  /** Ethernet source and destination (the two veth ends). */
  srcMac: string;
  dstMac: string;
  /** IPv4 source (scan; random uses it only as a template) and destination. */
  src: string;
  dst: string;
  /** scan: first and last destination port, and the one source port. */
  firstPort?: number;
  lastPort?: number;
  sport?: number;
  /** random: SYNs to send, the destination port, and a seed that picks the sources. */
  count?: number;
  dport?: number;
  seed?: number;
  /** SYNs per second at most (0: as fast as pcap_inject goes). */
  ratePps: number;
  /** Stop after this long, whatever is left, seconds. */
  maxSeconds: number;
}

/** What the flood did. */
export interface FloodReport {
  sent: number;
  seconds: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADDON = join(ROOT, 'native/build/Release/rstwatch_pcap.node');
/** Offsets in the Ethernet + IPv4 (20 bytes) + TCP frame. */
const IP = 14;
const TCP = IP + 20;
/** SYNs injected between two checks of the clock and the rate. */
const BATCH = 256;

/** A 24-bit bijection (odd multiplications and xor-shifts within 24 bits): distinct inputs below 2^24 give distinct outputs. */
function mix24(x: number): number {
  x = Math.imul(x, 0x9e3779) & 0xffffff;
  x ^= x >>> 12;
  x = Math.imul(x, 0x85ebcb) & 0xffffff;
  x ^= x >>> 11;
  return x;
}

/** The one's-complement sum of `b[from, to)` as 16-bit words, not folded. */
function sum16(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | b[i + 1];
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Rewrites the frame's source address and ports, then both checksums. */
function setTuple(f: Uint8Array, src: number, sport: number, dport: number): void {
  f[IP + 12] = src >>> 24;
  f[IP + 13] = (src >>> 16) & 0xff;
  f[IP + 14] = (src >>> 8) & 0xff;
  f[IP + 15] = src & 0xff;
  f[TCP] = sport >> 8;
  f[TCP + 1] = sport & 0xff;
  f[TCP + 2] = dport >> 8;
  f[TCP + 3] = dport & 0xff;
  f[IP + 10] = 0;
  f[IP + 11] = 0;
  const ipSum = fold(sum16(f, IP, TCP));
  f[IP + 10] = ipSum >> 8;
  f[IP + 11] = ipSum & 0xff;
  f[TCP + 16] = 0;
  f[TCP + 17] = 0;
  // Pseudo-header: source, destination, protocol 6, TCP length 20.
  const tcpSum = fold(sum16(f, IP + 12, IP + 20) + 6 + 20 + sum16(f, TCP, TCP + 20));
  f[TCP + 16] = tcpSum >> 8;
  f[TCP + 17] = tcpSum & 0xff;
}

function u32(address: string): number {
  const b = parseIpv4(address);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

/** The SYNs of a plan, in order: `at(i, out)` writes SYN number i's source, source port and destination port into `out`; `total` is how many. */
function tuples(plan: SynPlan): { total: number; at: (i: number, out: Int32Array) => void } {
  if (plan.kind === 'scan') {
    const first = plan.firstPort ?? 1;
    const last = plan.lastPort ?? 65535;
    const src = u32(plan.src) | 0;
    const sport = plan.sport ?? 40000;
    return {
      total: last - first + 1,
      at: (i, out) => {
        out[0] = src;
        out[1] = sport;
        out[2] = first + i;
      },
    };
  }
  const seed = plan.seed ?? 1;
  const dport = plan.dport ?? 9;
  return {
    total: Math.min(plan.count ?? 0, 1 << 24),
    at: (i, out) => {
      // Distinct i -> distinct addresses in 10.0.0.0/8: a bijection of (i + seed) mod 2^24.
      out[0] = 0x0a000000 | mix24((i + seed) & 0xffffff) | 0;
      out[1] = 1024 + (i % 64_000);
      out[2] = dport;
    },
  };
}

/** What a plan's frames depend on: the plan without its pacing. */
export type SynPlan = Omit<FloodPlan, 'ratePps' | 'maxSeconds'>;

/**
 * A plan's SYNs as one Ethernet frame (54 bytes) rewritten in place: `put(i)` makes `frame` the
 * plan's SYN number i (0 <= i < `total`), tuple and both checksums. The frame is owned here and
 * overwritten by every `put`: copy it (or write it out) before the next call.
 */
export interface SynFrames {
  readonly total: number;
  readonly frame: Uint8Array;
  put(i: number): void;
}

/** The reused frame and its rewriter for `plan` (see SynFrames); the injector and bench/live-bench.ts's pcap writer share it. */
export function synFrames(plan: SynPlan): SynFrames {
  const frame = ethernet(tcp4({ src: plan.src, dst: plan.dst, sport: 1, dport: 1, flags: 'S', seq: 0x1000 }), { src: plan.srcMac, dst: plan.dstMac });
  const { total, at } = tuples(plan);
  const t = new Int32Array(3);
  return {
    total,
    frame,
    put: (i) => {
      at(i, t);
      setTuple(frame, t[0] >>> 0, t[1], t[2]);
    },
  };
}

/** Injects the plan's SYNs on `iface` (call inside the sending namespace); see the module comment. */
export async function flood(iface: string, plan: FloodPlan): Promise<FloodReport> {
  const addon = createRequire(import.meta.url)(ADDON) as {
    open(o: object): { handle: unknown };
    inject(h: unknown, f: Uint8Array): number;
    close(h: unknown): void;
  };
  const cap = addon.open({ interfaceName: iface, snaplen: 64, promiscuous: false, immediate: true, bufferBytes: 1 << 16, timeoutMs: 10, maxBatchFrames: 16 });
  const { total, frame, put } = synFrames(plan);
  const t0 = performance.now();
  const end = t0 + plan.maxSeconds * 1000;
  let sent = 0;
  try {
    while (sent < total) {
      const stop = Math.min(total, sent + BATCH);
      for (; sent < stop; sent++) {
        put(sent);
        addon.inject(cap.handle, frame);
      }
      const now = performance.now();
      if (now > end) break;
      // Ahead of the rate: wait until the schedule catches up (bounded by maxSeconds above).
      const due = plan.ratePps > 0 ? t0 + (sent / plan.ratePps) * 1000 : now;
      if (due > now + 1) await new Promise((r) => setTimeout(r, due - now));
    }
  } finally {
    addon.close(cap.handle);
  }
  return { sent, seconds: (performance.now() - t0) / 1000 };
}

/** The command-line entry: `syn-flood.ts IFACE PLAN_JSON`. */
async function main(): Promise<void> {
  const [iface, planJson] = process.argv.slice(2);
  const report = await flood(iface, JSON.parse(planJson) as FloodPlan);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`);
    process.exitCode = 1;
  });
}
