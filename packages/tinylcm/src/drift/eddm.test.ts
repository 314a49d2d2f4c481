import { bernoulli, bernoulliShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { EDDM } from './eddm.js';

const rising = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.1, to: 0.3 });

describe('EDDM', () => {
  it('fires at the golden indices (EDDM is false-alarm prone at its defaults)', () => {
    const eddm = new EDDM();
    const alarms: number[] = [];
    rising.forEach((x, i) => eddm.update(x).driftDetected && alarms.push(i));
    expect(alarms).toEqual([368, 1701, 2045, 2274, 2484, 2851, 3042, 3227, 3641, 3824]);
  });

  it('measures the distance between errors: regular errors every 10 samples never drift', () => {
    const eddm = new EDDM();
    for (let i = 0; i < 2000; i++) expect(eddm.update(i % 10 === 0).driftDetected).toBe(false);
    expect(eddm.statistic).toBe(1);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new EDDM({ alpha: 1 })).toThrow('EDDM: option "alpha" must be a finite number > 0 < 1, got 1');
    expect(() => new EDDM({ beta: 0.99 })).toThrow(/option "beta" must be a finite number > 0 <= 0.95, got 0.99/);
  });
});

runDetectorConformance({
  name: 'EDDM (River defaults)',
  create: () => new EDDM(),
  stationary: () => bernoulli(11, 20_000, 0.1),
  shifted: () => ({ values: rising, driftAt: 2000 }),
  nonFinite: [NaN, undefined],
  // Measured: 19 alarms on this 20,000-sample stationary stream (docs/drift.md).
  falseAlarmBudget: 25,
  maxDelay: 100,
});
