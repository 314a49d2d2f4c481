import { alarmIndices, runDetectorConformance, vectorShift } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { MMDDrift } from './mmd-drift.js';

const shifted = vectorShift({ seed: 12, length: 3000, at: 1000, dimension: 8, shifted: 2, delta: 1 });
const stationary = vectorShift({ seed: 11, length: 10_000, at: 10_000, dimension: 8, shifted: 2, delta: 1 });

describe('MMDDrift', () => {
  it('fires at the golden index; the permutation seed moves the threshold slightly', () => {
    expect(alarmIndices(new MMDDrift(), shifted)).toEqual([1026]);
    expect(alarmIndices(new MMDDrift({ seed: 1 }), shifted)).toEqual([1030]);
  });

  it('sees a shift in any direction, where per-component PCA tests can miss it', () => {
    expect(alarmIndices(new MMDDrift(), shifted)[0]).toBeLessThan(1050);
  });

  it('calibrates its threshold once, when the reference is complete', () => {
    const mmd = new MMDDrift({ referenceSize: 50, windowSize: 10, alpha: 0.01, permutations: 99 });
    for (const x of shifted.slice(0, 49)) mmd.update(x);
    expect(mmd.threshold).toBeNaN();
    mmd.update(shifted[49]!);
    expect(mmd.threshold).toBeGreaterThan(0);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new MMDDrift({ alpha: 0.001, permutations: 100 })).toThrow(
      'MMDDrift: option "permutations" must be an integer >= 999 <= 1000000, got 100',
    );
    expect(() => new MMDDrift({ windowSize: 300 })).toThrow(
      /option "windowSize" must be an integer >= 2 <= 198, got 300/,
    );
    expect(() => new MMDDrift({ bandwidth: 0 })).toThrow(/option "bandwidth" must be a finite number > 0, got 0/);
  });
});

runDetectorConformance({
  name: 'MMDDrift',
  create: () => new MMDDrift(),
  stationary: () => stationary,
  shifted: () => ({ values: shifted, driftAt: 1000 }),
  nonFinite: [[Infinity, 0, 0, 0, 0, 0, 0, 0], [], 'x'],
  falseAlarmBudget: 2,
  maxDelay: 60,
});
