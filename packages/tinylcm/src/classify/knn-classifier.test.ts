import { DISTANCE_METRICS, type DistanceMetric } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { ROW_METRICS, euclideanKeyPair } from './distance.js';
import { KnnClassifier } from './knn-classifier.js';
import { knnFromDocument, knnToDocument } from './knn-state.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Textbook distances on plain arrays, written independently of distance.ts. */
function oracleDistance(metric: DistanceMetric, a: Float32Array, b: Float32Array): number {
  const pairs = Array.from(a, (x, i) => [x, b[i] ?? 0] as const);
  if (metric === 'euclidean') return Math.sqrt(pairs.reduce((s, [x, y]) => s + (x - y) ** 2, 0));
  if (metric === 'manhattan') return pairs.reduce((s, [x, y]) => s + Math.abs(x - y), 0);
  const dot = pairs.reduce((s, [x, y]) => s + x * y, 0);
  const na = Math.hypot(...a);
  const nb = Math.hypot(...b);
  return na === 0 || nb === 0 ? 1 : 1 - Math.min(1, Math.max(-1, dot / (na * nb)));
}

function oraclePredict(metric: DistanceMetric, k: number, rows: Float32Array[], labels: string[], q: Float32Array) {
  // Equal timestamps in these tests, so "newer first" means later insertion first on ties.
  const ranked = rows
    .map((r, index) => ({ index, distance: oracleDistance(metric, q, r), label: labels[index] ?? '' }))
    .sort((x, y) => x.distance - y.distance || y.index - x.index)
    .slice(0, k);
  const votes = new Map<string, number>();
  for (const n of ranked) votes.set(n.label, (votes.get(n.label) ?? 0) + 1 / (n.distance + 1e-9));
  const total = [...votes.values()].reduce((s, v) => s + v, 0);
  let label = ranked[0]?.label ?? '';
  for (const n of ranked) if ((votes.get(n.label) ?? 0) > (votes.get(label) ?? 0)) label = n.label;
  return { ranked, label, confidence: (votes.get(label) ?? 0) / total };
}

