import { describe, expect, it } from 'vitest';
import {
  bernoulliShift,
  classShift,
  conceptWeight,
  gaussian,
  gaussianShift,
  neighbourShift,
  vectorShift,
} from './streams.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('seeded streams', () => {
  it('are a pure function of their seed', () => {
    expect(gaussian(1, 100)).toEqual(gaussian(1, 100));
    expect(gaussian(1, 100)).not.toEqual(gaussian(2, 100));
  });

  it('change concept at the stated index', () => {
    const xs = gaussianShift({
      seed: 3,
      length: 20_000,
      at: 10_000,
      from: { mean: 0, std: 1 },
      to: { mean: 5, std: 1 },
    });
    expect(mean(xs.slice(0, 10_000))).toBeCloseTo(0, 1);
    expect(mean(xs.slice(10_000))).toBeCloseTo(5, 1);
    const errors = bernoulliShift({ seed: 3, length: 20_000, at: 10_000, from: 0.1, to: 0.4 }).map(Number);
    expect(mean(errors.slice(0, 10_000))).toBeCloseTo(0.1, 1);
    expect(mean(errors.slice(10_000))).toBeCloseTo(0.4, 1);
  });

  it('blend concepts over the transition width for gradual and incremental shapes', () => {
    expect(conceptWeight(99, 100, 'incremental', 10)).toBe(0);
    expect(conceptWeight(104, 100, 'incremental', 10)).toBe(0.5);
    expect(conceptWeight(104, 100, 'abrupt', 10)).toBe(1);
    const inc = gaussianShift({
      seed: 4,
      length: 3000,
      at: 1000,
      shape: 'incremental',
      width: 1000,
      from: { mean: 0, std: 0 },
      to: { mean: 1, std: 0 },
    });
    expect(inc[1499]).toBeCloseTo(0.5, 12);
  });

  it('generate classes, vectors and neighbour lists of the requested shape', () => {
    const classes = classShift({ seed: 5, length: 1000, at: 500, from: [1, 0, 0], to: [0, 0, 1] });
    expect(classes.slice(0, 500).every((c) => c === 0)).toBe(true);
    expect(classes.slice(500).every((c) => c === 2)).toBe(true);
    const vectors = vectorShift({ seed: 6, length: 10, at: 5, dimension: 4, shifted: 1, delta: 3, stds: [0, 0, 0, 0] });
    expect(Array.from(vectors[9]!)).toEqual([3, 0, 0, 0]);
    const pure = neighbourShift({ seed: 7, length: 50, at: 50, k: 5, classes: 4, from: 1, to: 1 });
    expect(pure.every((n) => n.length === 5 && new Set(n).size === 1)).toBe(true);
  });
});
