/**
 * `--html FILE`: the replay report as one self-contained page, readable in a browser with no
 * server and no network. Styles, the sorting script and the chart (SVG drawn here) are inline;
 * the page names no URL but its own anchors and one `data:` icon, and its Content-Security-Policy
 * allows nothing else to load: no request leaves the page, and a script that is not this page's
 * own (by its hash) does not run, even one that slipped past the escaping. Every string from the
 * report is escaped (markup.ts). The tables show at most `maxRows` rows each (a scan's 65535
 * ports, 10000 pairs) and say how many they left out, so the page stays small.
 */
import { createHash } from 'node:crypto';
import type { PairJson, ReplayReport } from '../replay-report.js';
import { count, utcTime } from './format.js';
import { markup, raw, type Html } from './markup.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_CSS } from './page-style.js';
import { pairSection } from './pair-table.js';
import { portSection } from './port-table.js';
import { listOf, type PageData } from './report-fields.js';
import { PortArray, type PortRow, type PortSource } from '../port-rows.js';
import { scanSection } from './scan-table.js';
import { headerSection, notesSection, totalsSection } from './summary-sections.js';
import { suspectSection } from './suspect-table.js';
import { timelineChart } from './timeline-chart.js';

/** Rows each table shows at most, by default. */
export const DEFAULT_MAX_ROWS = 200;

/** Rendering choices. */
export interface HtmlOptions {
  /** Rows each table shows at most (ports, pairs, scans, suspect resets). */
  maxRows?: number;
}

/** The CSP source of an inline element's text: its SHA-256, base64 (CSP Level 2, "hash-source"). */
function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Loads nothing from anywhere; runs only this style sheet and this script. */
const CSP = [
  "default-src 'none'",
  `style-src ${hashSource(PAGE_CSS)}`,
  `script-src ${hashSource(PAGE_SCRIPT)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The sections in page order: anchor, title, body. */
function sections(r: PageData, maxRows: number): [string, string, Html][] {
  return [
    ['totals', 'Totals', totalsSection(r)],
    ['timeline', 'Timeline', timelineChart(r.timeline, r.totals)],
    ['scans', 'Scans and floods', scanSection(r, maxRows)],
    ['ports', 'Server ports', portSection(r, maxRows)],
    ['pairs', 'Who refuses whom', pairSection(r, maxRows)],
    ['suspects', 'Suspect resets', suspectSection(r, maxRows)],
    ['notes', 'Notes', notesSection(r)],
  ];
}

/** What the page is made of: the object `--json` prints, its port rows as a list or read by index from the counters. */
export type HtmlReportInput = Omit<ReplayReport, 'ports' | 'pairs'> & { ports: readonly PortRow[] | PortSource; pairs: Iterable<PairJson> };

/** The page of `report`, a complete HTML document. */
export function renderHtmlReport(report: HtmlReportInput, options: HtmlOptions = {}): string {
  const ports = Array.isArray(report.ports) || report.ports === undefined ? new PortArray(listOf(report.ports as readonly PortRow[])) : report.ports;
  // An older report has no pairs: left out, the section says so.
  const pairs = report.pairs === undefined || Array.isArray(report.pairs) ? report.pairs : [...report.pairs];
  const r = { ...report, ports, pairs } as unknown as PageData;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const parts = sections(r, maxRows);
  const firstFile = r.files?.[0]?.path;
  const title = `rstwatch: ${firstFile ?? 'replay'}${(r.files?.length ?? 0) > 1 ? ` and ${r.files.length - 1} more` : ''}`;
  const page = markup`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rstwatch ${r.rstwatch_version}">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${raw(PAGE_CSS)}</style>
</head><body>
<nav><b>rstwatch</b>${parts.map(([id, name]) => markup`<a href="#${id}">${name}</a>`)}</nav>
<main>
${headerSection(r)}
${parts.map(([id, name, body]) => markup`<section><h2 id="${id}">${name}</h2>\n${body}</section>\n`)}
<footer>rstwatch ${r.rstwatch_version}, ${count(r.packets)} packets to ${utcTime(r.capture?.last)} UTC. A self-contained page: it loads nothing from anywhere. Every count follows docs/semantics.md; the JSON (--json) has every row.</footer>
</main>
<script>${raw(PAGE_SCRIPT)}</script>
</body></html>
`;
  return page.text;
}
