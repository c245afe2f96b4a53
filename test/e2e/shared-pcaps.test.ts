/**
 * rstwatch's counts on the real public captures of ../shared/pcaps must agree, per server port,
 * with an independent count: the tshark-driven oracle (kit/tshark-oracle.ts), which
 * decodes with Wireshark's dissectors and counts with a plain Map-based reading of SEMANTICS.md.
 * Also checked: nothing in a real capture is a decode error, and the ICMP reasons agree.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayForReport } from '../../src/report/replay-run.js';
import { buildReplayReport, type ReplayReport } from '../../src/report/replay-report.js';
import { oracleCounts, type OracleResult } from '../../kit/tshark-oracle.js';
import { sharedPcaps } from '../support/shared-pcaps.js';

const shared = sharedPcaps();

function sharedCaptures(): string[] {
  return readdirSync(shared)
    .filter((f) => /\.(pcap|pcapng|cap)$/.test(f))
    .sort();
}

async function replay(file: string, attemptTimeoutSeconds: number): Promise<ReplayReport> {
  const result = await replayForReport([file], { attemptTimeoutSeconds });
  expect(result.error).toBeUndefined();
  return buildReplayReport(result, { version: 'test', attemptTimeoutSeconds, maxAttempts: result.tracker.capacity, topN: 5 });
}

const FIELDS = ['attempts', 'accepted', 'refused', 'icmp_rejected', 'unanswered', 'syn_retransmits'] as const;

function byPort(rows: { port: number }[]): Record<number, Record<string, number>> {
  const out: Record<number, Record<string, number>> = {};
  for (const r of rows) {
    const rec = r as unknown as Record<string, number>;
    out[r.port] = Object.fromEntries(FIELDS.map((f) => [f, rec[f]]));
  }
  return out;
}

function compare(report: ReplayReport, oracle: OracleResult): void {
  expect(byPort(report.ports)).toEqual(byPort(oracle.ports));
  for (const f of FIELDS) expect(report.totals[f], f).toBe(oracle.totals[f]);
  // The report lists only the reasons seen.
  expect(report.totals.icmp_rejected_by_reason).toEqual(Object.fromEntries(Object.entries(oracle.icmpByReason).filter(([, n]) => n > 0)));
}

const files = sharedCaptures();

/**
 * Decode errors that are really in the captures. ndpi_gnutella frame 1 holds 4 of its 60 bytes
 * (`tshark -r ndpi_gnutella.pcap -T fields -e frame.cap_len -e frame.len -c 1` prints `4 60`).
 */
const REAL_DECODE_ERRORS: Record<string, Record<string, number>> = {
  'ndpi_gnutella.pcap': { truncated_link: 1 },
};

describe('real captures: rstwatch agrees with the independent tshark count, per port', () => {
  it('finds the shared captures', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s (no timeout: the end of the capture decides)', async (name) => {
    const file = join(shared, name);
    const report = await replay(file, 0);
    compare(report, oracleCounts(file));
    // Real captures are well formed but for what is listed (and checked with tshark) above.
    expect(report.decode_errors).toEqual(REAL_DECODE_ERRORS[name] ?? {});
    expect(report.decoded.tcp).toBeGreaterThan(0);
  });

  it.each(['kdd99_nmap.pcap', 'ndpi_gnutella.pcap', 'sgr_SkypeIRC.cap', 'zeek_ssh-client-side-half-duplex.pcap'])(
    '%s with a 20 s attempt timeout',
    async (name) => {
      const file = join(shared, name);
      compare(await replay(file, 20), oracleCounts(file, { attemptTimeoutSeconds: 20 }));
    },
  );
});

describe('real captures: facts documented with them (SOURCES.md, Zeek conn.log)', () => {
  it('zeek_pop3: the 6 REJ connections of Zeek are 6 refused attempts on port 110', async () => {
    const r = await replay(join(shared, 'zeek_pop3.pcap'), 0);
    expect(r.ports.find((p) => p.port === 110)).toMatchObject({ refused: 6, accepted: 5 });
  });

  it('nslkdd_nmap: nmap -sS of 1000 ports, 998 refused', async () => {
    expect((await replay(join(shared, 'nslkdd_nmap.pcap'), 0)).totals.refused).toBe(998);
  });

  it('unsw_nmap (pcapng, nanoseconds): 999 refused', async () => {
    expect((await replay(join(shared, 'unsw_nmap.pcap'), 0)).totals.refused).toBe(999);
  });

  it('zeek_redis loopback (NULL): ::1 refused, 127.0.0.1 accepted', async () => {
    const r = await replay(join(shared, 'zeek_redis-attr-loopback.pcap'), 0);
    expect(r.totals).toMatchObject({ refused: 2, accepted: 2 });
    expect(r.top_refusing_servers[0].address).toBe('::1');
  });

  it('kdd99_nmap: NAT refusals ~21 s late are refused without a timeout, unanswered with 20 s', async () => {
    const file = join(shared, 'kdd99_nmap.pcap');
    expect((await replay(file, 0)).totals.refused).toBe(637);
    const short = await replay(file, 20);
    expect(short.totals.refused).toBe(3); // the three port-8300 RSTs arrive ~1.1 s after their SYN
    expect(short.totals.unanswered).toBe(634);
  });

  it('arkime_ospf: 17 IPv6 SYNs rejected by ICMPv6 no-route (net_unreachable)', async () => {
    const r = await replay(join(shared, 'arkime_ospf.pcap'), 0);
    expect(r.totals.icmp_rejected_by_reason.net_unreachable).toBe(17);
  });

  it('esnet, instagram and smtp ICMP errors reject nothing', async () => {
    for (const name of ['esnet_nmap-80-service-detection.pcap', 'ndpi_instagram.pcap', 'zeek_smtp.pcap']) {
      expect((await replay(join(shared, name), 0)).totals.icmp_rejected, name).toBe(0);
    }
  });
});
