/**
 * Reports for the page's tests, typed from the issue 13 design (pairs, pairs_other, timeline,
 * icmp_answerers, scans, failure_ratio, icmp_from_other): a scan of every port with 10000 pairs and
 * more folded, a mixed capture with every section filled, a report from before those fields, and
 * one whose every string is markup.
 */
import type { ReplayReport } from '../../src/report/replay-report.js';
import type { PageReport, PairRow, TimelineBucket } from '../../src/report/html/report-fields.js';
import type { SuspectRecord } from '../../src/detect/evidence-record.js';

type Counts = { attempts: number; accepted: number; refused: number; icmp_rejected: number; unanswered: number };

const REASONS = ['port_unreachable', 'admin_prohibited', 'host_unreachable', 'net_unreachable', 'other'];

/** Outcome counts with the derived fields as the report computes them. */
function outcomeRow(c: Counts, byReason: Record<string, number> = {}, icmpFromOther = 0) {
  const ended = c.accepted + c.refused + c.icmp_rejected + c.unanswered;
  const failures = c.refused + c.icmp_rejected + c.unanswered;
  return {
    ...c,
    syn_retransmits: 0,
    early_resets: 0,
    refusal_ratio: ended > 0 ? c.refused / ended : null,
    failure_ratio: ended > 0 ? failures / ended : null,
    icmp_rejected_by_reason: byReason,
    icmp_from_other: icmpFromOther,
  };
}

/** A report with nothing in it but what is passed, the design's fields included (empty). */
export function emptyReport(): PageReport {
  const zero = { attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 };
  return {
    rstwatch_version: '0.1.0',
    complete: true,
    error: null,
    files: [{ path: 'capture.pcap', format: 'pcap', frames: 0, bytes: 24, truncated_tail: false, stopped_at: null }],
    packets: 0,
    capture: { first: null, last: null, duration_seconds: null, timestamp_regressions: 0, out_of_range_times: 0 },
    options: { attempt_timeout_seconds: 0, local_nets: [], max_attempts: 262144, max_pairs: 10000, detection: { enabled: true, hop_threshold: 2 } },
    totals: { ...outcomeRow(zero), suspect_resets: 0 },
    directions: { inbound: outcomeRow(zero), outbound: outcomeRow(zero), unknown: outcomeRow(zero) },
    ports: [],
    top_refusing_servers: [],
    top_refused_clients: [],
    refusal_latency_seconds: { count: 0, min: null, p50: null, p90: null, p99: null, max: null, mean: null },
    suspect_resets_by_heuristic: { ttl_mismatch: 0, ack_mismatch: 0, reset_race: 0, seq_burst: 0, reserved_bits: 0 },
    suspect_resets: [],
    baselines: { evictions: 0, ignored_samples: 0 },
    resets_seen: 0,
    unmatched: { syn_acks: 0, resets: 0, icmp: 0 },
    tracker: { max_attempts: 262144, evicted_pending: 0, evicted_resolved: 0, timed_out: 0, top_address_overflow: 0 },
    decoded: { tcp: 0, icmp_unreachable: 0 },
    skipped: {},
    decode_errors: {},
    warnings: [],
    pairs: [],
    pairs_other: null,
    timeline: { bucket_seconds: 1, buckets: [] },
    icmp_answerers: [],
    scans: [],
    scan_finder: { evicted_keys: 0, dropped_failures: 0 },
  };
}

/** `report` as the renderer's parameter type (the design's fields are not in ReplayReport yet). */
export function asReplayReport(report: PageReport): ReplayReport {
  return report as unknown as ReplayReport;
}

/** Every bucket of `seconds` from `firstMs`, with `counts(i)` in bucket i. */
function timeline(firstMs: number, seconds: number, n: number, counts: (i: number) => Counts): { bucket_seconds: number; buckets: TimelineBucket[] } {
  const buckets = Array.from({ length: n }, (_, i) => ({ start: new Date(firstMs + i * seconds * 1000).toISOString(), ...counts(i) }));
  return { bucket_seconds: seconds, buckets };
}

