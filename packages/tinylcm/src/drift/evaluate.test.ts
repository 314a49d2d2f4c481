import { describe, expect, it } from 'vitest';
import { evaluateStream, periodicAlarms, quantile, score } from './evaluate.js';
import { PageHinkley } from './page-hinkley.js';

describe('score', () => {
  it('counts the first alarm of an episode window as detection and every other alarm as false', () => {
    const s = score([110, 120, 500], [100], 1000, { deltaMax: 100 });
    expect(s.delays).toEqual([10]);
    expect(s.falseAlarms).toBe(2);
    // 900 samples lie outside the one 100-sample window.
    expect(s.falseAlarmsPer10k).toBeCloseTo((2 * 10_000) / 900, 10);
    expect(s.mtfa).toBe(450);
    expect(s.precision).toBeCloseTo(1 / 3, 12);
    expect(s.recall).toBe(1);
  });

  it('ends an episode window at the next drift point', () => {
    const s = score([160], [100, 150], 1000, { deltaMax: 100 });
    expect(s.delays).toEqual([10]);
    expect(s.missedEpisodes).toBe(1);
  });

  it('leaves recall and F1 undefined (NaN) on a no-drift stream, and MTFA infinite without false alarms', () => {
    const quiet = score([], [], 1000, { deltaMax: 50 });
    expect(quiet.f1).toBeNaN();
    expect(quiet.recall).toBeNaN();
    expect(quiet.mtfa).toBe(Infinity);
    expect(quiet.delayMedian).toBeNaN();
    expect(score([], [100], 1000, { deltaMax: 50 }).f1).toBe(0);
  });

  it('computes nearest-rank quantiles', () => {
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});

describe('evaluateStream', () => {
  it('gives the periodic baseline perfect recall', () => {
    const s = score(periodicAlarms(10_000, 250), [1000, 5000], 10_000, { deltaMax: 250 });
    expect(s.recall).toBe(1);
    expect(s.precision).toBe(2 / 40);
  });

  it('scores a detector on a stream and reports the baseline F1 beside it', () => {
    const values = Array.from({ length: 3000 }, (_, i) => (i >= 1000 ? 5 : 0));
    const r = evaluateStream(
      () => new PageHinkley({ threshold: 10 }),
      { name: 'step', inputType: 'number', values, driftPoints: [1000] },
      { deltaMax: 100 },
    );
    expect(r.detectedEpisodes).toBe(1);
    expect(r.delays[0]).toBeLessThan(5);
    expect(r.f1).toBe(1);
    expect(r.baselineF1).toBeCloseTo((2 * (1 / 30)) / (1 + 1 / 30), 12);
  });
});
