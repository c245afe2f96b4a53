/**
 * The `--html` page (src/report/html/page.ts) as text: self-contained (no URL but its own anchors
 * and a data: icon; its Content-Security-Policy names the hashes of its one style sheet and one
 * script), every string from the report escaped, the tables bounded and saying what they left out
 * (the rows shown and the left-out row add up to the totals), small on a scan of every port, and
 * rendered from a report written before issue 13's fields. The page in a real browser:
 * test/e2e/html-report.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ROWS, renderHtmlReport } from '../../src/report/html/page.js';
import type { PageReport } from '../../src/report/html/report-fields.js';
import { asReplayReport, emptyReport, HOSTILE, hostileReport, mixedReport, olderReport, scanReport } from './html-fixture.js';

function render(r: PageReport, maxRows?: number): string {
  return renderHtmlReport(asReplayReport(r), maxRows === undefined ? {} : { maxRows });
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** Text of markup: tags dropped, entities read. */
function text(markup: string): string {
  return markup.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);
}

/** The cells (as text) of each body row and of the foot row of the table `id`. */
function table(page: string, id: string): { head: string[]; rows: string[][]; foot: string[] | null } {
  const m = new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(page);
  if (!m) throw new Error(`no table ${id}`);
  const cells = (tr: string): string[] => [...tr.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => text(c[1]));
  const part = (tag: string): string[][] =>
    [...(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(m[1])?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cells(r[1]));
  return { head: part('thead')[0], rows: part('tbody'), foot: part('tfoot')[0] ?? null };
}

/** A count as the page shows it, as a number. */
function num(cell: string): number {
  return Number(cell.replaceAll(',', ''));
}

/** The outcome columns of `t`, each summed over the body rows and the foot row. */
function columnSums(t: ReturnType<typeof table>): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const name of ['attempts', 'accepted', 'refused', 'ICMP rej.', 'unanswered']) {
    const c = t.head.indexOf(name);
    sums[name] = [...t.rows, ...(t.foot ? [t.foot] : [])].reduce((s, r) => s + num(r[c]), 0);
  }
  return sums;
}

function totalsOf(r: PageReport): Record<string, number> {
  const t = r.totals;
  return { attempts: t.attempts, accepted: t.accepted, refused: t.refused, 'ICMP rej.': t.icmp_rejected, unanswered: t.unanswered };
}

describe('the page is self-contained', () => {
  const page = render(mixedReport());

  it('is one document with one style sheet and one script, both allowed by hash and nothing else', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true);
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect([styles.length, scripts.length, page.split('<script').length - 1, page.split('<style').length - 1]).toEqual([1, 1, 1, 1]);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)?.[1] ?? '';
    const hash = (s: string): string => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(text(csp).split('; ')).toEqual([
      "default-src 'none'",
      `style-src ${hash(styles[0])}`,
      `script-src ${hash(scripts[0])}`,
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<style>'));
  });

  it('names no URL: every link is an anchor of its own or data:, no url(), no @import, no scheme', () => {
    const refs = [...page.matchAll(/\b(href|src|xlink:href|action|srcset|poster|data)\s*=\s*"([^"]*)"/gi)].map((m) => m[2]);
    expect(refs.length).toBeGreaterThan(5);
    expect(refs.filter((v) => !v.startsWith('#') && v !== 'data:,')).toEqual([]);
    for (const needle of ['://', 'url(', '@import', '<link rel="stylesheet', '<iframe', '<object', '<embed', '<img', 'fetch(', 'XMLHttpRequest', 'import(']) {
      expect(page.includes(needle), needle).toBe(false);
    }
  });
});

describe('every string from the report is text, not markup', () => {
  const r = hostileReport(mixedReport());
  // Numbers that are not numbers, as a hand-edited JSON file could have them.
  (r.ports[1] as unknown as Record<string, unknown>).attempts = '<b id="n">1</b>';
  (r.totals as unknown as Record<string, unknown>).refused = '<b id="t">1</b>';
  const page = render(r);

  it('no tag or attribute of the hostile strings survives; the text does, escaped', () => {
    expect(page.split('<script').length - 1).toBe(1);
    for (const needle of ['<img', '<svg onload', '<b id=', 'onerror="', '</title><script', "'><svg"]) expect(page.includes(needle), needle).toBe(false);
    expect(page).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(page).toContain(`<title>rstwatch: /tmp/&lt;/title&gt;&lt;script&gt;`);
    // The path shows whole, as text.
    expect(text(page)).toContain(`/tmp/${HOSTILE}.pcap`);
    expect(page).toContain('<meta name="generator" content="rstwatch &lt;/title&gt;');
  });

  it('a count that is not a number shows as a dash', () => {
    const ports = table(page, 'ports-table');
    const row = ports.rows.find((cells) => cells[0] === '80');
    expect(row?.[ports.head.indexOf('attempts')]).toBe('–');
  });
});