describe('KnnClassifier', () => {
  it('scans rows in pairs with keys bit-identical to the single-row key, and abandons only hopeless pairs', () => {
    const r = rng(7);
    const dim = 150; // two full 64-value chunks and a ragged one, with a ragged group of four
    const store = Float32Array.from({ length: dim * 2 }, () => r() * 40 - 20);
    const q = Float32Array.from({ length: dim }, () => r() * 40 - 20);
    const keys = new Float64Array(2);
    const single = (row: number, bound: number) => ROW_METRICS.euclidean.key(q, 0, store, row, 0, dim, bound);
    euclideanKeyPair(q, store, 0, dim, Infinity, keys);
    expect(Array.from(keys)).toEqual([single(0, Infinity), single(1, Infinity)]);
    const low = Math.min(keys[0] as number, keys[1] as number);
    euclideanKeyPair(q, store, 0, dim, low, keys); // one row stays under the bound: both are computed fully
    expect(Array.from(keys)).toEqual([single(0, Infinity), single(1, Infinity)]);
    euclideanKeyPair(q, store, 0, dim, 1, keys); // both pass the bound within the first 16 values
    expect(keys[0]).toBeGreaterThan(1);
    expect(keys[1]).toBeGreaterThan(1);
    expect(keys[0]).toBeLessThan(single(0, Infinity)); // abandoned mid-chunk: a partial sum
    expect(single(0, 1)).toBeLessThan(single(0, Infinity));
    expect(single(0, 1)).toBeGreaterThan(1);
  });

  it('agrees with the oracle with early exits in play (odd row count, 150-d clustered rows)', () => {
    const r = rng(11);
    const dim = 150;
    const centres = Array.from({ length: 4 }, () => Float32Array.from({ length: dim }, () => r() * 20 - 10));
    const rows = Array.from({ length: 151 }, (_, i) =>
      Float32Array.from(centres[i % 4] as Float32Array, (c) => c + (r() - 0.5) * 2),
    );
    const labels = rows.map((_, i) => `c${i % 4}`);
    const knn = new KnnClassifier({ dim, k: 5, clock: () => 0 });
    rows.forEach((row, i) => knn.add(row, labels[i] ?? ''));
    for (let t = 0; t < 20; t++) {
      const q = Float32Array.from(centres[t % 4] as Float32Array, (c) => c + (r() - 0.5) * 2);
      const want = oraclePredict('euclidean', 5, rows, labels, q);
      expect(knn.predict(q).neighbours.map((n) => n.index)).toEqual(want.ranked.map((n) => n.index));
    }
  });

  for (const metric of DISTANCE_METRICS) {
    it(`agrees with a brute-force oracle on seeded random data (${metric})`, () => {
      const r = rng(42);
      const dim = 16;
      const rows = Array.from({ length: 150 }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
      const labels = rows.map((_, i) => `c${i % 4}`);
      const knn = new KnnClassifier({ dim, k: 5, metric, clock: () => 0 });
      rows.forEach((row, i) => knn.add(row, labels[i] ?? ''));
      for (let t = 0; t < 50; t++) {
        const q = Float32Array.from({ length: dim }, () => r() * 2 - 1);
        const want = oraclePredict(metric, 5, rows, labels, q);
        const got = knn.predict(q);
        expect(got.neighbours.map((n) => n.index)).toEqual(want.ranked.map((n) => n.index));
        got.neighbours.forEach((n, j) => expect(n.distance).toBeCloseTo(want.ranked[j]?.distance ?? -1, 5));
        expect(got.label).toBe(want.label);
        expect(got.confidence).toBeCloseTo(want.confidence, 6);
        expect(got.meanDistance).toBeCloseTo(want.ranked.reduce((s, n) => s + n.distance, 0) / 5, 5);
      }
    });
  }

  it('gives the confidence of the predicted class even when the plain majority disagrees', () => {
    const knn = new KnnClassifier({ dim: 1, k: 3 });
    knn.add(Float32Array.of(0.1), 'near');
    knn.add(Float32Array.of(5), 'far');
    knn.add(Float32Array.of(5.1), 'far');
    const p = knn.predict(Float32Array.of(0));
    expect(p.label).toBe('near');
    expect(p.confidence).toBeGreaterThan(0.5);
  });

  it('breaks exact ties deterministically in favour of the newer sample', () => {
    const knn = new KnnClassifier({ dim: 1, k: 2 });
    knn.add(Float32Array.of(-1), 'old', 1);
    knn.add(Float32Array.of(1), 'new', 2);
    const p = knn.predict(Float32Array.of(0));
    expect(p.neighbours.map((n) => n.label)).toEqual(['new', 'old']);
    expect(p.label).toBe('new');
    expect(p.confidence).toBe(0.5);
  });

  it('reuses one result object across predictions (documented), overwriting it', () => {
    const knn = new KnnClassifier({ dim: 1, k: 1 });
    knn.add(Float32Array.of(0), 'a');
    knn.add(Float32Array.of(9), 'b');
    const first = knn.predict(Float32Array.of(1));
    expect(first.label).toBe('a');
    expect(knn.predict(Float32Array.of(8))).toBe(first);
    expect(first.label).toBe('b');
  });

  it('returns a null label and NaN distance when empty', () => {
    const p = new KnnClassifier({ dim: 2 }).predict(new Float32Array(2));
    expect(p).toMatchObject({ label: null, confidence: 0, neighbours: [] });
    expect(p.meanDistance).toBeNaN();
  });

  it('evicts the oldest sample when full (oldest-first)', () => {
    const knn = new KnnClassifier({ dim: 1, k: 1, capacity: 3 });
    knn.add(Float32Array.of(1), 'a', 30);
    knn.add(Float32Array.of(2), 'b', 10);
    knn.add(Float32Array.of(3), 'c', 20);
    knn.add(Float32Array.of(4), 'd', 40);
    expect(knn.size).toBe(3);
    expect(knn.classes).toEqual(['a', 'c', 'd']);
  });

  it('evicts the oldest sample of the most numerous class (class-balanced)', () => {
    const knn = new KnnClassifier({ dim: 1, k: 1, capacity: 4, replacement: 'class-balanced' });
    knn.add(Float32Array.of(0), 'b', 1);
    knn.add(Float32Array.of(1), 'a', 2);
    knn.add(Float32Array.of(2), 'a', 3);
    knn.add(Float32Array.of(3), 'a', 4);
    knn.add(Float32Array.of(9), 'c', 5);
    expect(knn.classes).toEqual(['a', 'b', 'c']);
    expect(knn.predict(Float32Array.of(1)).neighbours[0]?.distance).toBe(1); // a@1 evicted, a@2 nearest
    expect(knn.predict(Float32Array.of(0)).label).toBe('b'); // the oldest sample overall survived
  });

  it('removes a sample and forgets a class with no samples left', () => {
    const knn = new KnnClassifier({ dim: 1, k: 1 });
    knn.add(Float32Array.of(0), 'a');
    knn.add(Float32Array.of(5), 'b');
    knn.add(Float32Array.of(9), 'c');
    knn.remove(0);
    expect(knn.labels).toEqual(['c', 'b']); // the last sample moved into the freed slot
    knn.remove(0);
    expect(knn.classes).toEqual(['b']);
    expect(knn.predict(Float32Array.of(0)).label).toBe('b');
    expect(() => knn.remove(3)).toThrow(/out of range/);
  });

  it('round-trips through the KnnStateDocument with identical predictions', () => {
    const r = rng(3);
    const knn = new KnnClassifier({ dim: 8, k: 3, metric: 'cosine' });
    for (let i = 0; i < 40; i++)
      knn.add(
        Float32Array.from({ length: 8 }, () => r() - 0.5),
        `c${i % 3}`,
        i,
      );
    const back = knnFromDocument(JSON.parse(JSON.stringify(knnToDocument(knn))));
    for (let t = 0; t < 10; t++) {
      const q = Float32Array.from({ length: 8 }, () => r() - 0.5);
      expect(structuredClone(back.predict(q))).toEqual(structuredClone(knn.predict(q)));
    }
  });

  it('reports distances in the prototype unit only when asked to', () => {
    const a = new Float32Array(256);
    const b = new Float32Array(256).fill(0);
    b[0] = 1;
    const scaled = new KnnClassifier({ dim: 256, k: 1, prototypeDistanceScaling: true });
    scaled.add(b, 'x');
    expect(scaled.predict(a).meanDistance).toBeCloseTo(1.61, 6);
    const plain = new KnnClassifier({ dim: 256, k: 1 });
    plain.add(b, 'x');
    expect(plain.predict(a).meanDistance).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new KnnClassifier({ dim: 0 })).toThrow(/"dim"/);
    expect(() => new KnnClassifier({ dim: 2, k: 0 })).toThrow(/"k"/);
    expect(() => new KnnClassifier({ dim: 2, metric: 'hamming' as DistanceMetric })).toThrow(/"metric"/);
    expect(() => new KnnClassifier({ dim: 2 }).predict(new Float32Array(3))).toThrow(/expected 2 features/);
  });
});
