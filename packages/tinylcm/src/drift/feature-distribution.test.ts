import { alarmIndices, runDetectorConformance, vectorShift } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { FeatureDistribution } from './feature-distribution.js';
import { bonferroni, holm } from './internal/multiple-testing.js';

// Anisotropic features, as a CNN embedding after a scaler has them: the shift is in a leading component.
const stds = [4, 3, 2, 1, 1, 1, 1, 1];
const shifted = vectorShift({ seed: 12, length: 3000, at: 1000, dimension: 8, shifted: 1, delta: 2, stds });
const stationary = vectorShift({ seed: 11, length: 10_000, at: 10_000, dimension: 8, shifted: 1, delta: 2, stds });

describe('FeatureDistribution', () => {
  it('fires at the golden index on a half-sigma shift of the leading component', () => {
    expect(alarmIndices(new FeatureDistribution(), shifted)).toEqual([1128]);
    expect(alarmIndices(new FeatureDistribution({ correction: 'bonferroni' }), shifted)).toEqual([1128]);
  });

  it('misses a shift outside the tested components unless all are tested (PCA keeps variance, not change)', () => {
    const isotropic = vectorShift({ seed: 12, length: 3000, at: 1000, dimension: 8, shifted: 2, delta: 1 });
    expect(alarmIndices(new FeatureDistribution({ components: 8 }), isotropic)).toEqual([1068]);
  });

  it('reports how many components rejected', () => {
    const fd = new FeatureDistribution();
    for (const x of shifted.slice(0, 1129)) fd.update(x);
    expect(fd.driftDetected).toBe(true);
    expect(fd.driftingComponents).toBeGreaterThanOrEqual(1);
    expect(fd.statistic).toBeGreaterThan(0.2);
  });

  it('Holm rejects at least as many components as Bonferroni', () => {
    expect(bonferroni(Float64Array.from([0.02, 0.001, 0.01]), 3, 0.05)).toBe(2);
    expect(holm(Float64Array.from([0.02, 0.001, 0.01]), 3, 0.05)).toBe(3);
    expect(holm(Float64Array.from([0.2, 0.001, 0.01]), 3, 0.05)).toBe(2);
  });

  it('ignores vectors of another dimension', () => {
    const fd = new FeatureDistribution();
    fd.update([1, 2, 3]).update([1, 2]).update([1, NaN, 3]);
    expect(fd.ignoredCount).toBe(2);
  });

  it('rejects out-of-range options, naming the option and its range', () => {
    expect(() => new FeatureDistribution({ components: 0 })).toThrow(
      'FeatureDistribution: option "components" must be an integer >= 1 <= 64, got 0',
    );
    expect(() => new FeatureDistribution({ correction: 'fdr' as 'holm' })).toThrow(
      /option "correction" must be one of "holm", "bonferroni"/,
    );
  });
});

runDetectorConformance({
  name: 'FeatureDistribution',
  create: () => new FeatureDistribution(),
  stationary: () => stationary,
  shifted: () => ({ values: shifted, driftAt: 1000 }),
  nonFinite: [[NaN, 0, 0, 0, 0, 0, 0, 0], [1, 2], null],
  falseAlarmBudget: 1,
  maxDelay: 200,
});
