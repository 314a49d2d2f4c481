import { alarmIndices, gaussian, gaussianShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { PageHinkley } from './page-hinkley.js';

const shift = (seed: number, to: number) =>
  gaussianShift({ seed, length: 3000, at: 1000, from: { mean: 0, std: 1 }, to: { mean: to, std: 1 } });
const tuned = { delta: 0.5, threshold: 15 };

describe('PageHinkley', () => {
  it('fires at the golden index after a seeded upward mean shift', () => {
    expect(alarmIndices(new PageHinkley(tuned), shift(12, 1))).toEqual([1016]);
  });

  it('detects decreases in mode both, and ignores them in mode up (River issue #810)', () => {
    expect(alarmIndices(new PageHinkley(tuned), shift(13, -1))).toEqual([1018]);
    expect(alarmIndices(new PageHinkley({ ...tuned, mode: 'up' }), shift(13, -1))).toEqual([]);
  });

  it('with River defaults detects a shift on a low-noise signal', () => {
    const values = gaussianShift({
      seed: 12,
      length: 3000,
      at: 1000,
      from: { mean: 0, std: 0.1 },
      to: { mean: 1, std: 0.1 },
    });
    expect(alarmIndices(new PageHinkley(), values)).toEqual([1051]);
  });

  it('does not test before minInstances observations', () => {
    const ph = new PageHinkley({ threshold: 1, minInstances: 100 });
    const values = [...Array(50).fill(0), ...Array(49).fill(100)];
    expect(alarmIndices(ph, values)).toEqual([]);
    expect(ph.update(100).driftDetected).toBe(true);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new PageHinkley({ threshold: -1 })).toThrow(
      'PageHinkley: option "threshold" must be a finite number > 0, got -1',
    );
    expect(() => new PageHinkley({ alpha: 1.5 })).toThrow(/option "alpha" must be a finite number > 0 <= 1, got 1.5/);
    expect(() => new PageHinkley({ minInstances: 2.5 })).toThrow(/option "minInstances" must be an integer >= 1/);
    expect(() => new PageHinkley({ mode: 'sideways' as 'up' })).toThrow(
      /option "mode" must be one of "both", "up", "down", got "sideways"/,
    );
    expect(() => new PageHinkley({ treshold: 5 } as object)).toThrow(/unknown option "treshold"/);
  });
});

runDetectorConformance({
  name: 'PageHinkley (delta 0.5, threshold 15)',
  create: () => new PageHinkley(tuned),
  stationary: () => gaussian(11, 20_000),
  shifted: () => ({ values: shift(12, 1), driftAt: 1000 }),
  falseAlarmBudget: 4,
  maxDelay: 60,
});