describe('a scan of every port, 10000 pairs and more folded', () => {
  const report = scanReport();
  const page = render(report);

  it('lists the 200 ports with the most failures and sums the rest in the last row: the totals, attempt for attempt', () => {
    const ports = table(page, 'ports-table');
    expect(ports.rows).toHaveLength(DEFAULT_MAX_ROWS);
    expect(ports.rows.slice(0, 3).map((r) => r[0])).toEqual(['80', '1', '2']);
    expect(ports.foot?.[0]).toBe('65,335 other ports');
    expect(columnSums(ports)).toEqual(totalsOf(report));
    expect(text(page)).toContain(
      '65,535 server ports saw an attempt: the 200 with the most failures (then the most attempts) are listed; 65,335 left out, summed in the last row.',
    );
  });

  it('sums the pairs a flood failed on once each in one row, names its scan, and sums the folded ones: the totals again', () => {
    const pairs = table(page, 'pairs-table');
    expect(pairs.rows.map((r) => [...r.slice(0, 6), r.at(-1)])).toEqual([
      ['10.0.0.9', '80', '9,999 clients', '9,999', '0', '9,999', '#2'],
      ['10.0.0.9', '80', '10.0.0.5', '2', '1', '1', ''],
    ]);
    expect(pairs.foot?.[0]).toBe('70,534 other pairs');
    expect(columnSums(pairs)).toEqual(totalsOf(report));
    expect(text(page)).toContain('70,534 of them were folded by the replay itself (--max-pairs)');
    expect(text(page)).toContain('The pairs a scan failed on once each are one row per scan');
    expect(pairs.head.slice(-3)).toEqual(['first (2026-12-03)', 'last (2026-12-03)', 'scan']);
    expect(pairs.rows[0].slice(-3, -1)).toEqual(['18:00:00.050', '18:00:00.050']);
    expect(pairs.rows[1].slice(-3, -1)).toEqual(['18:00:00.000', '18:00:00.071']);
  });

  it('without scans, lists the 200 pairs with the most failures and sums the listed rest and the folded ones', () => {
    const plain = scanReport();
    plain.scans = [];
    const pairs = table(render(plain), 'pairs-table');
    expect(pairs.rows).toHaveLength(DEFAULT_MAX_ROWS);
    expect(pairs.rows[0].slice(0, 3)).toEqual(['10.0.0.9', '80', '10.0.0.5']); // 1 failure, 2 attempts: first among the 1-failure pairs
    expect(pairs.foot?.[0]).toBe(`${(10000 - 200 + 70534).toLocaleString('en-US')} other pairs`);
    expect(columnSums(pairs)).toEqual(totalsOf(report));
    expect(pairs.head).not.toContain('scan');
  });

  it('says where the failures were: mostly on port 80, or spread over every port', () => {
    expect(text(page)).toContain(
      '80,534 failed (>99.9%): 80,534 refused, 0 ICMP rejected, 0 unanswered. Most on port 80 (15,000 of 80,534). 2 scans or floods found; the largest is a vertical scan: 10.0.0.5 failed on 65,535 ports of 10.0.0.9 in 71.0 ms.',
    );
    const spread = scanReport();
    spread.ports[79] = { ...spread.ports[0], port: 80 };
    expect(text(render(spread))).toContain('Spread over 65,535 ports, at most 1 on one.');
  });

  it('names the scans with what they span', () => {
    const scans = table(page, 'scans-table');
    expect(scans.rows.map((r) => r.slice(0, 6))).toEqual([
      ['#1', 'vertical', '10.0.0.5', '10.0.0.9', 'many', '65,535 ports'],
      ['#2', 'flood', 'many', '10.0.0.9', '80', '15,000 clients'],
    ]);
  });

  it('stays small: the page does not grow with the ports and pairs it leaves out', () => {
    expect(page.length).toBeLessThan(200_000);
    const small = scanReport();
    small.ports = small.ports.slice(0, DEFAULT_MAX_ROWS + 1);
    small.pairs = small.pairs?.slice(0, DEFAULT_MAX_ROWS + 1);
    expect(Math.abs(render(small).length - page.length)).toBeLessThan(2_000);
  });

  it('shows at most maxRows rows when asked', () => {
    const p = render(report, 10);
    expect(table(p, 'ports-table').rows).toHaveLength(10);
    expect(columnSums(table(p, 'pairs-table'))).toEqual(totalsOf(report));
  });
});

