/**
 * tshark oracle: an independent reference count of connection attempts, per SEMANTICS.md.
 *
 * It shares nothing with rstwatch's decoders or tracker. Wireshark's dissectors (via tshark) turn a
 * capture into a list of events; `countAttempts` then applies the rules of SEMANTICS.md in the
 * plainest way we could write them (one Map from tuple to attempt, no clever data structures).
 * The replay tests compare rstwatch's per-port counts, its pairs and its timeline with this.
 *
 * Two halves:
 *   1. `tsharkEvents(file)`  – run tshark once, turn each line into an `OracleEvent` (or drop it).
 *   2. `countAttempts(events, opts)` – pure state machine, unit-tested on hand-written events;
 *      `countPairs` and `countTimeline` group its attempts by (server, server port, client) and by
 *      time bucket of their first SYN.
 *
 * Times are exact: integer nanoseconds since the epoch (bigint), read from tshark's decimal
 * `frame.time_epoch` text, so that a SYN at 12.001000 s falls in the millisecond bucket that
 * starts at 12.001 s (a double holds 1e9-scale epoch times only to about 0.2 us, and rounds such
 * a boundary either way). Addresses are canonical text (`canonicalAddress`: IPv4 dotted, IPv6 as
 * RFC 5952 section 4 writes it, IPv4-mapped IPv6 as `::ffff:192.0.2.1` per its section 5), made
 * here from the text tshark prints, with no code shared with rstwatch's src/net/address.ts.
 *
 * What counts as a TCP frame (chosen to match rstwatch, which decodes only the outer IP header):
 *   - the first network layer tshark finds (after Ethernet, 802.1Q, SLL/SLL2, NULL, raw IP...) is
 *     IPv4 or IPv6, and, after any IPv6 extension headers, its payload is TCP itself. IP-in-IP,
 *     GRE and other tunnels are therefore NOT TCP frames for the oracle (none of the shared
 *     captures contains one; this was checked with frame.protocols on every file).
 *   - IP reassembly is switched off (`ip.defragment:FALSE`, `ipv6.defragment:FALSE`). With it on
 *     (tshark's default) the TCP header of a fragmented datagram shows up on the LAST fragment's
 *     frame and the first fragment is `data`; with it off, the first fragment (offset 0, MF set)
 *     is dissected as TCP, as a decoder that reads the outer header would, and non-first fragments
 *     are `data`. A frame whose outer IPv4 header has a non-zero fragment offset is also dropped
 *     explicitly. (No shared capture has fragments; the test builds one to check this.)
 * What counts as an ICMP error: an outer ICMPv4 type 3 quoting IPv4+TCP, or ICMPv6 type 1 quoting
 * IPv6+TCP. tshark dissects the quoted headers too, so `ip.src`/`ipv6.src` etc. then have two
 * occurrences: the outer one first, the quoted one second. The quoted TCP header is often just
 * 8 bytes (ports + sequence number): then tshark gives tcp.srcport/tcp.dstport but no tcp.flags,
 * which is all the matching needs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// ------------------------------------------------------------------------------------------------
// Public result types (imported by the replay tests)
// ------------------------------------------------------------------------------------------------

export interface OraclePortCounts {
  port: number;
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
  syn_retransmits: number;
}

export type IcmpReason = 'port_unreachable' | 'admin_prohibited' | 'host_unreachable' | 'net_unreachable' | 'other';

export interface OracleResult {
  file: string;
  /** Frames whose outer IP header carries TCP directly (see the header comment). */
  tcpFrames: number;
  totals: Omit<OraclePortCounts, 'port'>;
  /** Sorted by port; only ports with at least one attempt. */
  ports: OraclePortCounts[];
  /** icmp_rejected attempts by ICMP code class. */
  icmpByReason: Record<IcmpReason, number>;
  /** Every attempt, in the order of its first SYN (what `ports` and `totals` add up). */
  attemptList: OracleAttempt[];
  /** Outcomes per (server, server port, client), sorted by server, port, client (`countPairs`). */
  pairs: OraclePair[];
}

/** The outcome counts of the four outcomes, as the report names them. */
export interface OracleOutcomeCounts {
  attempts: number;
  accepted: number;
  refused: number;
  icmp_rejected: number;
  unanswered: number;
}

