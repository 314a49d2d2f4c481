import { alarmIndices, bernoulli, bernoulliShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { HDDMW } from './hddm-w.js';

const rising = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.1, to: 0.3 });
const falling = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.3, to: 0.05 });

describe('HDDMW', () => {
  it('fires at the golden indices after the error rate rises', () => {
    expect(alarmIndices(new HDDMW(), rising)).toEqual([2115, 2488]);
  });

  it('adds the decrease test with twoSidedTest', () => {
    expect(alarmIndices(new HDDMW(), falling)).toEqual([1227]);
    expect(alarmIndices(new HDDMW({ twoSidedTest: true }), falling)).toEqual([1227, 2018]);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new HDDMW({ lambda: 0 })).toThrow('HDDMW: option "lambda" must be a finite number > 0 <= 1, got 0');
    expect(() => new HDDMW({ driftConfidence: 1 })).toThrow(
      /option "driftConfidence" must be a finite number > 0 < 1, got 1/,
    );
  });
});

runDetectorConformance({
  name: 'HDDMW',
  create: () => new HDDMW(),
  stationary: () => bernoulli(11, 20_000, 0.1),
  shifted: () => ({ values: rising, driftAt: 2000 }),
  nonFinite: [NaN, 2],
  falseAlarmBudget: 1,
  maxDelay: 200,
});
