/**
 * A time axis in UTC: ticks at round instants (multiples of a step from a ladder of round
 * durations, counted from the epoch, so days start at 00:00 UTC), each labelled with as much of the
 * time as its step needs, and the date where it changes.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps in milliseconds, ascending. */
const STEPS_MS: readonly number[] = [
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
  28 * DAY,
  91 * DAY,
  182 * DAY,
  364 * DAY,
  1820 * DAY,
  3640 * DAY,
  36400 * DAY,
  364000 * DAY,
];

/** The largest time a `Date` holds, ms since the epoch (ECMA-262 21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

/**
 * One tick: where (ms since the epoch) and its label; `context` is the larger unit the label leaves
 * out (the date, or the year for ticks of whole days), set on the first tick and where it changes.
 */
export interface TimeTick {
  ms: number;
  label: string;
  context: string | null;
}

/** The smallest step of the ladder that puts at most `maxTicks` ticks on `spanMs` (the largest when none does). */
export function timeStepMs(spanMs: number, maxTicks: number): number {
  for (const step of STEPS_MS) if (spanMs / step <= maxTicks) return step;
  return STEPS_MS[STEPS_MS.length - 1];
}

/** The ticks on [fromMs, toMs] at multiples of `stepMs`. */
export function timeTicks(fromMs: number, toMs: number, stepMs: number): TimeTick[] {
  const ticks: TimeTick[] = [];
  let lastContext = '';
  for (let ms = Math.ceil(fromMs / stepMs) * stepMs; ms <= Math.min(toMs, MAX_DATE_MS); ms += stepMs) {
    const iso = new Date(ms).toISOString();
    const context = stepMs >= DAY ? iso.slice(0, 4) : iso.slice(0, 10);
    ticks.push({ ms, label: timeLabel(iso, stepMs), context: context !== lastContext ? context : null });
    lastContext = context;
  }
  return ticks;
}

/** The part of an ISO time a tick of `stepMs` needs: the date alone for whole days, else the time to the step's precision. */
function timeLabel(iso: string, stepMs: number): string {
  if (stepMs >= DAY) return iso.slice(5, 10);
  if (stepMs >= MINUTE) return iso.slice(11, 16);
  if (stepMs >= SECOND) return iso.slice(11, 19);
  const decimals = stepMs >= 100 ? 1 : stepMs >= 10 ? 2 : 3;
  return iso.slice(11, 20 + decimals);
}