/** The attempts of one (server address, server port, client address), whatever the client port. */
export interface OraclePair extends OracleOutcomeCounts {
  /** Canonical address text (`canonicalAddress`). */
  server: string;
  port: number;
  client: string;
  /** Capture time (ns since the epoch) of the first SYN of the pair's first attempt, in capture order. */
  firstNs: bigint;
  /** Capture time (ns since the epoch) of the first SYN of the pair's latest attempt, in capture order. */
  lastNs: bigint;
}

/** The attempts whose first SYN falls in [startNs, startNs + width). */
export interface OracleBucket extends OracleOutcomeCounts {
  /** ns since the epoch; a multiple of the width. */
  startNs: bigint;
}

/** How an attempt ended (SEMANTICS.md, "Outcomes"). */
export type OracleOutcome = 'accepted' | 'refused' | 'icmp_rejected' | 'unanswered';

/** One connection attempt as the oracle ended it: its tuple, outcome and SYN retransmissions. */
export interface OracleAttempt {
  family: Family;
  /** The SYN's sender and source port. */
  client: string;
  clientPort: number;
  /** The SYN's destination and destination port (the port the counts are by). */
  server: string;
  serverPort: number;
  /** Capture time of the attempt's first SYN, ns since the epoch. */
  firstSynNs: bigint;
  outcome: OracleOutcome;
  /** The ICMP code class when `outcome` is icmp_rejected, otherwise null. */
  icmpReason: IcmpReason | null;
  /** SYNs counted as retransmissions of this attempt. */
  synRetransmits: number;
}

export interface OracleOptions {
  /**
   * 0 or absent: never; only the end of the capture makes an attempt unanswered.
   * Otherwise an attempt whose first SYN is more than this many seconds older than a later event
   * is unanswered, and an answer arriving after that matches nothing.
   */
  attemptTimeoutSeconds?: number;
}

// ------------------------------------------------------------------------------------------------
// Events: what the state machine consumes
// ------------------------------------------------------------------------------------------------

/** IP version of the addresses; part of every key so that IPv4 and IPv6 can never collide. */
export type Family = 4 | 6;

/** A TCP segment whose outer IP header carries it. */
export interface TcpEvent {
  kind: 'tcp';
  /** Capture time, ns since the epoch. */
  timeNs: bigint;
  family: Family;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** TCP flags as tshark's tcp.flags (12 bits: FIN 0x001, SYN 0x002, RST 0x004, ACK 0x010, ...). */
  flags: number;
  /** Raw (absolute) sequence number. */
  seq: number;
}

/** An ICMPv4 / ICMPv6 error quoting an IP+TCP header. family = family of the ICMP (and quote). */
export interface IcmpEvent {
  kind: 'icmp';
  /** Capture time, ns since the epoch. */
  timeNs: bigint;
  family: Family;
  type: number;
  code: number;
  /** The quoted (offending) packet's tuple: it was sent by the client to the server. */
  quoted: { src: string; sport: number; dst: string; dport: number };
}

export type OracleEvent = TcpEvent | IcmpEvent;

export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_ACK = 0x010;

// ------------------------------------------------------------------------------------------------
// The state machine (SEMANTICS.md, "Connection attempts" and "Outcomes")
// ------------------------------------------------------------------------------------------------

interface Attempt {
  /** What the result reports; its outcome is final once `state` is no longer pending. */
  record: OracleAttempt;
  /** Every ISN seen on this attempt's SYNs (retransmissions while pending may change the ISN). */
  isns: Set<number>;
  state: 'pending' | OracleOutcome;
}

function tupleKey(family: Family, client: string, clientPort: number, server: string, serverPort: number): string {
  return `v${family} ${client} ${clientPort} > ${server} ${serverPort}`;
}

/** ICMP code class, per SEMANTICS.md. Only called for codes that reject (v4 code 4 excluded). */
export function icmpReason(family: Family, code: number): IcmpReason {
  if (family === 4) {
    if (code === 3) return 'port_unreachable';
    if (code === 9 || code === 10 || code === 13) return 'admin_prohibited';
    if (code === 1) return 'host_unreachable';
    if (code === 0) return 'net_unreachable';
    return 'other';
  }
  if (code === 4) return 'port_unreachable';
  if (code === 1) return 'admin_prohibited';
  if (code === 3) return 'host_unreachable';
  if (code === 0) return 'net_unreachable';
  return 'other';
}

