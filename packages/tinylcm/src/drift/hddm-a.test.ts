import { alarmIndices, bernoulli, bernoulliShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { HDDMA } from './hddm-a.js';

const rising = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.1, to: 0.3 });
const falling = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.3, to: 0.05 });

describe('HDDMA', () => {
  it('fires at the golden index after the error rate rises', () => {
    expect(alarmIndices(new HDDMA(), rising)).toEqual([2246]);
  });

  it('fires on a falling error rate only with twoSidedTest', () => {
    expect(alarmIndices(new HDDMA(), falling)).toEqual([]);
    expect(alarmIndices(new HDDMA({ twoSidedTest: true }), falling)).toEqual([2036]);
  });

  it('warns before it fires', () => {
    const hddm = new HDDMA();
    const warnings: number[] = [];
    rising.forEach((x, i) => hddm.update(x).warningDetected && warnings.push(i));
    expect(warnings.find((i) => i >= 2000)).toBeLessThan(2246);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new HDDMA({ driftConfidence: 0 })).toThrow(
      'HDDMA: option "driftConfidence" must be a finite number > 0 < 1, got 0',
    );
    expect(() => new HDDMA({ warningConfidence: 0.0001 })).toThrow(
      /option "warningConfidence" must be a finite number >= 0.001 < 1/,
    );
    expect(() => new HDDMA({ twoSidedTest: 'yes' as unknown as boolean })).toThrow(
      /option "twoSidedTest" must be a boolean, got "yes"/,
    );
  });
});

runDetectorConformance({
  name: 'HDDMA',
  create: () => new HDDMA(),
  stationary: () => bernoulli(11, 20_000, 0.1),
  shifted: () => ({ values: rising, driftAt: 2000 }),
  nonFinite: [NaN, null],
  falseAlarmBudget: 1,
  maxDelay: 300,
});
