import { alarmIndices, gaussian, gaussianShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { ADWIN } from './adwin.js';

const shifted = gaussianShift({ seed: 12, length: 3000, at: 1000, from: { mean: 0, std: 1 }, to: { mean: 1, std: 1 } });

describe('ADWIN', () => {
  it('fires at the golden index, once per change (no duplicate alarms, River issue #574)', () => {
    expect(alarmIndices(new ADWIN(), shifted)).toEqual([1023]);
  });

  it('trades CPU for delay with clock', () => {
    expect(alarmIndices(new ADWIN({ clock: 1 }), shifted)).toEqual([1020]);
  });

  it('fires only on clock ticks', () => {
    for (const i of alarmIndices(new ADWIN({ clock: 16 }), shifted)) expect((i + 1) % 16).toBe(0);
  });

  it('keeps a compressed window whose width counts the observations since the last drift', () => {
    const adwin = new ADWIN();
    alarmIndices(adwin, gaussian(3, 5000));
    expect(adwin.width).toBe(5000);
    expect(adwin.statistic).toBeCloseTo(0, 1);
    expect((adwin.snapshot().state.totals as unknown[]).length).toBeLessThan(100);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new ADWIN({ delta: 0 })).toThrow('ADWIN: option "delta" must be a finite number > 0 < 1, got 0');
    expect(() => new ADWIN({ clock: 0 })).toThrow(/option "clock" must be an integer >= 1, got 0/);
    expect(() => new ADWIN({ maxBuckets: 1 })).toThrow(/option "maxBuckets" must be an integer >= 2 <= 64, got 1/);
  });
});

runDetectorConformance({
  name: 'ADWIN',
  create: () => new ADWIN(),
  stationary: () => gaussian(11, 20_000),
  shifted: () => ({ values: shifted, driftAt: 1000 }),
  falseAlarmBudget: 1,
  maxDelay: 64,
});
