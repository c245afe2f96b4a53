/**
 * Asks a running `rstwatch live` for the failures it saw and their causes (GET /api/v1/causes).
 * Never rejects: a daemon that does not answer, answers with an error, or answers something else
 * gives a report of null and the reason.
 */
import type { CausesReport } from '../causes/failure-causes.js';
import type { DaemonAnswer } from './port-report.js';

/** How long `rstwatch diagnose` waits for the daemon, ms. */
export const DAEMON_TIMEOUT_MS = 3000;

function looksLikeCausesReport(v: unknown): v is CausesReport {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<CausesReport>;
  return Array.isArray(r.ports) && typeof r.kernel_reads === 'number' && r.ports.every((p) => typeof p?.port === 'number' && Array.isArray(p.outcomes));
}

/** The daemon at `baseUrl` (e.g. http://127.0.0.1:7465), asked once about `ports` (all its ports when empty). */
export async function askDaemon(baseUrl: string, timeoutMs = DAEMON_TIMEOUT_MS, ports: readonly number[] = []): Promise<DaemonAnswer> {
  const u = new URL('api/v1/causes', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  if (ports.length > 0) u.searchParams.set('port', ports.join(','));
  const url = u.toString();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const text = await res.text();
    if (!res.ok) {
      let reason = text.trim().slice(0, 200);
      try {
        reason = String((JSON.parse(text) as { error?: unknown }).error ?? reason);
      } catch {
        // not JSON: keep the text
      }
      return { url: baseUrl, report: null, error: `HTTP ${res.status}: ${reason}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { url: baseUrl, report: null, error: 'the answer is not JSON (is it rstwatch live?)' };
    }
    if (!looksLikeCausesReport(body)) return { url: baseUrl, report: null, error: 'the answer is not an rstwatch causes report (is it rstwatch live?)' };
    return { url: baseUrl, report: body };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { url: baseUrl, report: null, error: reason };
  }
}
