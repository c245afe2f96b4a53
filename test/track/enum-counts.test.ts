import { describe, expect, it } from 'vitest';
import { Heuristic, HEURISTIC_COUNT, HEURISTIC_NAMES } from '../../src/detect/heuristics.js';
import { Counter, PORT_COUNTERS } from '../../src/track/counters.js';
import { Direction, DIRECTION_COUNT, DIRECTION_NAMES } from '../../src/track/direction.js';

/** An enum object's values, sorted: dense when they are its indexes 0 to count - 1, each once. */
function denseValues(e: Record<string, number>): number[] {
  return Object.values(e).sort((a, b) => a - b);
}

describe('enum counts derived from their tables', () => {
  it.each<[string, Record<string, number>, number, readonly string[] | undefined]>([
    ['direction', Direction, DIRECTION_COUNT, DIRECTION_NAMES],
    ['heuristic', Heuristic, HEURISTIC_COUNT, HEURISTIC_NAMES],
    ['port counter', Counter, PORT_COUNTERS, undefined],
  ])('%s: values 0 to count - 1, a name for each', (_what, e, count, names) => {
    expect(denseValues(e)).toEqual([...Array(count).keys()]);
    if (names) expect(names).toHaveLength(count);
  });
});
