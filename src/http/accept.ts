/**
 * Content negotiation for /metrics: the Prometheus text format (0.0.4) unless the Accept header
 * asks for OpenMetrics at least as strongly as for text (RFC 9110 section 12.5.1 quality values).
 */

/** Quality (0..1) of one media range's parameters: its `q`, default 1. */
function quality(params: readonly string[]): number {
  for (const p of params) {
    const [k, v] = p.split('=', 2).map((x) => x.trim());
    if (k.toLowerCase() === 'q') {
      const q = Number(v);
      return Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 0;
    }
  }
  return 1;
}

/** The `version` parameter of a media range, or undefined. */
function version(params: readonly string[]): string | undefined {
  for (const p of params) {
    const [k, v] = p.split('=', 2).map((x) => x.trim());
    if (k.toLowerCase() === 'version') return v?.replace(/^"|"$/g, '');
  }
  return undefined;
}

/** OpenMetrics versions whose parsers read what prom-client writes (1.0.0; 0.0.1 is the same syntax). */
const OPENMETRICS_VERSIONS = new Set([undefined, '1.0.0', '0.0.1']);

/**
 * True when an `Accept` header value prefers OpenMetrics (`application/openmetrics-text`) to the
 * text format (`text/plain`, `text/*` or any type): its quality is above 0 and not below text's. A
 * missing header means text. Prometheus' own header (OpenMetrics q=1, text q=0.5) gets OpenMetrics.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  let openMetricsQ = 0;
  let textQ = 0;
  for (const range of accept.split(',')) {
    const [typeText, ...params] = range.split(';');
    const type = typeText.trim().toLowerCase();
    const q = quality(params);
    if (type === 'application/openmetrics-text') {
      if (OPENMETRICS_VERSIONS.has(version(params))) openMetricsQ = Math.max(openMetricsQ, q);
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      textQ = Math.max(textQ, q);
    }
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ;
}
