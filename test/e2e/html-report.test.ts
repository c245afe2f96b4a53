/**
 * The `--html` page in a real browser (Debian's headless chromium, driven over the DevTools
 * protocol by kit/chromium.ts), loaded from file:// with no server: pages of the real `--json`
 * output of the built binary on a scan and on a mixed capture of ../shared/pcaps, and of the test
 * reports (a scan of every port with 10000 pairs, a report whose strings are markup).
 *
 * For each: the browser requested nothing but the page (its network log), logged no console
 * error, exception or Content-Security-Policy violation; the ports and pairs tables are in the DOM
 * with the rows the report calls for; the chart drew (an SVG with bars of non-zero size); the page
 * is no wider than a laptop's 1366 px screen nor a 1920 px one; a click on a header sorts its
 * table; on paper the scroll boxes unfold, the navigation goes and a table prints its first rows. A hostile report's markup does
 * not run, and even markup slipped past the escaping (put into the page by hand here) neither runs
 * nor fetches anything: a local HTTP server counts the requests it gets, and gets none.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Chromium, type Tab } from '../../kit/chromium.js';
import { DEFAULT_MAX_ROWS, renderHtmlReport } from '../../src/report/html/page.js';
import type { PageReport, PairRow, ScanRow } from '../../src/report/html/report-fields.js';
import type { ReplayReport } from '../../src/report/replay-report.js';
import { freePort } from '../support/free-port.js';
import { sharedPcaps } from '../support/shared-pcaps.js';
import { asReplayReport, hostileReport, mixedReport, scanReport } from '../report/html-fixture.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = sharedPcaps();
const dir = mkdtempSync(join(tmpdir(), 'rstwatch-html-'));
let browser: Chromium;
let server: Server;
let port: number;
/** Requests the local HTTP server got: there must be none. */
const leaks: string[] = [];