/** Sets the totals and the unknown direction to `c`. */
function setTotals(r: PageReport, c: Counts, byReason: Record<string, number> = {}, icmpFromOther = 0): void {
  r.totals = { ...outcomeRow(c, byReason, icmpFromOther), suspect_resets: r.totals.suspect_resets };
  r.directions.unknown = outcomeRow(c, byReason, icmpFromOther);
}

/**
 * One client refused on all 65535 ports of one server in 70 ms, one attempt each; 10000 pairs
 * listed (the scanner and 9999 others, one refusal each) and 5000 more folded into pairs_other.
 */
export function scanReport(): PageReport {
  const r = emptyReport();
  const t0 = Date.parse('2026-12-03T18:00:00.000Z');
  r.packets = 2 * 65535 + 2 * 15000;
  r.capture = { ...r.capture, first: '2026-12-03T18:00:00.000Z', last: '2026-12-03T18:00:00.071Z', duration_seconds: 0.071 };
  r.ports = Array.from({ length: 65535 }, (_, i) => ({
    port: i + 1,
    ...outcomeRow({ attempts: 1, accepted: 0, refused: 1, icmp_rejected: 0, unanswered: 0 }),
  }));
  r.ports[79] = { port: 80, ...outcomeRow({ attempts: 15001, accepted: 1, refused: 15000, icmp_rejected: 0, unanswered: 0 }) };
  const scanner: PairRow = {
    server: '10.0.0.9',
    port: 80,
    client: '10.0.0.5',
    attempts: 2,
    accepted: 1,
    refused: 1,
    icmp_rejected: 0,
    unanswered: 0,
    first: r.capture.first,
    last: r.capture.last,
  };
  const others: PairRow[] = Array.from({ length: 9999 }, (_, i) => ({
    server: '10.0.0.9',
    port: 80,
    client: `172.16.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    attempts: 1,
    accepted: 0,
    refused: 1,
    icmp_rejected: 0,
    unanswered: 0,
    first: '2026-12-03T18:00:00.050Z',
    last: '2026-12-03T18:00:00.050Z',
  }));
  r.pairs = [...others, scanner];
  r.pairs_other = { pairs: 70534, attempts: 70534, accepted: 0, refused: 70534, icmp_rejected: 0, unanswered: 0 };
  const total = { attempts: 65535 + 15000, accepted: 1, refused: 65534 + 15000, icmp_rejected: 0, unanswered: 0 };
  setTotals(r, total);
  r.timeline = timeline(t0, 0.001, 71, (i) =>
    i === 0
      ? { ...total, attempts: total.attempts - 70, refused: total.refused - 70 }
      : { attempts: 1, accepted: 0, refused: 1, icmp_rejected: 0, unanswered: 0 },
  );
  r.scans = [
    {
      kind: 'vertical',
      client: '10.0.0.5',
      server: '10.0.0.9',
      port: null,
      distinct: 65535,
      attempts: 65535,
      failures: 65534,
      first: r.capture.first,
      last: r.capture.last,
      duration_seconds: 0.071,
    },
    {
      kind: 'flood',
      client: null,
      server: '10.0.0.9',
      port: 80,
      distinct: 15000,
      attempts: 15000,
      failures: 15000,
      first: r.capture.first,
      last: r.capture.last,
      duration_seconds: 0.07,
    },
  ];
  r.top_refusing_servers = [{ address: '10.0.0.9', refused: total.refused }];
  r.top_refused_clients = [{ address: '10.0.0.5', refused: 65534 }];
  return r;
}

/** A suspect RST record. */
function suspect(ts: string, heuristics: string[], baseline: boolean, clientPort: number): SuspectRecord {
  return {
    ts,
    direction: 'inbound',
    client: '2001:db8::5',
    client_port: clientPort,
    server: '2001:db8:0:1::9',
    server_port: 443,
    heuristics,
    ttl: 57,
    initial_ttl: 64,
    hop_distance: 7,
    baseline_initial_ttl: baseline ? 64 : null,
    baseline_hop_distance: baseline ? 3 : null,
    baseline_samples: baseline ? 12 : 0,
    expected_ack: 1001,
    received_ack: 5,
  };
}

/** Two hours of a mixed capture: web traffic accepted, 445 refused, 3389 rejected by a firewall's ICMP, 8080 unanswered, IPv4 and IPv6, suspects, notes. */
export function mixedReport(): PageReport {
  const r = emptyReport();
  const t0 = Date.parse('2026-12-03T23:10:00.000Z');
  r.files = [
    { path: '/captures/site-a/day1.pcapng', format: 'pcapng', frames: 1_200_000, bytes: 812_000_000, truncated_tail: false, stopped_at: null },
    { path: '/captures/site-a/day2.pcapng', format: 'pcapng', frames: 3_000, bytes: 2_000_000, truncated_tail: true, stopped_at: null },
  ];
  r.packets = 1_203_000;
  r.capture = { ...r.capture, first: '2026-12-03T23:10:00.512Z', last: '2026-12-04T01:09:58.004Z', duration_seconds: 7197.492 };
  r.options.local_nets = ['10.0.0.0/8', '2001:db8::/32'];
  const ports: [number, Counts, Record<string, number>, number][] = [
    [443, { attempts: 20000, accepted: 19950, refused: 20, icmp_rejected: 0, unanswered: 30 }, {}, 0],
    [80, { attempts: 5000, accepted: 4990, refused: 10, icmp_rejected: 0, unanswered: 0 }, {}, 0],
    [445, { attempts: 900, accepted: 0, refused: 900, icmp_rejected: 0, unanswered: 0 }, {}, 0],
    [3389, { attempts: 300, accepted: 0, refused: 0, icmp_rejected: 290, unanswered: 10 }, { admin_prohibited: 280, host_unreachable: 10 }, 280],
    [8080, { attempts: 120, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 120 }, {}, 0],
    [22, { attempts: 60, accepted: 58, refused: 2, icmp_rejected: 0, unanswered: 0 }, {}, 0],
  ];
  r.ports = ports.map(([port, c, reasons, other]) => ({ port, ...outcomeRow(c, reasons, other) })).sort((a, b) => a.port - b.port);
  const sum = (k: keyof Counts): number => ports.reduce((s, p) => s + p[1][k], 0);
  const total = {
    attempts: sum('attempts'),
    accepted: sum('accepted'),
    refused: sum('refused'),
    icmp_rejected: sum('icmp_rejected'),
    unanswered: sum('unanswered'),
  };
  setTotals(r, total, { admin_prohibited: 280, host_unreachable: 10 }, 280);
  r.directions.inbound = outcomeRow({ ...total, attempts: total.attempts - 120, unanswered: total.unanswered - 120 });
  r.directions.outbound = outcomeRow({ attempts: 120, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 120 });
  r.directions.unknown = outcomeRow({ attempts: 0, accepted: 0, refused: 0, icmp_rejected: 0, unanswered: 0 });
  r.pairs = [];
  for (const [port, c] of ports) {
    const server = port === 443 ? '2001:db8:0:1::9' : `10.1.2.${port % 200}`;
    r.pairs.push({ server, port, client: '10.9.8.7', ...c, first: '2026-12-03T23:10:01.000Z', last: '2026-12-04T01:09:50.250Z' });
  }
  r.timeline = timeline(t0, 60, 120, (i) => {
    const burst = i >= 50 && i < 60;
    return { attempts: 210 + (burst ? 120 : 0), accepted: 200, refused: burst ? 90 : 0, icmp_rejected: burst ? 29 : 0, unanswered: burst ? 1 : 10 };
  });
  r.icmp_answerers = [{ address: '10.1.0.1', rejections: 280 }];
  r.top_refusing_servers = [
    { address: '10.1.2.45', refused: 900 },
    { address: '2001:db8:0:1::9', refused: 20 },
  ];
  r.top_refused_clients = [{ address: '10.9.8.7', refused: 932 }];
  r.refusal_latency_seconds = { count: 932, min: 0.00004, p50: 0.0003, p90: 0.002, p99: 0.03, max: 0.2, mean: 0.001 };
  r.totals.suspect_resets = 2;
  r.suspect_resets_by_heuristic = { ttl_mismatch: 1, ack_mismatch: 2, reset_race: 1, seq_burst: 0, reserved_bits: 1 };
  r.suspect_resets = [
    suspect('2026-12-04T00:00:01.250Z', ['ttl_mismatch', 'ack_mismatch', 'reset_race', 'reserved_bits'], true, 51000),
    suspect('2026-12-04T00:20:00.000Z', ['ack_mismatch'], false, 51002),
  ];
  r.unmatched = { syn_acks: 12, resets: 3, icmp: 1 };
  r.skipped = { not_ip: 40, no_tcp: 10000 };
  r.decode_errors = { truncated_tcp: 2 };
  r.warnings = ['day2.pcapng: the last record was cut short at byte 2000000 (a capture killed mid-write); everything before it is counted'];
  return r;
}

/** `report` as an rstwatch before issue 13 wrote it: no pairs, timeline, scans, answerers, failure ratio or ICMP from other; every ICMP reason listed. */
export function olderReport(report: PageReport): PageReport {
  const old = structuredClone(report) as unknown as Record<string, unknown>;
  for (const key of ['pairs', 'pairs_other', 'timeline', 'icmp_answerers', 'scans', 'scan_finder']) delete old[key];
  const strip = (o: Record<string, unknown>): void => {
    delete o.failure_ratio;
    delete o.icmp_from_other;
    o.icmp_rejected_by_reason = Object.fromEntries(REASONS.map((k) => [k, (o.icmp_rejected_by_reason as Record<string, number>)[k] ?? 0]));
  };
  for (const p of old.ports as Record<string, unknown>[]) strip(p);
  strip(old.totals as Record<string, unknown>);
  for (const d of Object.values(old.directions as Record<string, Record<string, unknown>>)) strip(d);
  return old as unknown as PageReport;
}

/** Markup that must stay text: a script, an image that would fetch, an attribute break-out. */
export const HOSTILE = `</title><script>window.__pwned=1</script><img src="http://127.0.0.1:9/x" onerror="window.__pwned=2">"'><svg onload=alert(1)>&amp;`;

/** `report` with HOSTILE in every string the page shows (paths, addresses, names, times, warnings, keys). */
export function hostileReport(report: PageReport): PageReport {
  const r = structuredClone(report);
  r.rstwatch_version = HOSTILE;
  r.files = r.files.map((f) => ({ ...f, path: `/tmp/${HOSTILE}.pcap`, format: HOSTILE }));
  r.options.local_nets = [HOSTILE];
  r.warnings = [HOSTILE];
  r.error = { code: HOSTILE, message: HOSTILE };
  r.complete = false;
  r.skipped = { [HOSTILE]: 1 };
  r.decode_errors = { [HOSTILE]: 1 };
  r.ports[0].icmp_rejected_by_reason = { [HOSTILE]: 3 };
  r.totals.icmp_rejected_by_reason = { [HOSTILE]: 3 };
  r.directions = { [HOSTILE]: r.totals, inbound: r.totals };
  r.pairs = (r.pairs ?? []).map((p) => ({ ...p, server: HOSTILE, client: HOSTILE, first: HOSTILE }));
  r.scans = [
    {
      kind: HOSTILE as 'flood',
      client: HOSTILE,
      server: HOSTILE,
      port: null,
      distinct: 1,
      attempts: 1,
      failures: 1,
      first: HOSTILE,
      last: null,
      duration_seconds: 1,
    },
  ];
  r.icmp_answerers = [{ address: HOSTILE, rejections: 1 }];
  r.top_refusing_servers = [{ address: HOSTILE, refused: 1 }];
  r.suspect_resets = r.suspect_resets.map((s) => ({ ...s, client: HOSTILE, heuristics: [HOSTILE, 'ack_mismatch'], ts: HOSTILE }));
  r.suspect_resets_by_heuristic = { [HOSTILE]: 1 };
  if (r.timeline) r.timeline.buckets = r.timeline.buckets.map((b) => ({ ...b, start: HOSTILE }));
  return r;
}
