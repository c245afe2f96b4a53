/**
 * The landing page at `/`: what runs, and links to the endpoints.
 */

/** What the landing page shows. */
export interface LandingInfo {
  /** rstwatch version. */
  readonly version: string;
  /** Interface captured (`any` for all). */
  readonly interfaceName: string;
  /** Capture backend (`native` or `cap`). */
  readonly backend: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The landing page's HTML (a small static page; values escaped). */
export function renderLandingPage(info: LandingInfo): string {
  const v = escapeHtml(info.version);
  const i = escapeHtml(info.interfaceName);
  const b = escapeHtml(info.backend);
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>rstwatch</title></head>
<body>
<h1>rstwatch</h1>
<p>Counts refused TCP connections from the wire.</p>
<table>
<tr><th align="left">version</th><td>${v}</td></tr>
<tr><th align="left">interface</th><td>${i}</td></tr>
<tr><th align="left">backend</th><td>${b}</td></tr>
</table>
<ul>
<li><a href="metrics">/metrics</a>: Prometheus metrics (text format, or OpenMetrics on request)</li>
<li><a href="healthz">/healthz</a>: 200 while the process runs</li>
<li><a href="readyz">/readyz</a>: 200 once the capture is running, 503 with the reason before</li>
<li><a href="api/v1/causes">/api/v1/causes</a>: failed inbound attempts by port, outcome and cause, with the evidence (JSON; what <code>rstwatch diagnose</code> asks)</li>
</ul>
</body>
</html>
`;
}
