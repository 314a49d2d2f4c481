import { alarmIndices, gaussian, gaussianShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { EWMAChart } from './ewma-chart.js';

const shift = (seed: number, to: number) =>
  gaussianShift({ seed, length: 3000, at: 1000, from: { mean: 0, std: 1 }, to: { mean: to, std: 1 } });

describe('EWMAChart', () => {
  it('fires at the golden indices, on the side it watches', () => {
    expect(alarmIndices(new EWMAChart(), shift(12, 1))).toEqual([1008]);
    expect(alarmIndices(new EWMAChart({ direction: 'down' }), shift(12, 1))).toEqual([]);
    expect(alarmIndices(new EWMAChart({ direction: 'down' }), shift(13, -1))).toEqual([1012]);
  });

  it('reports the EWMA deviation in control-limit units and stays silent during warm-up', () => {
    const chart = new EWMAChart({ minInstances: 10 });
    alarmIndices(chart, gaussian(5, 10));
    expect(chart.statistic).toBeNaN();
    chart.update(0);
    expect(Number.isFinite(chart.statistic)).toBe(true);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new EWMAChart({ lambda: 0 })).toThrow(
      'EWMAChart: option "lambda" must be a finite number > 0 <= 1, got 0',
    );
    expect(() => new EWMAChart({ L: -3 })).toThrow(/option "L" must be a finite number > 0, got -3/);
    expect(() => new EWMAChart({ direction: 'left' as 'up' })).toThrow(/option "direction" must be one of/);
  });
});

runDetectorConformance({
  name: 'EWMAChart',
  create: () => new EWMAChart(),
  stationary: () => gaussian(11, 20_000),
  shifted: () => ({ values: shift(12, 1), driftAt: 1000 }),
  falseAlarmBudget: 3,
  maxDelay: 40,
});
