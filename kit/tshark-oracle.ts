/**
 * tshark oracle: an independent reference count of connection attempts, per SEMANTICS.md.
 *
 * It shares nothing with rstwatch's decoders or tracker. Wireshark's dissectors (via tshark) turn a
 * capture into a list of events; `countAttempts` then applies the rules of SEMANTICS.md in the
 * plainest way we could write them (one Map from tuple to attempt, no clever data structures).
 * The replay tests compare rstwatch's per-port counts with this.
 *
 * Two halves:
 *   1. `tsharkEvents(file)`  – run tshark once, turn each line into an `OracleEvent` (or drop it).
 *   2. `countAttempts(events, opts)` – pure state machine, unit-tested on hand-written events.
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
  time: number;
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
  time: number;
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
  firstSynTime: number;
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
  const timeout = opts.attemptTimeoutSeconds ?? 0;
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
    if (timeout > 0) {
      for (const a of attempts.values()) {
        if (a.state === 'pending' && e.time - a.firstSynTime > timeout) finish(a, 'unanswered');
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
          outcome: 'unanswered', // until it ends otherwise
          icmpReason: null,
          synRetransmits: 0,
        };
        attempts.set(key, { record, firstSynTime: e.time, isns: new Set([e.seq]), state: 'pending' });
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
  return { file: '', tcpFrames, totals, ports, icmpByReason, attemptList };
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
 * rejecting-candidate ICMP error (see the header comment for the exact rules).
 */
export function parseTsharkLine(line: string): OracleEvent | null {
  const cols = line.split('\t');
  const f = (name: FieldName): string[] => occurrences(cols[TSHARK_FIELDS.indexOf(name)]);
  const first = (name: FieldName): string | undefined => f(name)[0];

  const time = Number(first('frame.time_epoch'));
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

  if (layers[next] === 'tcp') {
    // A non-first IPv4 fragment is never a TCP header (belt and braces: with defragmentation off,
    // tshark shows such fragments as `data` anyway).
    if (family === 4 && int(first('ip.frag_offset') ?? '0') !== 0) return null;
    const flags = first('tcp.flags');
    if (flags === undefined) return null; // truncated header: no flags to read
    return {
      kind: 'tcp',
      time,
      family,
      src: f(srcField)[0],
      dst: f(dstField)[0],
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
  const srcs = f(srcField);
  const dsts = f(dstField);
  if (srcs.length < 2 || dsts.length < 2) return null; // quoted header not dissected
  const sport = first('tcp.srcport');
  const dport = first('tcp.dstport');
  if (sport === undefined || dport === undefined) return null; // quote too short for the ports
  return {
    kind: 'icmp',
    time,
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
    const e = parseTsharkLine(line);
    if (e) events.push(e);
  }
  return events;
}

/** The oracle's counts for one capture file. */
export function oracleCounts(file: string, opts: OracleOptions = {}): OracleResult {
  return { ...countAttempts(tsharkEvents(file), opts), file };
}
