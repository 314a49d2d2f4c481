import { alarmIndices, neighbourShift, runDetectorConformance } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { NeighbourDiversity } from './neighbour-diversity.js';

const stream = (seed: number, to: number, length = 3000, at = 1000) =>
  neighbourShift({ seed, length, at, k: 5, classes: 10, from: 0.95, to });

describe('NeighbourDiversity', () => {
  it('fires at the golden index when neighbourhoods become mixed', () => {
    expect(alarmIndices(new NeighbourDiversity(), stream(12, 0.75))).toEqual([1041]);
  });

  it('fires when neighbourhoods become clean again, unless twoSided is false', () => {
    const recovering = neighbourShift({ seed: 12, length: 3000, at: 1000, k: 5, classes: 10, from: 0.75, to: 0.95 });
    expect(alarmIndices(new NeighbourDiversity(), recovering)).toEqual([1077]);
    expect(alarmIndices(new NeighbourDiversity({ twoSided: false }), recovering)).toEqual([]);
  });

  it('counts disagreement with the majority label, with numbers or strings', () => {
    const nd = new NeighbourDiversity({ minInstances: 1, windowSize: 1, maxMismatched: 1 });
    nd.update([1, 1, 1, 1, 1]);
    expect(nd.update([1, 1, 1, 2, 2]).statistic).toBe(1);
    expect(nd.update(['a', 'a', 'a', 'a', 'b']).statistic).toBe(0);
  });

  it('takes KNN neighbours ({label, distance}) as they are', () => {
    const nd = new NeighbourDiversity({ minInstances: 1, windowSize: 1 });
    nd.update([{ label: 'a' }, { label: 'a' }, { label: 'a' }]);
    const mixed = [
      { label: 'a', distance: 1 },
      { label: 'b', distance: 2 },
      { label: 'c', distance: 3 },
    ];
    expect(nd.update(mixed).statistic).toBe(1);
    expect(nd.ignoredCount).toBe(0);
  });

  it('ignores and counts empty or malformed neighbour lists', () => {
    const nd = new NeighbourDiversity();
    nd.update([])
      .update([NaN, 1])
      .update([{} as unknown as string])
      .update([{ label: NaN }])
      .update(['a', 'a']);
    expect(nd.ignoredCount).toBe(4);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new NeighbourDiversity({ delta: 0 })).toThrow(
      'NeighbourDiversity: option "delta" must be a finite number > 0 < 1, got 0',
    );
    expect(() => new NeighbourDiversity({ maxMismatched: -1 })).toThrow(
      /option "maxMismatched" must be an integer >= 0 <= 63/,
    );
  });
});

runDetectorConformance({
  name: 'NeighbourDiversity',
  create: () => new NeighbourDiversity(),
  stationary: () => stream(11, 0.95, 20_000, 20_000),
  shifted: () => ({ values: stream(12, 0.75), driftAt: 1000 }),
  nonFinite: [[], [NaN], null],
  falseAlarmBudget: 1,
  maxDelay: 80,
});
