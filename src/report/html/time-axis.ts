/**
 * A time axis in UTC: ticks at round instants, each labelled with as much of the time as its step
 * needs, and the date (or year) where it changes. Steps up to two weeks are fixed durations counted
 * from the epoch (so days start at 00:00 UTC); longer ones are whole months or years of the
 * calendar (ticks on the first of a month, of a quarter, of a year).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The mean length of a month of the Gregorian calendar, to count how many ticks a span of months makes. */
const MONTH = 30.436875 * DAY;

/** Fixed tick steps in milliseconds, ascending. */
const FIXED_STEPS_MS: readonly number[] = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
];

/** Calendar tick steps in months, ascending. */
const MONTH_STEPS: readonly number[] = [1, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 6000, 12000];

/** The largest time a `Date` holds, ms since the epoch (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/** A tick step: a fixed number of milliseconds, or of calendar months. */
export type TimeStep = { ms: number; months?: undefined } | { months: number; ms?: undefined };

/**
 * One tick: where (ms since the epoch) and its label; `context` is the larger unit the label leaves
 * out (the date, or the year for ticks of whole days), set on the first tick and where it changes.
 */
export interface TimeTick {
  ms: number;
  label: string;
  context: string | null;
}

/** The smallest step that puts at most `maxTicks` ticks on `spanMs` (the largest when none does). */
export function timeStep(spanMs: number, maxTicks: number): TimeStep {
  for (const ms of FIXED_STEPS_MS) if (spanMs / ms <= maxTicks) return { ms };
  for (const months of MONTH_STEPS) if (spanMs / (months * MONTH) <= maxTicks) return { months };
  return { months: MONTH_STEPS[MONTH_STEPS.length - 1] };
}

/** The ticks on [fromMs, toMs] at `step`. */
export function timeTicks(fromMs: number, toMs: number, step: TimeStep): TimeTick[] {
  const end = Math.min(toMs, MAX_DATE_MS);
  const instants: number[] = [];
  if (step.ms !== undefined) {
    for (let ms = Math.ceil(fromMs / step.ms) * step.ms; ms <= end; ms += step.ms) instants.push(ms);
  } else {
    const from = new Date(fromMs);
    // Months since year 0 of the first month that starts at or after fromMs, rounded up to the step.
    const startsAt = Date.UTC(from.getUTCFullYear(), from.getUTCMonth()) < fromMs ? 1 : 0;
    const first = Math.ceil((from.getUTCFullYear() * 12 + from.getUTCMonth() + startsAt) / step.months) * step.months;
    for (let m = first; ; m += step.months) {
      const ms = Date.UTC(Math.floor(m / 12), m % 12);
      if (ms > end) break;
      instants.push(ms);
    }
  }
  const ticks: TimeTick[] = [];
  let lastContext = '';
  for (const ms of instants) {
    const iso = new Date(ms).toISOString();
    const [label, context] = tickLabel(iso, step);
    ticks.push({ ms, label, context: context !== lastContext ? context : null });
    lastContext = context;
  }
  return ticks;
}

/**
 * The part of an ISO time a tick of `step` shows, and the larger unit it leaves out: the time to the
 * step's precision and its date; for whole days the month and day, and the year; for months the
 * year and month; for years the year alone.
 */
function tickLabel(iso: string, step: TimeStep): [string, string] {
  if (step.months !== undefined) return step.months >= 12 ? [iso.slice(0, 4), ''] : [iso.slice(0, 7), ''];
  const date = iso.slice(0, 10);
  if (step.ms >= DAY) return [iso.slice(5, 10), iso.slice(0, 4)];
  if (step.ms >= MINUTE) return [iso.slice(11, 16), date];
  if (step.ms >= SECOND) return [iso.slice(11, 19), date];
  const decimals = step.ms >= 100 ? 1 : step.ms >= 10 ? 2 : 3;
  return [iso.slice(11, 20 + decimals), date];
}