beforeAll(async () => {
  port = await freePort();
  server = createServer((req, res) => {
    leaks.push(req.url ?? '');
    res.end('');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  browser = await Chromium.launch();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** The `--json` report of the built binary on a shared capture. */
function replayJson(name: string): PageReport {
  const r = spawnSync(process.execPath, [join(root, 'dist/rstwatch.js'), 'replay', '--json', join(shared, name)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PageReport;
}

/** Writes `page` to a file and opens it in a new 1366x768 tab. */
async function load(name: string, page: string): Promise<{ tab: Tab; url: string }> {
  const path = join(dir, `${name}.html`);
  writeFileSync(path, page);
  const url = pathToFileURL(path).href;
  const tab = await browser.newTab(1366, 768);
  await tab.open(url);
  return { tab, url };
}

/** What the DOM holds: table rows, the chart's size and bars, the page's width. */
interface Dom {
  ports: string[];
  pairs: string[];
  portFoot: string | null;
  chart: { width: number; height: number; bars: number; drawnBars: number } | null;
  scrollWidth: number;
}

const READ_DOM = `(() => {
  const rows = (id) => [...document.querySelectorAll('#' + id + ' tbody tr')];
  const svg = document.querySelector('svg.chart');
  const box = svg && svg.getBoundingClientRect();
  const bars = svg ? [...svg.querySelectorAll('path.bar')] : [];
  return {
    ports: rows('ports-table').map((tr) => tr.cells[0].textContent),
    pairs: rows('pairs-table').map((tr) => [0, 1, 2].map((i) => tr.cells[i].textContent).join(' ')),
    portFoot: document.querySelector('#ports-table tfoot td')?.textContent ?? null,
    chart: svg && { width: box.width, height: box.height, bars: bars.length, drawnBars: bars.filter((p) => { const b = p.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length },
    scrollWidth: document.documentElement.scrollWidth,
  };
})()`;

/** The checks every page passes: nothing fetched, nothing logged, the chart drawn, no wider than the screen at 1366 and 1920. */
async function checkPage(tab: Tab, url: string): Promise<Dom> {
  const dom = await tab.evaluate<Dom>(READ_DOM);
  expect(tab.requests).toEqual([url]);
  expect(tab.problems).toEqual([]);
  expect(dom.scrollWidth).toBeLessThanOrEqual(1366);
  await tab.setViewport(1920, 1080);
  expect(await tab.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1920);
  await tab.setViewport(1366, 768);
  expect(dom.chart, 'the chart').not.toBeNull();
  expect(dom.chart!.width).toBeGreaterThan(1000);
  expect(dom.chart!.height).toBeGreaterThan(200);
  expect(dom.chart!.drawnBars).toBeGreaterThan(0);
  expect(dom.chart!.drawnBars).toBe(dom.chart!.bars);
  return dom;
}

/** What a scan's `distinct` counts. */
const SPANS: Record<string, string> = { vertical: 'ports', horizontal: 'servers', flood: 'clients' };

/** Whether pair `p` is scan `s`'s. */
const inScan = (s: ScanRow, p: PairRow): boolean =>
  s.kind === 'vertical'
    ? s.client === p.client && s.server === p.server
    : s.kind === 'horizontal'
      ? s.client === p.client && s.port === p.port
      : s.server === p.server && s.port === p.port;

/**
 * The ports of `report` as the page orders them: most failures, most attempts, lower port; when
 * most ports saw one attempt (a scan's, 15 ports at least), the ports one scan failed on once each
 * first, as one `N ports` row per scan (a vertical scan's ports are those of its pairs).
 */
function expectedPorts(report: PageReport): string[] {
  const failures = (p: PageReport['ports'][number]): number => p.refused + p.icmp_rejected + p.unanswered;
  const sorted = [...report.ports].sort((a, b) => failures(b) - failures(a) || b.attempts - a.attempts || a.port - b.port);
  const scans = report.scans ?? [];
  const pairKeys = new Set((report.pairs ?? []).map((p) => `${p.server} ${p.client} ${p.port}`));
  const scansOf = (port: number): ScanRow[] => scans.filter((s) => (s.kind === 'vertical' ? pairKeys.has(`${s.server} ${s.client} ${port}`) : s.port === port));
  const scan = report.ports.length >= 15 && report.ports.filter((p) => p.attempts === 1).length * 2 > report.ports.length;
  const groups = new Map<ScanRow, number>();
  const single: string[] = [];
  for (const p of sorted) {
    const of = scansOf(p.port);
    if (scan && of.length === 1 && p.attempts === 1 && p.accepted === 0) groups.set(of[0], (groups.get(of[0]) ?? 0) + 1);
    else single.push(String(p.port));
  }
  return [...[...groups.values()].map((n) => `${n.toLocaleString('en-US')} ports`), ...single].slice(0, DEFAULT_MAX_ROWS);
}

/**
 * The pairs of `report` as the page orders them (most failures, most attempts, the report's
 * order), as `server port client`; those a scan failed on once each first, one row per scan, what
 * differs among them counted (`10.0.0.9 80 9,999 clients`).
 */
function expectedPairs(report: PageReport): string[] {
  const failures = (p: PairRow): number => p.refused + p.icmp_rejected + p.unanswered;
  const sorted = [...(report.pairs ?? [])].sort((a, b) => failures(b) - failures(a) || b.attempts - a.attempts);
  const scans = report.scans ?? [];
  const groups = new Map<ScanRow, number>();
  const single: string[] = [];
  for (const p of sorted) {
    const s = p.attempts === 1 && p.accepted === 0 ? scans.find((x) => inScan(x, p)) : undefined;
    if (s === undefined) single.push(`${p.server} ${p.port} ${p.client}`);
    else groups.set(s, (groups.get(s) ?? 0) + 1);
  }
  const grouped = [...groups].map(([s, n]) => {
    const many = `${n.toLocaleString('en-US')} ${SPANS[s.kind]}`;
    return `${s.server ?? many} ${s.port ?? many} ${s.client ?? many}`;
  });
  return [...grouped, ...single].slice(0, DEFAULT_MAX_ROWS);
}

describe.each([
  ['a scan: nslkdd_nmap.pcap', 'nslkdd_nmap.pcap', 0, ['#1 vertical 10.0.2.9 10.0.2.8 many 998 ports']],
  ['a mixed capture: sgr_SkypeIRC.cap', 'sgr_SkypeIRC.cap', 0, []],
  ['an injected RST: zeek_rst-inject-rae.pcap', 'zeek_rst-inject-rae.pcap', 1, []],
])('the page of %s, in chromium', (_what, capture, suspects, scans) => {
  it('fetches nothing, logs no error, has the ports, pairs, scans and suspect resets in the DOM and a chart drawn', async () => {
    const report = replayJson(capture);
    const { tab, url } = await load(capture, renderHtmlReport(report as unknown as ReplayReport));
    const dom = await checkPage(tab, url);
    expect(dom.ports).toEqual(expectedPorts(report));
    expect(dom.ports.length).toBeGreaterThan(0);
    expect(dom.pairs).toEqual(expectedPairs(report));
    expect(dom.pairs.length).toBeGreaterThan(0);
    // One row per suspect RST, whatever the report lists (it may list a RST again for a later verdict).
    expect(await tab.evaluate<number>(`document.querySelectorAll('#suspects-table tbody tr').length`)).toBe(suspects);
    expect(report.totals.suspect_resets).toBe(suspects);
    const scanRows = `[...document.querySelectorAll('#scans-table tbody tr')].map((tr) => [...tr.cells].slice(0, 6).map((c) => c.textContent).join(' '))`;
    expect(await tab.evaluate<string[]>(scanRows)).toEqual(scans);
  });
});

describe('the test reports, in chromium', () => {
  it('a scan of every port with 10000 pairs: 200 rows each, the rest summed; a header click sorts', async () => {
    const report = scanReport();
    const { tab, url } = await load('scan', renderHtmlReport(asReplayReport(report)));
    const dom = await checkPage(tab, url);
    expect(dom.ports).toEqual(expectedPorts(report));
    expect([dom.ports.length, dom.pairs, dom.portFoot]).toEqual([200, ['10.0.0.9 80 9,999 clients', '10.0.0.9 80 10.0.0.5'], '65,335 other ports']);
    expect(dom.pairs).toEqual(expectedPairs(report));
    const order = async (): Promise<string[]> =>
      tab.evaluate<string[]>(`[...document.querySelectorAll('#ports-table tbody tr')].map((tr) => tr.cells[0].textContent)`);
    await tab.evaluate(`document.querySelector('#ports-table thead th').click()`);
    const sorted = await order();
    expect(sorted.slice(0, 3)).toEqual(['200', '199', '198']);
    await tab.evaluate(`document.querySelector('#ports-table thead th').click()`);
    expect((await order()).slice(0, 3)).toEqual(['1', '2', '3']);
    expect(tab.problems).toEqual([]);
  });

  it('on paper: the scroll boxes unfold, the navigation goes, the first 50 rows of a table are printed and a line says so', async () => {
    const { tab } = await load('print', renderHtmlReport(asReplayReport(scanReport())));
    const read = `(() => {
      const rows = [...document.querySelectorAll('#ports-table tbody tr')];
      const shown = (e) => getComputedStyle(e).display !== 'none';
      return [getComputedStyle(document.querySelector('.scroll')).maxHeight, shown(document.querySelector('nav')), rows.filter(shown).length, shown(document.querySelector('.print-only'))];
    })()`;
    expect(await tab.evaluate(read)).toEqual(['476.16px', true, 200, false]); // 62vh of 768 px
    await tab.emulatePrint(true);
    expect(await tab.evaluate(read)).toEqual(['none', false, 50, true]);
  });

  it("a hostile report's markup does not run and fetches nothing", async () => {
    const report = hostileReport(mixedReport());
    report.files[0].path = `/tmp/<img src="http://127.0.0.1:${port}/escaped" onerror="window.__pwned=3">.pcap`;
    const { tab, url } = await load('hostile', renderHtmlReport(asReplayReport(report)));
    await checkPage(tab, url);
    const state = await tab.evaluate<unknown[]>(`[typeof window.__pwned, document.querySelectorAll('img').length, document.scripts.length, document.title]`);
    expect(state).toEqual(['undefined', 0, 1, `rstwatch: /tmp/<img src="http://127.0.0.1:${port}/escaped" onerror="window.__pwned=3">.pcap and 1 more`]);
    expect(leaks).toEqual([]);
  });

  it('markup slipped past the escaping (put in by hand) is blocked by the page policy: no script runs, nothing is fetched', async () => {
    const page = renderHtmlReport(asReplayReport(mixedReport())).replace(
      '<main>',
      `<main><img src="http://127.0.0.1:${port}/img"><script>window.__pwned = 4</script><link rel="stylesheet" href="http://127.0.0.1:${port}/css">`,
    );
    const { tab } = await load('slipped', page);
    expect(await tab.evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(tab.problems.filter((p) => p.includes('Content Security Policy'))).toHaveLength(3);
    expect(leaks).toEqual([]);
  });
});
