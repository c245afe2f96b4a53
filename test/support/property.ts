/**
 * How many cases a property test runs. By default a small number (DEFAULT_PROPERTY_RUNS, or the
 * test's own count when smaller), so that the whole unit suite stays quick; for a long run set
 * RSTWATCH_PROPERTY_RUNS=long (each test's own count) or to a number of at least 100 (that many for
 * every test).
 * fast-check prints the seed and path of a failing case, so a failure found in a long run can be
 * replayed.
 */

/** Cases per property when RSTWATCH_PROPERTY_RUNS is not set. */
export const DEFAULT_PROPERTY_RUNS = 200;

/** The fewest cases RSTWATCH_PROPERTY_RUNS may ask for. */
export const MIN_PROPERTY_RUNS = 100;

/** fast-check parameters for a property whose long run is `longRuns` cases. */
export function propertyRuns(longRuns: number): { numRuns: number } {
  const env = process.env.RSTWATCH_PROPERTY_RUNS;
  if (env === undefined || env === '') return { numRuns: Math.min(longRuns, DEFAULT_PROPERTY_RUNS) };
  if (env === 'long') return { numRuns: longRuns };
  const n = Number(env);
  // Fewer than MIN_PROPERTY_RUNS would make the tests that count a share of their cases a lottery.
  if (!Number.isInteger(n) || n < MIN_PROPERTY_RUNS) {
    throw new Error(`RSTWATCH_PROPERTY_RUNS must be 'long' or an integer of at least ${MIN_PROPERTY_RUNS}, not '${env}'`);
  }
  return { numRuns: n };
}
