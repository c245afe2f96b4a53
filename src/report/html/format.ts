/**
 * Numbers and times as the page shows them, as plain text (the markup escapes it). A value that is
 * not what the report's type says (a hand-edited or older JSON file) shows as a dash, never as
 * whatever it holds.
 */

/** What a missing or unknown value shows as. */
export const NONE = '–';

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** An integer count with thousands separators (`65,535`). */
export function count(v: unknown): string {
  if (!isNumber(v)) return NONE;
  const [whole, frac] = String(Math.abs(v)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** A count in at most four characters or so, for an axis (`950`, `12k`, `1.5M`). */
export function compactCount(v: number): string {
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(v) >= size) return `${Number((v / size).toFixed(v / size < 10 ? 1 : 0))}${suffix}`;
  }
  return String(v);
}

/**
 * A ratio in 0..1 as a percentage with one decimal (`12.5%`), whole at 0 and 1; a ratio that one
 * decimal would round to 0 or 100 without being it shows as `<0.1%` or `>99.9%`.
 */
export function percent(v: unknown): string {
  if (!isNumber(v)) return NONE;
  if (v === 0 || v === 1) return `${v * 100}%`;
  if (v > 0 && v < 0.0005) return '<0.1%';
  if (v < 1 && v >= 0.9995) return '>99.9%';
  return `${(v * 100).toFixed(1)}%`;
}

/** A bucket width in seconds as a round duration (`1 ms`, `10 s`, `1 min`, `6 h`, `1 day`). */
export function bucketWidth(v: unknown): string {
  if (!isNumber(v)) return NONE;
  const units: [number, string][] = [
    [86400, 'day'],
    [3600, 'h'],
    [60, 'min'],
    [1, 's'],
    [0.001, 'ms'],
  ];
  for (const [size, unit] of units) {
    const n = v / size;
    if (n >= 1 && Number.isInteger(Math.round(n * 1000) / 1000)) return `${Math.round(n)} ${unit}${unit === 'day' && n !== 1 ? 's' : ''}`;
  }
  return duration(v);
}

/** A duration in seconds in its natural unit (`850 us`, `12.3 ms`, `4.20 s`, `3 h 5 min`). */
export function duration(v: unknown): string {
  if (!isNumber(v)) return NONE;
  if (v < 0.001) return `${(v * 1e6).toFixed(0)} us`;
  if (v < 1) return `${(v * 1e3).toFixed(1)} ms`;
  if (v < 120) return `${v.toFixed(2)} s`;
  if (v < 7200) return `${Math.floor(v / 60)} min ${Math.round(v % 60)} s`;
  if (v < 172800) return `${Math.floor(v / 3600)} h ${Math.round((v % 3600) / 60)} min`;
  return `${(v / 86400).toFixed(1)} days`;
}

/** A byte count in its natural unit (`512 B`, `1.2 MB`). */
export function bytes(v: unknown): string {
  if (!isNumber(v)) return NONE;
  if (v < 1024) return `${v} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let n = v / 1024;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${n.toFixed(1)} ${units[u]}`;
}

const ISO = /^(\d{4,}-\d\d-\d\d)T(\d\d:\d\d:\d\d(?:\.\d+)?)Z$/;

/** The UTC date of an RFC 3339 UTC time (`2026-12-03`), or null when `v` is not one. */
export function utcDate(v: unknown): string | null {
  const m = typeof v === 'string' ? ISO.exec(v) : null;
  return m ? m[1] : null;
}

/**
 * An RFC 3339 UTC time as `2026-12-03 18:00:00.123`, or only `18:00:00.123` when its date is
 * `sameDate` (said once elsewhere); null (beyond the range of a date) as "out of range".
 */
export function utcTime(v: unknown, sameDate?: string | null): string {
  if (v === null) return 'out of range';
  const m = typeof v === 'string' ? ISO.exec(v) : null;
  if (!m) return NONE;
  return m[1] === sameDate ? m[2] : `${m[1]} ${m[2]}`;
}

/** `n` and a noun, singular for 1 (`1 frame`, `2 frames`); `plural` when not the noun and an s. */
export function counted(n: unknown, noun: string, plural = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : plural}`;
}

/** A name from the report (`icmp_rejected`, `port_unreachable`) in words (`icmp rejected`). */
export function words(name: string): string {
  return name.replaceAll('_', ' ');
}
