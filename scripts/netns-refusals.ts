/**
 * The design of the netns-refusals captures (scripts/record-netns.ts records them): what each server
 * port has behind it, what every attempt on it must end as, and the checks of a recording against
 * the client's reports and against this design. Pure: the attempts come from the tshark oracle
 * (kit/tshark-oracle.ts), the client's reports from scripts/netns-client.mjs.
 */
import type { Family, IcmpReason, OracleAttempt, OracleOutcome, OraclePortCounts, OracleResult } from '../kit/tshark-oracle.js';

/** What one server port has behind it and how its attempts must end. */
export interface PortDesign {
  port: number;
  /** The server (netns-client.mjs serve) listens on it. */
  listen: boolean;
  /** The iptables/ip6tables INPUT target for it (after `-j`), or null for no rule. */
  target: ((family: Family) => string[]) | null;
  /** How every attempt on it ends, and by which ICMP code class where it is icmp_rejected. */
  outcome: OracleOutcome;
  icmpReason: IcmpReason | null;
  /** Most attempts one connect may make (the kernel may send the SYN again after an ICMP error). */
  maxAttemptsPerConnect: 1 | 2;
  /** SYN retransmissions per connect. */
  retransmitsPerConnect: 0 | 1;
}

const reject = (v4: string, v6: string) => (family: Family) => ['REJECT', '--reject-with', family === 4 ? v4 : v6];

/**
 * The ports, in the order the client tries them. On 8083/8084 the kernel may send the SYN again
 * after the ICMP error (it ignores an error that arrives while connect(2) still holds the socket:
 * a soft error; the 1 s retransmission draws a second error, which aborts): 1 or 2 attempts per
 * connect, each one rejected.
 */
export const PORT_DESIGN: readonly PortDesign[] = [
  { port: 8080, listen: true, target: null, outcome: 'accepted', icmpReason: null, maxAttemptsPerConnect: 1, retransmitsPerConnect: 0 },
  { port: 8081, listen: false, target: null, outcome: 'refused', icmpReason: null, maxAttemptsPerConnect: 1, retransmitsPerConnect: 0 },
  {
    port: 8082,
    listen: true,
    target: reject('tcp-reset', 'tcp-reset'),
    outcome: 'refused',
    icmpReason: null,
    maxAttemptsPerConnect: 1,
    retransmitsPerConnect: 0,
  },
  {
    port: 8083,
    listen: true,
    target: reject('icmp-port-unreachable', 'icmp6-port-unreachable'),
    outcome: 'icmp_rejected',
    icmpReason: 'port_unreachable',
    maxAttemptsPerConnect: 2,
    retransmitsPerConnect: 0,
  },
  {
    port: 8084,
    listen: true,
    target: reject('icmp-admin-prohibited', 'icmp6-adm-prohibited'),
    outcome: 'icmp_rejected',
    icmpReason: 'admin_prohibited',
    maxAttemptsPerConnect: 2,
    retransmitsPerConnect: 0,
  },
  { port: 8085, listen: true, target: () => ['DROP'], outcome: 'unanswered', icmpReason: null, maxAttemptsPerConnect: 1, retransmitsPerConnect: 1 },
];

/** One line of `netns-client.mjs connect` output, with the family it was run for. */
export interface ClientConnect {
  family: Family;
  port: number;
  /** The kernel-chosen source port, null when the client never learnt it. */
  localPort: number | null;
  /** 'connected', an errno code (ECONNREFUSED, ...) or 'timeout'. */
  outcome: string;
  handshake: boolean;
}

/** What a client or a capture can tell apart: odd is a client outcome that fits nothing. */
type Seen = 'accepted' | 'refusedish' | 'icmpish' | 'unanswered' | 'odd';

/** ECONNREFUSED is a RST or an ICMP port unreachable; these errnos are the other ICMP rejections. */
const ICMP_ERRNOS = ['EHOSTUNREACH', 'EACCES', 'EPERM', 'ENETUNREACH'];

function clientSaw(c: ClientConnect): Seen {
  if (c.handshake) return 'accepted';
  if (c.outcome === 'ECONNREFUSED') return 'refusedish';
  if (ICMP_ERRNOS.includes(c.outcome)) return 'icmpish';
  return c.outcome === 'ETIMEDOUT' || c.outcome === 'timeout' ? 'unanswered' : 'odd';
}

function captureSaw(a: OracleAttempt): Seen {
  if (a.outcome === 'icmp_rejected') return a.icmpReason === 'port_unreachable' ? 'refusedish' : 'icmpish';
  return a.outcome === 'refused' ? 'refusedish' : a.outcome;
}

const outcomeName = (a: OracleAttempt) => (a.outcome === 'icmp_rejected' ? `icmp_${a.icmpReason}` : a.outcome);

/**
 * The client against the capture, for one family: every connect has attempts in the capture on its
 * tuple, the last one ending as the client saw it and any earlier one refused or ICMP-rejected
 * (the kernel sent the SYN again); every attempt in the capture belongs to a connect. One line per
 * problem.
 */
