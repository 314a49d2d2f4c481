import { alarmIndices, bernoulli, bernoulliShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { DDM } from './ddm.js';

const rising = bernoulliShift({ seed: 12, length: 4000, at: 2000, from: 0.1, to: 0.3 });

describe('DDM', () => {
  it('fires at the golden index after the error rate rises, warning first', () => {
    const ddm = new DDM();
    const warnings: number[] = [];
    const alarms: number[] = [];
    rising.forEach((x, i) => {
      ddm.update(x);
      if (ddm.warningDetected) warnings.push(i);
      if (ddm.driftDetected) alarms.push(i);
    });
    expect(alarms).toEqual([2073]);
    expect(warnings.filter((i) => i >= 2000)[0]).toBeLessThan(2073);
    expect(warnings).not.toContain(2073);
  });

  it('does not fire on the first error after a perfect warm-up (River raises drift here)', () => {
    const ddm = new DDM();
    alarmIndices(ddm, Array<boolean>(100).fill(false));
    expect(ddm.update(true).driftDetected).toBe(false);
  });

  it('ignores a falling error rate', () => {
    const falling = bernoulliShift({ seed: 3, length: 4000, at: 2000, from: 0.3, to: 0.05 });
    expect(alarmIndices(new DDM(), falling).filter((i) => i >= 2000)).toEqual([]);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new DDM({ warmStart: 0 })).toThrow('DDM: option "warmStart" must be an integer >= 1, got 0');
    expect(() => new DDM({ driftThreshold: 1 })).toThrow(/option "driftThreshold" must be a finite number >= 2, got 1/);
  });
});

runDetectorConformance({
  name: 'DDM',
  create: () => new DDM(),
  stationary: () => bernoulli(11, 20_000, 0.1),
  shifted: () => ({ values: rising, driftAt: 2000 }),
  nonFinite: [NaN, undefined, 'yes'],
  falseAlarmBudget: 1,
  maxDelay: 150,
});