/** ICMPv4 type 3 with any code but 4 (fragmentation needed), or ICMPv6 type 1 with any code. */
function isRejectingIcmp(e: IcmpEvent): boolean {
  if (e.family === 4) return e.type === 3 && e.code !== 4;
  return e.type === 1;
}

function emptyCounts(): Omit<OraclePortCounts, 'port'> {
  return { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0, syn_retransmits: 0 };
}

/**
 * Applies SEMANTICS.md to events in capture order. Pure; `file` and `tcpFrames` of the result are
 * left for the caller ('' and the number of TcpEvents).
 *
 * Segment classification (decided on flags only, in this order):
 *   SYN set, ACK clear  -> a SYN (other flags, FIN/PSH/URG/ECE/CWR/reserved, and even RST, allowed);
 *   SYN set, ACK set    -> a SYN-ACK (even if RST is also set: the SYN-ACK reading wins);
 *   RST set             -> a RST (with or without ACK);
 *   anything else       -> ignored.
 * "Same ISN" after an attempt was accepted: the same as any ISN seen on the attempt's SYNs (while
 * pending, retransmissions may carry other ISNs; SEMANTICS.md does not say which one counts).
 * Simultaneous open: a SYN from B to A while A->B is pending is just a SYN: B is the client of a new
 * attempt (B, A); it is not an answer to A's attempt (answers are SYN-ACK, RST or ICMP only).
 */
export function countAttempts(events: readonly OracleEvent[], opts: OracleOptions = {}): OracleResult {
  const timeoutNs = secondsToNs(opts.attemptTimeoutSeconds ?? 0);
  /** The latest attempt on each tuple (earlier ones on the same tuple are finished). */
  const attempts = new Map<string, Attempt>();
  const attemptList: OracleAttempt[] = [];
  const perPort = new Map<number, Omit<OraclePortCounts, 'port'>>();
  const icmpByReason: Record<IcmpReason, number> = {
    port_unreachable: 0,
    admin_prohibited: 0,
    host_unreachable: 0,
    net_unreachable: 0,
    other: 0,
  };
  let tcpFrames = 0;

  const countsOf = (port: number): Omit<OraclePortCounts, 'port'> => {
    let c = perPort.get(port);
    if (!c) {
      c = emptyCounts();
      perPort.set(port, c);
    }
    return c;
  };
  const finish = (a: Attempt, outcome: OracleOutcome): void => {
    a.state = outcome;
    a.record.outcome = outcome;
    countsOf(a.record.serverPort)[outcome] += 1;
  };

  for (const e of events) {
    // Timeout (live semantics, optional in replay): before handling an event, every pending
    // attempt whose first SYN is more than `timeout` seconds older than this event is unanswered.
    if (timeoutNs > 0n) {
      for (const a of attempts.values()) {
        if (a.state === 'pending' && e.timeNs - a.record.firstSynNs > timeoutNs) finish(a, 'unanswered');
      }
    }

    if (e.kind === 'icmp') {
      if (!isRejectingIcmp(e)) continue;
      const q = e.quoted;
      // The quoted packet went client -> server.
      const a = attempts.get(tupleKey(e.family, q.src, q.sport, q.dst, q.dport));
      if (a && a.state === 'pending') {
        finish(a, 'icmp_rejected');
        a.record.icmpReason = icmpReason(e.family, e.code);
        icmpByReason[a.record.icmpReason] += 1;
      }
      continue;
    }

    tcpFrames += 1;
    const syn = (e.flags & TCP_SYN) !== 0;
    const ack = (e.flags & TCP_ACK) !== 0;
    const rst = (e.flags & TCP_RST) !== 0;

    if (syn && !ack) {
      // A SYN: sender = client, destination = server.
      const key = tupleKey(e.family, e.src, e.sport, e.dst, e.dport);
      const a = attempts.get(key);
      const retransmit = a !== undefined && (a.state === 'pending' || (a.state === 'accepted' && a.isns.has(e.seq)));
      if (retransmit) {
        a.isns.add(e.seq);
        a.record.synRetransmits += 1;
        countsOf(a.record.serverPort).syn_retransmits += 1;
      } else {
        // No attempt, or the last one was refused / icmp_rejected / unanswered, or accepted with
        // another ISN (port reuse): a new attempt.
        const record: OracleAttempt = {
          family: e.family,
          client: e.src,
          clientPort: e.sport,
          server: e.dst,
          serverPort: e.dport,
          firstSynNs: e.timeNs,
          outcome: 'unanswered', // until it ends otherwise
          icmpReason: null,
          synRetransmits: 0,
        };
        attempts.set(key, { record, isns: new Set([e.seq]), state: 'pending' });
        attemptList.push(record);
        countsOf(e.dport).attempts += 1;
      }
      continue;
    }

    if (syn || rst) {
      // An answer from the server: it travels server -> client, so the attempt is the reverse tuple.
      const a = attempts.get(tupleKey(e.family, e.dst, e.dport, e.src, e.sport));
      if (a && a.state === 'pending') finish(a, syn ? 'accepted' : 'refused');
    }
  }

  // End of the capture: whatever is still pending is unanswered.
  for (const a of attempts.values()) {
    if (a.state === 'pending') finish(a, 'unanswered');
  }

  const ports: OraclePortCounts[] = [...perPort.entries()]
    .filter(([, c]) => c.attempts > 0)
    .sort(([p1], [p2]) => p1 - p2)
    .map(([port, c]) => ({ port, ...c }));
  const totals = emptyCounts();
  for (const p of ports) {
    totals.attempts += p.attempts;
    totals.accepted += p.accepted;
    totals.refused += p.refused;
    totals.icmp_rejected += p.icmp_rejected;
    totals.unanswered += p.unanswered;
    totals.syn_retransmits += p.syn_retransmits;
  }
  return { file: '', tcpFrames, totals, ports, icmpByReason, attemptList, pairs: countPairs(attemptList) };
}