export function clientProblems(family: Family, attempts: readonly OracleAttempt[], connects: readonly ClientConnect[]): string[] {
  const byTuple = new Map<string, OracleAttempt[]>();
  for (const a of attempts) {
    const key = `${a.serverPort} ${a.clientPort}`;
    byTuple.set(key, [...(byTuple.get(key) ?? []), a]);
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of connects) {
    const at = `v${family} port ${c.port}`;
    if (c.localPort === null) {
      problems.push(`${at}: the client did not learn its source port (${c.outcome})`);
      continue;
    }
    const key = `${c.port} ${c.localPort}`;
    seen.add(key);
    const tuple = byTuple.get(key);
    if (!tuple) problems.push(`${at}: client connect from port ${c.localPort} (${c.outcome}) has no SYN in the capture`);
    else if (clientSaw(c) === 'odd') problems.push(`${at}: client port ${c.localPort}: unexpected outcome ${c.outcome}`);
    else {
      const last = tuple[tuple.length - 1];
      if (captureSaw(last) !== clientSaw(c)) problems.push(`${at}: client port ${c.localPort} reported ${c.outcome}, the capture says ${outcomeName(last)}`);
      const early = tuple.slice(0, -1).find((a) => a.outcome !== 'refused' && a.outcome !== 'icmp_rejected');
      if (early) problems.push(`${at}: client port ${c.localPort}: a SYN followed a ${outcomeName(early)} attempt on the same tuple`);
    }
  }
  for (const key of byTuple.keys()) {
    const [port, clientPort] = key.split(' ');
    if (!seen.has(key)) problems.push(`v${family} port ${port}: capture attempt(s) from port ${clientPort} the client never reported`);
  }
  return problems;
}

/** One port's counts (the oracle's), its connects (distinct client ports) and its ICMP rejections by reason. */
export interface PortRow extends OraclePortCounts {
  connects: number;
  icmpByReason: Partial<Record<IcmpReason, number>>;
}

const EMPTY_COUNTS = { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0, syn_retransmits: 0 };

/** A row for every designed port (zeros where the capture has none), then any other port of the capture. */
export function portRows(result: OracleResult): PortRow[] {
  const designed = PORT_DESIGN.map((d) => d.port);
  const ports = [...designed, ...result.ports.map((p) => p.port).filter((p) => !designed.includes(p))];
  return ports.map((port) => {
    const mine = result.attemptList.filter((a) => a.serverPort === port);
    const icmpByReason: PortRow['icmpByReason'] = {};
    for (const a of mine) if (a.icmpReason) icmpByReason[a.icmpReason] = (icmpByReason[a.icmpReason] ?? 0) + 1;
    const counts = result.ports.find((p) => p.port === port) ?? { port, ...EMPTY_COUNTS };
    return { ...counts, connects: new Set(mine.map((a) => a.clientPort)).size, icmpByReason };
  });
}

/** The rows of one family against PORT_DESIGN with `count` connects per port. One line per problem. */
export function designProblems(family: Family, rows: readonly PortRow[], count: number): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    const at = `v${family} port ${row.port}`;
    const d = PORT_DESIGN.find((x) => x.port === row.port);
    if (!d) {
      problems.push(`${at}: traffic to a port the script never used (${row.attempts} attempts)`);
      continue;
    }
    const ended = d.icmpReason ? (row.icmpByReason[d.icmpReason] ?? 0) : row[d.outcome];
    const want = d.icmpReason ? `icmp_rejected (${d.icmpReason})` : d.outcome;
    if (row.connects !== count) problems.push(`${at}: ${row.connects} client ports in the capture, want ${count}`);
    if (row.attempts < count || row.attempts > d.maxAttemptsPerConnect * count) {
      problems.push(`${at}: ${row.attempts} attempts, want ${count}..${d.maxAttemptsPerConnect * count}`);
    }
    if (ended !== row.attempts) problems.push(`${at}: ${ended} of ${row.attempts} attempts ended ${want} (${countsText(row)})`);
    if (row.syn_retransmits !== d.retransmitsPerConnect * count) {
      problems.push(`${at}: ${row.syn_retransmits} SYN retransmissions, want ${d.retransmitsPerConnect * count}`);
    }
  }
  return problems;
}

function countsText(row: PortRow): string {
  const icmp = Object.entries(row.icmpByReason).map(([reason, n]) => `icmp_${reason} ${n}`);
  return [`accepted ${row.accepted}`, `refused ${row.refused}`, ...icmp, `unanswered ${row.unanswered}`].join(' ');
}

/** icmp_rejected as pcaps/README.md writes it: `3 (port_unreachable)`, `6 (3 port_unreachable, 3 admin_prohibited)`. */
function icmpCell(total: number, byReason: Partial<Record<IcmpReason, number>>): string {
  const reasons = Object.entries(byReason).filter(([, n]) => n > 0);
  if (reasons.length === 0) return String(total);
  if (reasons.length === 1) return `${total} (${reasons[0][0]})`;
  return `${total} (${reasons.map(([reason, n]) => `${n} ${reason}`).join(', ')})`;
}

/** The table of one capture as pcaps/README.md has it, with a total row. */
export function countsTable(rows: readonly PortRow[]): string {
  const total: PortRow = { port: 0, ...EMPTY_COUNTS, connects: 0, icmpByReason: {} };
  for (const r of rows) {
    for (const k of Object.keys(EMPTY_COUNTS) as (keyof typeof EMPTY_COUNTS)[]) total[k] += r[k];
    for (const [reason, n] of Object.entries(r.icmpByReason) as [IcmpReason, number][]) total.icmpByReason[reason] = (total.icmpByReason[reason] ?? 0) + n;
  }
  const line = (label: string, r: PortRow) =>
    `| ${label} | ${r.attempts} | ${r.accepted} | ${r.refused} | ${icmpCell(r.icmp_rejected, r.icmpByReason)} | ${r.unanswered} | ${r.syn_retransmits} |`;
  return [
    '| port | attempts | accepted | refused | icmp_rejected | unanswered | syn_retransmits |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => line(String(r.port), r)),
    line('total', total),
  ].join('\n');
}
