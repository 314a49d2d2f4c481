import { alarmIndices, gaussian, gaussianShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { CUSUM } from './cusum.js';

const shift = (seed: number, to: number, scale = 1) =>
  gaussianShift({ seed, length: 3000, at: 1000, from: { mean: 0, std: scale }, to: { mean: to * scale, std: scale } });

describe('CUSUM', () => {
  it('fires at the golden indices after seeded upward and downward shifts', () => {
    expect(alarmIndices(new CUSUM(), shift(12, 1))).toEqual([1008]);
    expect(alarmIndices(new CUSUM(), shift(13, -1))).toEqual([1012]);
  });

  it('is scale-free: the same stream times 1000 gives the same alarms', () => {
    expect(alarmIndices(new CUSUM(), shift(12, 1, 1000))).toEqual(alarmIndices(new CUSUM(), shift(12, 1)));
  });

  it('never fires on a constant stream', () => {
    expect(alarmIndices(new CUSUM(), Array(500).fill(3))).toEqual([]);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new CUSUM({ h: 0 })).toThrow('CUSUM: option "h" must be a finite number > 0, got 0');
    expect(() => new CUSUM({ k: -0.1 })).toThrow(/option "k" must be a finite number >= 0, got -0.1/);
    expect(() => new CUSUM({ minInstances: 1 })).toThrow(/option "minInstances" must be an integer >= 2, got 1/);
  });
});

runDetectorConformance({
  name: 'CUSUM',
  create: () => new CUSUM(),
  stationary: () => gaussian(11, 20_000),
  shifted: () => ({ values: shift(12, 1), driftAt: 1000 }),
  falseAlarmBudget: 4,
  maxDelay: 40,
});
