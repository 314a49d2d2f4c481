import { alarmIndices, classShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { Prng } from '../random/prng.js';
import { PredictionDistribution } from './prediction-distribution.js';

const uniform = Array<number>(10).fill(0.1);
const skewed = [0.6, ...Array<number>(9).fill(0.4 / 9)];
const shifted = classShift({ seed: 12, length: 3000, at: 1000, from: uniform, to: skewed });
const LABELS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

describe('PredictionDistribution', () => {
  it('fires at the golden index in block and ewma modes', () => {
    expect(alarmIndices(new PredictionDistribution(), shifted)).toEqual([1039]);
    expect(alarmIndices(new PredictionDistribution({ method: 'ewma' }), shifted)).toEqual([1025]);
  });

  it('accepts labels and gives the same alarms as indices', () => {
    const labels = shifted.map((i) => LABELS[i]!);
    expect(alarmIndices(new PredictionDistribution({ labels: LABELS }), labels)).toEqual([1039]);
  });

  it('with a fixed reference keeps firing once per window while the shift lasts', () => {
    const alarms = alarmIndices(new PredictionDistribution({ reference: uniform }), shifted);
    expect(alarms[0]).toBe(1040);
    expect(alarms.length).toBeGreaterThan(30);
    expect(alarms.every((i) => i >= 1000)).toBe(true);
  });

  it('ignores and counts unknown labels and out-of-range classes', () => {
    const pd = new PredictionDistribution({ labels: LABELS, maxClasses: 10 });
    pd.update('zebra').update(-1).update(10).update(1.5).update('a');
    expect(pd.ignoredCount).toBe(4);
  });

  it('keeps its reference with relearn: false, signalling while the shift lasts and not on the way back', () => {
    const pd = new PredictionDistribution({ relearn: false });
    const rng = new Prng(1);
    const uniform = () => rng.nextInt(4);
    const signals = (n: number, draw: () => number) =>
      Array.from({ length: n }, () => pd.update(draw()).driftDetected).filter(Boolean).length;
    expect(signals(400, uniform)).toBe(0);
    expect(signals(100, () => 0)).toBeGreaterThan(60);
    const back = Array.from({ length: 300 }, () => pd.update(uniform()).driftDetected);
    expect(back.lastIndexOf(true)).toBeLessThan(50);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new PredictionDistribution({ threshold: 2 })).toThrow(
      'PredictionDistribution: option "threshold" must be a finite number > 0 <= 1, got 2',
    );
    expect(() => new PredictionDistribution({ method: 'median' as 'block' })).toThrow(
      /option "method" must be one of "block", "ewma"/,
    );
    expect(() => new PredictionDistribution({ reference: [0, 0] })).toThrow(
      /option "reference" must be null or 2..256 non-negative numbers/,
    );
    expect(() => new PredictionDistribution({ labels: ['a', 'a'] })).toThrow(
      /option "labels" must be null or up to 256 distinct strings/,
    );
  });
});

for (const method of ['block', 'ewma'] as const) {
  runDetectorConformance({
    name: `PredictionDistribution (${method})`,
    create: () => new PredictionDistribution({ method }),
    stationary: () => classShift({ seed: 11, length: 20_000, at: 20_000, from: uniform, to: uniform }),
    shifted: () => ({ values: shifted, driftAt: 1000 }),
    nonFinite: [NaN, -1, 2.5, 'unknown'],
    falseAlarmBudget: 2,
    maxDelay: 60,
  });
}