// ------------------------------------------------------------------------------------------------
// Pairs and timeline (SEMANTICS.md, "Where and when"): the attempts above, grouped
// ------------------------------------------------------------------------------------------------

function zeroOutcomes(): OracleOutcomeCounts {
  return { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
}

function addAttempt(counts: OracleOutcomeCounts, a: OracleAttempt): void {
  counts.attempts += 1;
  counts[a.outcome] += 1;
}

/**
 * Outcome counts per (server address, server port, client address), from attempts in the order of
 * their first SYN: `firstNs` is the first SYN of the pair's first attempt, `lastNs` that of its
 * latest. Sorted by server, port, client (text order of the addresses): a set, in a fixed order.
 */
export function countPairs(attempts: readonly OracleAttempt[]): OraclePair[] {
  const pairs = new Map<string, OraclePair>();
  for (const a of attempts) {
    const key = `${a.server} ${a.serverPort} ${a.client}`;
    let p = pairs.get(key);
    if (!p) {
      p = { server: a.server, port: a.serverPort, client: a.client, ...zeroOutcomes(), firstNs: a.firstSynNs, lastNs: a.firstSynNs };
      pairs.set(key, p);
    }
    addAttempt(p, a);
    p.lastNs = a.firstSynNs;
  }
  const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return [...pairs.values()].sort((p, q) => byText(p.server, q.server) || p.port - q.port || byText(p.client, q.client));
}

/** floor(a / b) for b > 0 (bigint division truncates towards zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** The start of the bucket of width `widthNs` holding `timeNs`: a multiple of the width since the epoch. */
export function bucketStartNs(timeNs: bigint, widthNs: bigint): bigint {
  return floorDiv(timeNs, widthNs) * widthNs;
}

/**
 * Outcome counts per time bucket of width `widthNs`, each attempt (its start and its outcome) in
 * the bucket of its first SYN; every bucket from the earliest such bucket to the latest, empty
 * ones included. No attempts: no buckets.
 */
export function countTimeline(attempts: readonly OracleAttempt[], widthNs: bigint): OracleBucket[] {
  if (widthNs <= 0n) throw new Error(`tshark oracle: a bucket width must be positive, got ${widthNs} ns`);
  const byStart = new Map<bigint, OracleOutcomeCounts>();
  for (const a of attempts) {
    const start = bucketStartNs(a.firstSynNs, widthNs);
    let c = byStart.get(start);
    if (!c) {
      c = zeroOutcomes();
      byStart.set(start, c);
    }
    addAttempt(c, a);
  }
  const starts = [...byStart.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const buckets: OracleBucket[] = [];
  if (starts.length === 0) return buckets;
  for (let start = starts[0]; start <= starts[starts.length - 1]; start += widthNs) {
    buckets.push({ startNs: start, ...(byStart.get(start) ?? zeroOutcomes()) });
  }
  return buckets;
}

/**
 * The bucket widths an automatic timeline chooses from, in ns, narrowest first: the i13 design's
 * ladder (1 ms to 1 day), then 7 days, then doubling. The design's ladder ends at a day, which
 * shows at most 240 days in 240 buckets; three of the shared captures span years. rstwatch
 * (src/report/collect/timeline.ts) goes on with 7 days and doubling, and so does the oracle.
 */
export const BUCKET_LADDER_NS: readonly bigint[] = [0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 21600, 86400, 604800].map(secondsToNs);

/** Most buckets an automatically chosen width may make. */
export const MAX_AUTO_BUCKETS = 240n;

/** The next width of the automatic choice after `widthNs`: the ladder's next, or double beyond its end. */
function widerNs(widthNs: bigint): bigint {
  return BUCKET_LADDER_NS.find((w) => w > widthNs) ?? widthNs * 2n;
}

/**
 * The narrowest automatic width whose buckets, from the earliest first SYN's to the latest's,
 * number at most MAX_AUTO_BUCKETS; null when there is no attempt.
 */
export function autoBucketWidthNs(attempts: readonly OracleAttempt[]): bigint | null {
  if (attempts.length === 0) return null;
  let min = attempts[0].firstSynNs;
  let max = min;
  for (const a of attempts) {
    if (a.firstSynNs < min) min = a.firstSynNs;
    if (a.firstSynNs > max) max = a.firstSynNs;
  }
  let w = BUCKET_LADDER_NS[0];
  while (floorDiv(max, w) - floorDiv(min, w) + 1n > MAX_AUTO_BUCKETS) w = widerNs(w);
  return w;
}

// ------------------------------------------------------------------------------------------------
// Exact times
// ------------------------------------------------------------------------------------------------

/**
 * Seconds as a number (a timeout, a bucket width as the JSON report writes it) to ns: the decimal
 * it prints as (`String`, the shortest that reads back to it, as JSON writes it) taken exactly to
 * the nanosecond (a width of 36028797018963.97 s is 36028797018963970000000 ns, where the double's
 * product with 1e9 is ...968000000); other forms (an exponent, more than 9 decimals) to the nearest ns.
 */
export function secondsToNs(seconds: number): bigint {
  if (!Number.isFinite(seconds)) throw new Error(`tshark oracle: not a number of seconds: ${seconds}`);
  return decimalNs(String(seconds)) ?? BigInt(Math.round(seconds * 1e9));
}

/** Decimal seconds text (`-12.5`, at most 9 decimals, no exponent) to ns, exactly; null for any other text. */
function decimalNs(text: string): bigint | null {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return null;
  const ns = BigInt(m[2]) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] === '-' ? -ns : ns;
}

/** tshark's `frame.time_epoch` text (`1377201633.570191000`, at most 9 decimals) to ns, exactly. */
export function parseEpochNs(text: string): bigint {
  const ns = decimalNs(text);
  if (ns === null) throw new Error(`tshark oracle: expected an epoch time, got '${text}'`);
  return ns;
}

/** RFC 3339 UTC with milliseconds (truncated towards the past), as the report writes times; null beyond a Date's range. */
export function isoMillis(ns: bigint): string | null {
  const ms = floorDiv(ns, 1_000_000n);
  if (ms > 8_640_000_000_000_000n || ms < -8_640_000_000_000_000n) return null;
  return new Date(Number(ms)).toISOString();
}

// ------------------------------------------------------------------------------------------------
// Canonical address text
// ------------------------------------------------------------------------------------------------

/** An IPv4 address's four bytes, from dotted text (decimal, 1 to 3 digits each), or null. */
function ipv4Bytes(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? bytes : null;
}

/** An IPv6 address's eight 16-bit groups, from any RFC 4291 text form (`::`, an IPv4 tail), or null. */
export function ipv6Groups(text: string): number[] | null {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const words = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  // A dotted IPv4 tail stands for the last two groups.
  const last = halves.length === 2 ? tail : head;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v4 = ipv4Bytes(last.pop() as string);
    if (!v4) return null;
    last.push(((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16));
  }
  if (![...head, ...tail].every((w) => /^[0-9a-f]{1,4}$/.test(w))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((w) => parseInt(w, 16));
}

/**
 * RFC 5952 text of eight groups: lower-case hex without leading zeros; the longest run of two or
 * more zero groups (the first of equal runs) written `::`; an IPv4-mapped address (::ffff:0:0/96)
 * as `::ffff:` and a dotted quad (section 5).
 */
export function formatIpv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 255}.${groups[7] >> 8}.${groups[7] & 255}`;
  }
  let runAt = -1;
  let runLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > runLen) {
      runAt = i;
      runLen = j - i;
    }
  }
  const hex = (gs: readonly number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (runAt < 0) return hex(groups);
  return `${hex(groups.slice(0, runAt))}::${hex(groups.slice(runAt + runLen))}`;
}

/** The canonical text of an address as tshark (or a person) wrote it: IPv4 dotted, IPv6 RFC 5952. Throws on anything else. */
export function canonicalAddress(family: Family, text: string): string {
  if (family === 4) {
    const bytes = ipv4Bytes(text);
    if (!bytes) throw new Error(`tshark oracle: not an IPv4 address: '${text}'`);
    return bytes.join('.');
  }
  const groups = ipv6Groups(text);
  if (!groups) throw new Error(`tshark oracle: not an IPv6 address: '${text}'`);
  return formatIpv6(groups);
}

// ------------------------------------------------------------------------------------------------
// tshark front end
// ------------------------------------------------------------------------------------------------

/** The fields asked of tshark, in output column order. */
export const TSHARK_FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.protocols',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'ip.frag_offset',
] as const;

type FieldName = (typeof TSHARK_FIELDS)[number];

export const TSHARK_DISPLAY_FILTER = 'tcp or icmp.type==3 or icmpv6.type==1';

export function tsharkArgs(file: string): string[] {
  return [
    '-n', // no name resolution: addresses stay numeric
    '-r',
    file,
    // Non-first fragments stay `data` (rstwatch does not reassemble IP).
    '-o',
    'ip.defragment:FALSE',
    '-o',
    'ipv6.defragment:FALSE',
    // We read tcp.seq_raw; sequence analysis is not needed and only costs time.
    '-o',
    'tcp.analyze_sequence_numbers:FALSE',
    '-o',
    'tcp.relative_sequence_numbers:FALSE',
    '-Y',
    TSHARK_DISPLAY_FILTER,
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=a',
    '-E',
    'aggregator=,',
    '-E',
    'header=n',
    ...TSHARK_FIELDS.flatMap((f) => ['-e', f]),
  ];
}

/** Runs tshark once on `file` and returns its raw text output (one line per kept frame). */
export function runTshark(file: string): string {
  if (!existsSync(file)) throw new Error(`tshark oracle: capture file not found: ${file}`);
  try {
    return execFileSync('tshark', tsharkArgs(file), {
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
      // tshark prints "Running as user root ..." on stderr: keep it out of the way.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string | Buffer; status?: number };
    if (e.code === 'ENOENT') {
      throw new Error('tshark oracle: tshark is not installed or not on PATH (scripts/setup.sh --test installs it)');
    }
    throw new Error(`tshark oracle: tshark failed on ${file} (exit ${String(e.status)}): ${String(e.stderr ?? e.message)}`);
  }
}

function occurrences(value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : value.split(',');
}

const int = (s: string | undefined, radix = 10): number => {
  const n = parseInt(s ?? '', radix);
  if (Number.isNaN(n)) throw new Error(`tshark oracle: expected a number, got '${String(s)}'`);
  return n;
};

/**
 * Turns one tshark line into an event, or null when the frame is neither a TCP frame nor a
 * rejecting-candidate ICMP error (see the header comment for the exact rules). A frame without a
 * time (a pcapng Simple Packet Block has none: tshark prints an empty `frame.time_epoch`) is given
 * `timeIfNone`: tsharkEvents passes the time of the event before it, so that it adds no time.
 */
export function parseTsharkLine(line: string, timeIfNone = 0n): OracleEvent | null {
  const cols = line.split('\t');
  const f = (name: FieldName): string[] => occurrences(cols[TSHARK_FIELDS.indexOf(name)]);
  const first = (name: FieldName): string | undefined => f(name)[0];

  const timeText = first('frame.time_epoch');
  const timeNs = timeText === undefined ? timeIfNone : parseEpochNs(timeText);
  const layers = (first('frame.protocols') ?? '').split(':');

  // The outer network layer: the first ip / ipv6 in the protocol stack.
  const net = layers.findIndex((l) => l === 'ip' || l === 'ipv6');
  if (net < 0) return null;
  const family: Family = layers[net] === 'ip' ? 4 : 6;
  // Skip IPv6 extension headers (ipv6.hopopts, ipv6.routing, ipv6.dstopts, ipv6.fraghdr, ...).
  let next = net + 1;
  while (layers[next]?.startsWith('ipv6.')) next += 1;
  const srcField: FieldName = family === 4 ? 'ip.src' : 'ipv6.src';
  const dstField: FieldName = family === 4 ? 'ip.dst' : 'ipv6.dst';
  const addresses = (name: FieldName): string[] => f(name).map((text) => canonicalAddress(family, text));

  if (layers[next] === 'tcp') {
    // A non-first IPv4 fragment is never a TCP header (belt and braces: with defragmentation off,
    // tshark shows such fragments as `data` anyway).
    if (family === 4 && int(first('ip.frag_offset') ?? '0') !== 0) return null;
    const flags = first('tcp.flags');
    if (flags === undefined) return null; // truncated header: no flags to read
    return {
      kind: 'tcp',
      timeNs,
      family,
      src: addresses(srcField)[0],
      dst: addresses(dstField)[0],
      sport: int(first('tcp.srcport')),
      dport: int(first('tcp.dstport')),
      flags: int(flags.replace(/^0x/, ''), 16),
      seq: int(first('tcp.seq_raw')),
    };
  }

  // ICMP error: ICMPv4 quoting IPv4+TCP, or ICMPv6 quoting IPv6(+ext headers)+TCP.
  const icmpLayer = family === 4 ? 'icmp' : 'icmpv6';
  if (layers[next] !== icmpLayer || layers[next + 1] !== layers[net]) return null;
  let quotedNext = next + 2;
  while (layers[quotedNext]?.startsWith('ipv6.')) quotedNext += 1;
  if (layers[quotedNext] !== 'tcp') return null;
  const srcs = addresses(srcField);
  const dsts = addresses(dstField);
  if (srcs.length < 2 || dsts.length < 2) return null; // quoted header not dissected
  const sport = first('tcp.srcport');
  const dport = first('tcp.dstport');
  if (sport === undefined || dport === undefined) return null; // quote too short for the ports
  return {
    kind: 'icmp',
    timeNs,
    family,
    type: int(first(family === 4 ? 'icmp.type' : 'icmpv6.type')),
    code: int(first(family === 4 ? 'icmp.code' : 'icmpv6.code')),
    // Occurrence 0 is the outer header (ICMP sender -> client), occurrence 1 the quoted one.
    quoted: { src: srcs[1], sport: int(sport), dst: dsts[1], dport: int(dport) },
  };
}

/** All events of a capture, in capture (frame) order. */
export function tsharkEvents(file: string): OracleEvent[] {
  const events: OracleEvent[] = [];
  for (const line of runTshark(file).split('\n')) {
    if (line.trim() === '') continue;
    const e = parseTsharkLine(line, events.length > 0 ? events[events.length - 1].timeNs : 0n);
    if (e) events.push(e);
  }
  return events;
}

/** The oracle's counts for one capture file. */
export function oracleCounts(file: string, opts: OracleOptions = {}): OracleResult {
  return { ...countAttempts(tsharkEvents(file), opts), file };
}
