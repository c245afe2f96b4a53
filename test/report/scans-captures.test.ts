/**
 * The ScanFinder on real captures (../shared/pcaps, and the scans, floods and busy captures of
 * ../shared/pcaps-more), held to an independent count: the tshark oracle's attempts
 * (kit/tshark-oracle.ts: Wireshark's dissection, the contract's rules) grouped by hand into the
 * three patterns, and the first-SYN times tshark shows for them.
 *
 * The independent count is over the whole capture, without the 5-minute window: every scan in
 * these captures passes its threshold within seconds of its first failure, so the window names the
 * same keys and counts every failure (a key named in its first window counts from its first
 * failure on); the window itself is tested on crafted traffic in scans.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oracleCounts } from '../../kit/tshark-oracle.js';
import { formatAddress, parseAddress } from '../../src/net/address.js';
import { EXACT_DISTINCT } from '../../src/report/distinct-sets.js';
import { DEFAULT_FLOOD_CLIENTS, DEFAULT_HORIZONTAL_SERVERS, DEFAULT_VERTICAL_PORTS, type ScanKindName, type ScanRow } from '../../src/report/scans.js';
import { replayScans } from '../support/scan-pipeline.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const PCAPS = sharedPcaps();
const MORE = join(PCAPS, '../pcaps-more');
/** Captures of pcaps-more with scans, floods, or much ordinary traffic (the rest hold a handful of attempts). */
const MORE_CAPTURES = [
  'evilfingers_tcp-connect-scan.pcap',
  'evilfingers_ftp-bounce-scan.pcap',
  'evilfingers_xscan.pcap',
  'netforensics_evidence04-scan.pcap',
  'netforensics_evidence06.pcap',
  'p1mps_true-scan.pcap',
  'ppa_gnutella.pcap',
  'moriakhin_syn-flood.pcap',
  'stopddos_synflood-spoofed.pcap',
  'stopddos_syn-ecn-cwr-dominate.pcapng',
  'stopddos_syn-synack-reflection.pcapng',
  'ndpi_alexa-app.pcapng',
  'chrissanders_http-espn-fail.pcapng',
];
const CAPTURES = [
  ...readdirSync(PCAPS)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .map((f) => join(PCAPS, f)),
  ...MORE_CAPTURES.map((f) => join(MORE, f)),
];

/** An estimated distinct count is within this share of the true one (about 3 standard errors of the sketch). */
const ESTIMATE_TOLERANCE = 0.1;

/** Address text as rstwatch writes it (tshark's IPv6 text may differ in case or compression). */
const canonical = (text: string): string => {
  const words = parseAddress(text);
  if (words === null) throw new Error(`not an address: ${text}`);
  return formatAddress(words);
};

/** What the independent count expects of one named key. */
interface ExpectedScan {
  kind: ScanKindName;
  client: string | null;
  server: string | null;
  port: number | null;
  distinct: number;
  failures: number;
  /** Accepted attempts of the key over the whole capture: `attempts` is at most failures + these. */
  accepted: number;
  /** First SYN (seconds) of the failing tuples: the earliest of any, the latest of any. */
  firstSyn: number;
  lastSyn: number;
}

