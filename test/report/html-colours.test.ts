/**
 * The outcome colours stay apart for colour-blind readers: each pair differs by at least
 * MIN_DELTA_E (CIE76, in CIELAB) under full protanopia, deuteranopia and tritanopia as simulated
 * by Machado, Oliveira and Fernandes (IEEE TVCG 2009, severity 1.0), and from the white page.
 * 2.3 is about the least difference a person notices; 20 is one that reads at a glance.
 */
import { describe, expect, it } from 'vitest';
import { OUTCOME_STYLES } from '../../src/report/html/outcome-colours.js';

const MIN_DELTA_E = 20;

/** Machado et al. 2009, severity 1.0, on linear RGB. */
const SIMULATIONS: Record<string, number[][]> = {
  normal: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

/** sRGB `#rrggbb` as linear RGB in 0..1 (IEC 61966-2-1). */
function linear(hex: string): number[] {
  return [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
}

/** Linear RGB as CIELAB (D65). */
function lab([r, g, b]: number[]): number[] {
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

function seen(hex: string, m: number[][]): number[] {
  const c = linear(hex);
  return lab(m.map((row) => Math.min(1, Math.max(0, row[0] * c[0] + row[1] * c[1] + row[2] * c[2]))));
}

function deltaE(a: number[], b: number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

describe('outcome colours for colour-blind readers', () => {
  it.each(Object.entries(SIMULATIONS))('%s: every pair of outcomes, and each against the white page, differ by at least 20', (_name, m) => {
    const colours = OUTCOME_STYLES.map((s) => [s.key, seen(s.colour, m)] as const);
    const white = seen('#ffffff', m);
    for (let i = 0; i < colours.length; i++) {
      expect(deltaE(colours[i][1], white), `${colours[i][0]} / white`).toBeGreaterThanOrEqual(MIN_DELTA_E);
      for (let j = i + 1; j < colours.length; j++) {
        expect(deltaE(colours[i][1], colours[j][1]), `${colours[i][0]} / ${colours[j][0]}`).toBeGreaterThanOrEqual(MIN_DELTA_E);
      }
    }
  });

  it('a palette that is not colour-blind safe fails the same check (red beside green)', () => {
    const m = SIMULATIONS.deuteranopia;
    expect(deltaE(seen('#d62728', m), seen('#2ca02c', m))).toBeLessThan(MIN_DELTA_E);
  });
});
