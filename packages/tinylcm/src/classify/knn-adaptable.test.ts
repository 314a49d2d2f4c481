import { describe, expect, it } from 'vitest';
import type { AdaptableClassifier } from '../adapt/adaptable-classifier.js';
import { KnnClassifier } from './knn-classifier.js';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filled(n: number, seed = 1): { knn: KnnClassifier; rand: () => number } {
  const rand = seeded(seed);
  const knn = new KnnClassifier({ dim: 4, k: 3, capacity: 64, clock: () => 0 });
  for (let i = 0; i < n; i++) knn.add(Float32Array.from({ length: 4 }, rand), `c${i % 3}`, i);
  return { knn, rand };
}

const predictions = (knn: KnnClassifier, queries: Float32Array[]) =>
  queries.map((q) => structuredClone({ ...knn.predict(q) }));

describe('KnnClassifier as an AdaptableClassifier', () => {
  it('satisfies the structural interface the adapters use', () => {
    const knn: AdaptableClassifier = new KnnClassifier({ dim: 2 });
    knn.add(Float32Array.of(0, 0), 'a');
    expect(knn.classes).toEqual(['a']);
    expect(knn.predict(Float32Array.of(1, 0))).toMatchObject({ label: 'a', confidence: 1, meanDistance: 1 });
  });

  it('removeWhere removes exactly the selected samples and reports how many', () => {
    const { knn } = filled(30);
    const keep = knn.labels.filter((l) => l !== 'c1').length;
    expect(knn.removeWhere((label) => label === 'c1')).toBe(10);
    expect(knn.size).toBe(keep);
    expect(knn.classes).toEqual(['c0', 'c2']);
    expect(knn.removeWhere(() => false)).toBe(0);
  });

  it('removeWhere sees each row’s features, so one exact vector can be taken out', () => {
    const knn = new KnnClassifier({ dim: 2, k: 1 });
    knn.add(Float32Array.of(1, 1), 'p');
    knn.add(Float32Array.of(2, 2), 'p');
    knn.add(Float32Array.of(1, 1), 'q');
    expect(knn.removeWhere((l, f) => l === 'p' && f[0] === 1 && f[1] === 1)).toBe(1);
    expect(knn.labels.sort()).toEqual(['p', 'q']);
  });

  it('restoreState(snapshotState()) predicts exactly as before, after adds and removals', () => {
    const { knn, rand } = filled(40, 7);
    const queries = Array.from({ length: 25 }, () => Float32Array.from({ length: 4 }, rand));
    const snap = JSON.parse(JSON.stringify(knn.snapshotState())) as Record<string, unknown>;
    const before = predictions(knn, queries);
    for (let i = 0; i < 10; i++) knn.add(Float32Array.from({ length: 4 }, rand), 'pseudo-1', 100 + i);
    knn.removeWhere((l) => l === 'c0');
    expect(predictions(knn, queries)).not.toEqual(before);
    knn.restoreState(snap);
    expect(predictions(knn, queries)).toEqual(before);
    expect(JSON.stringify(knn.snapshotState())).toBe(JSON.stringify(snap));
  });

  it('refuses a snapshot of another shape with STATE_CORRUPT', () => {
    const other = new KnnClassifier({ dim: 3 });
    other.add(Float32Array.of(1, 2, 3), 'x');
    const { knn } = filled(5);
    expect(() => knn.restoreState(other.snapshotState())).toThrow(/does not fit/);
    expect(knn.size).toBe(5);
  });
});