/** Seconds of every SYN (without ACK) of each tuple `client cport server port`, from tshark. */
function synTimes(file: string): Map<string, number[]> {
  const out = execFileSync(
    'tshark',
    [
      '-n',
      '-r',
      file,
      '-Y',
      'tcp.flags.syn == 1 && tcp.flags.ack == 0 && !icmp && !icmpv6',
      '-T',
      'fields',
      '-E',
      'separator=/t',
      '-E',
      'occurrence=f',
      ...['frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport'].flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const times = new Map<string, number[]>();
  for (const line of out.split('\n')) {
    const [time, src4, src6, sport, dst4, dst6, dport] = line.split('\t');
    if (dport === undefined || dport === '') continue;
    const key = `${canonical(src4 || src6)} ${sport} ${canonical(dst4 || dst6)} ${dport}`;
    const list = times.get(key) ?? [];
    list.push(Number(time));
    times.set(key, list);
  }
  return times;
}

/** The scans the oracle's attempts show over the whole capture; see the module comment. */
function expectedScans(file: string): ExpectedScan[] {
  const attempts = oracleCounts(file).attemptList.map((a) => ({ ...a, client: canonical(a.client), server: canonical(a.server) }));
  const syns = synTimes(file);
  const keys = new Map<string, ExpectedScan & { values: Set<string>; threshold: number }>();
  const patterns = (a: (typeof attempts)[number]) =>
    [
      ['vertical', a.client, a.server, null, String(a.serverPort), DEFAULT_VERTICAL_PORTS],
      ['horizontal', a.client, null, a.serverPort, a.server, DEFAULT_HORIZONTAL_SERVERS],
      ['flood', null, a.server, a.serverPort, a.client, DEFAULT_FLOOD_CLIENTS],
    ] as const;
  for (const a of attempts) {
    const times = syns.get(`${a.client} ${a.clientPort} ${a.server} ${a.serverPort}`) ?? [];
    for (const [kind, client, server, port, value, threshold] of patterns(a)) {
      const id = `${kind} ${client} ${server} ${port}`;
      let k = keys.get(id);
      if (k === undefined) {
        k = { kind, client, server, port, distinct: 0, failures: 0, accepted: 0, firstSyn: Infinity, lastSyn: -Infinity, values: new Set(), threshold };
        keys.set(id, k);
      }
      if (a.outcome === 'accepted') {
        k.accepted++;
        continue;
      }
      k.failures++;
      k.values.add(value);
      k.firstSyn = Math.min(k.firstSyn, ...times);
      k.lastSyn = Math.max(k.lastSyn, ...times);
    }
  }
  return [...keys.values()]
    .filter((k) => k.values.size >= k.threshold)
    .map(({ values, threshold: _t, ...k }) => ({ ...k, distinct: values.size }))
    .sort((a, b) => b.failures - a.failures);
}

const keyOf = (r: { kind: string; client: string | null; server: string | null; port: number | null }): string => `${r.kind} ${r.client} ${r.server} ${r.port}`;

describe('ScanFinder on real captures, against tshark', () => {
  it.each(CAPTURES.map((path) => [path.slice(path.lastIndexOf('/') + 1), path]))('%s', async (_name, path) => {
    const [{ scans }, expected] = [await replayScans([path]), expectedScans(path)];
    const rows: ScanRow[] = scans.rows();
    expect(rows.map(keyOf).sort()).toEqual(expected.map(keyOf).sort());
    for (const e of expected) {
      const row = rows.find((r) => keyOf(r) === keyOf(e));
      if (row === undefined) continue;
      expect(row.failures, keyOf(e)).toBe(e.failures);
      expect(row.attempts, keyOf(e)).toBeGreaterThanOrEqual(e.failures);
      expect(row.attempts, keyOf(e)).toBeLessThanOrEqual(e.failures + e.accepted);
      // Exact up to EXACT_DISTINCT, and for ports in a bitmap; an estimate for addresses beyond.
      if (e.distinct <= EXACT_DISTINCT || e.kind === 'vertical') expect(row.distinct, keyOf(e)).toBe(e.distinct);
      else expect(Math.abs(row.distinct / e.distinct - 1), `${keyOf(e)}: ${row.distinct} for ${e.distinct}`).toBeLessThanOrEqual(ESTIMATE_TOLERANCE);
      // The first SYN of the first failure is the earliest SYN of a failing tuple; the latest
      // failure's first SYN is no later than the latest SYN of one (a retransmission may follow it).
      const first = Date.parse(row.first ?? '') / 1000;
      const last = Date.parse(row.last ?? '') / 1000;
      expect(Math.abs(first - e.firstSyn), keyOf(e)).toBeLessThan(0.001);
      expect(last, keyOf(e)).toBeLessThan(e.lastSyn + 0.001);
      expect(Math.abs(row.duration_seconds - (last - first)), keyOf(e)).toBeLessThan(0.002);
    }
    expect(rows.map((r) => r.failures)).toEqual(rows.map((r) => r.failures).sort((a, b) => b - a));
  });
});
