import { alarmIndices, gaussian, gaussianShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { ksCriticalCount, ksExactSurvival } from './internal/ks-test.js';
import { KSWIN } from './kswin.js';

const shifted = gaussianShift({ seed: 12, length: 3000, at: 1000, from: { mean: 0, std: 1 }, to: { mean: 1, std: 1 } });
const widened = gaussianShift({ seed: 14, length: 3000, at: 1000, from: { mean: 0, std: 1 }, to: { mean: 0, std: 3 } });

describe('KSWIN', () => {
  it('fires at the golden indices, which depend on the seed', () => {
    expect(alarmIndices(new KSWIN(), shifted)).toEqual([539, 1020, 1354, 1913]);
    expect(alarmIndices(new KSWIN({ seed: 7 }), shifted)).toEqual([187, 309, 541, 1019]);
  });

  it('fires at the golden indices on a variance change (1σ to 3σ)', () => {
    expect(alarmIndices(new KSWIN({ alpha: 0.001 }), widened)).toEqual([455]);
    expect(alarmIndices(new KSWIN(), widened)).toEqual([414, 957, 1333, 1670, 2147, 2422]);
  });

  it('uses the exact KS null distribution', () => {
    // Two samples of 3 fully separated: 2 of the C(6,3) = 20 orderings.
    expect(ksExactSurvival(3, 3)).toBeCloseTo(0.1, 12);
    expect(ksExactSurvival(30, 1)).toBe(1);
    expect(ksCriticalCount(30, 0.005)).toBe(14);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new KSWIN({ alpha: 1 })).toThrow('KSWIN: option "alpha" must be a finite number > 0 < 1, got 1');
    expect(() => new KSWIN({ windowSize: 50, statSize: 30 })).toThrow(
      /option "windowSize" must be an integer >= 60, got 50/,
    );
    expect(() => new KSWIN({ seed: 0.5 })).toThrow(/option "seed" must be an integer, got 0.5/);
  });
});

runDetectorConformance({
  name: 'KSWIN (River defaults)',
  create: () => new KSWIN(),
  stationary: () => gaussian(11, 20_000),
  shifted: () => ({ values: shifted, driftAt: 1000 }),
  // River's defaults test every sample at alpha 0.005: about 15 false alarms per 10,000 (docs/drift.md).
  falseAlarmBudget: 40,
  maxDelay: 40,
});