describe('a mixed capture', () => {
  const report = mixedReport();
  const page = render(report);

  it('says the verdict, the totals, and the ICMP reasons that are not zero with who sent them', () => {
    const t = text(page);
    expect(t).toContain('26,380 connection attempts; 1,382 failed (5.2%): 932 refused, 290 ICMP rejected, 160 unanswered. Most on port 445 (900 of 1,382).');
    expect(t).toContain('ICMP rejections by reason: admin prohibited 280host unreachable 10; 280 sent by an address other than the server');
    const ports = table(page, 'ports-table');
    const rdp = ports.rows.find((r) => r[0] === '3389') ?? [];
    expect([rdp[ports.head.indexOf('failure share')], rdp[ports.head.indexOf('refusal ratio')], rdp[ports.head.indexOf('ICMP from other')]]).toEqual([
      '100%',
      '0%',
      '280',
    ]);
    expect(ports.foot).toBeNull();
    expect(table(page, 'directions-table').rows.map((r) => r[0])).toEqual(['inbound', 'outbound']);
    expect(table(page, 'icmp-answerers').rows).toEqual([['10.1.0.1', '280']]);
  });

  it('lists each suspect RST once with all its heuristics, and explains each heuristic and the baseline', () => {
    const suspects = table(page, 'suspects-table');
    expect(suspects.rows.map((r) => r[3])).toEqual(['ttl_mismatchack_mismatchreset_racereserved_bits', 'ack_mismatch']);
    expect(suspects.rows.map((r) => r.slice(4))).toEqual([
      ['57 (64−7)', '64−3 ×12', '1001 / 5'],
      ['57 (64−7)', '–', '1001 / 5'],
    ]);
    for (const term of ['ttl_mismatch', 'ack_mismatch', 'reset_race', 'seq_burst', 'reserved_bits', 'RST TTL', 'baseline', 'ack expected / got']) {
      expect(page).toContain(`<dt>${term}</dt><dd>`);
    }
  });

  it("says when the scan finder's tables were full", () => {
    const r = mixedReport();
    r.scan_finder = { evicted_keys: 3, dropped_failures: 1 };
    expect(text(render(r))).toContain(
      "The scan finder's tables were full: 3 candidates (client, server or port not yet named a scan) pushed out, 1 failure not counted under any pattern",
    );
    expect(text(page)).not.toContain('scan finder');
  });

  it('shows times across midnight with their dates, and the notes', () => {
    expect(table(page, 'pairs-table').rows[0].slice(-2)).toEqual(['2026-12-03 23:10:01.000', '2026-12-04 01:09:50.250']);
    const t = text(page);
    expect(t).toContain('Answers matching no attempt');
    expect(t).toContain('Malformed frames (counted, skipped): truncated tcp 2.');
    expect(t).toContain('Warning: day2.pcapng: the last record was cut short');
  });
});

describe('reports without issue 13 fields, and without anything', () => {
  it('an older report renders, saying what it lacks; zero ICMP reasons are left out', () => {
    const page = render(olderReport(mixedReport()));
    const t = text(page);
    expect(t).toContain('This report has no timeline');
    expect(t).toContain('This report has no per-pair counts');
    expect(t).toContain('This report has no scan list');
    expect(t).not.toContain('net unreachable');
    expect(page).toContain('<li>ICMP rejections by reason: <span class="tag">admin prohibited 280</span><span class="tag">host unreachable 10</span></li>');
    expect(t).not.toContain('sent by an address other than the server');
    const ports = table(page, 'ports-table');
    expect(ports.rows.find((r) => r[0] === '8080')?.[ports.head.indexOf('failure share')]).toBe('100%');
    expect(table(page, 'refusing-servers').rows).toHaveLength(2);
  });

  it('an empty report renders and says there was nothing', () => {
    const page = render(emptyReport());
    const t = text(page);
    expect(t).toContain('No connection attempt (SYN) seen.');
    expect(t).toContain('No attempt: nothing to draw.');
    expect(page).not.toContain('<table id="ports-table"');
  });

  it('an incomplete report says so at the top', () => {
    const r = mixedReport();
    r.complete = false;
    r.error = { code: 'RSTWATCH_ERR_CAPTURE_FORMAT', message: 'day2.pcapng: bad block length at byte 4096' };
    expect(text(render(r))).toContain('Incomplete: day2.pcapng: bad block length at byte 4096. Everything read before it is counted below.');
  });
});
