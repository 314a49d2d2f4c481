import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from '../adapt/fixtures/gaussian-blobs.js';
import { KnnClassifier } from './knn-classifier.js';

const KNOWN = ['a', 'b'];

/** Two known classes (5 samples each, sparse) and a KNN with and without the gate. */
function setup() {
  const blobs = gaussianBlobs(11, ['a', 'b', 'n'], 8, 10, 0.3);
  const gated = new KnnClassifier({ dim: 8, k: 5, novelClassGate: { knownClasses: KNOWN } });
  const plain = new KnnClassifier({ dim: 8, k: 5 });
  for (const c of KNOWN)
    for (let i = 0; i < 5; i++) {
      const x = blobs.draw(c);
      gated.add(x, c);
      plain.add(x, c);
    }
  return { blobs, gated, plain };
}

describe('KnnClassifier with a novel-class gate', () => {
  it('predicts exactly as without the gate while only known classes are stored', () => {
    const { blobs, gated, plain } = setup();
    for (let i = 0; i < 50; i++) {
      const q = blobs.draw(i % 2 ? 'a' : 'n');
      expect(structuredClone(gated.predict(q))).toEqual(structuredClone(plain.predict(q)));
    }
  });

  it('keeps a known-class query known when a dense novel class sits at the same distance', () => {
    const { gated, plain } = setup();
    // Novel samples crowd one side of a query whose known neighbours are a little farther away.
    const q = new Float32Array(8);
    const knownNear = (d: number) => Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? d : 0));
    const novelNear = (d: number) => Float32Array.from({ length: 8 }, (_, i) => (i === 1 ? d : 0));
    for (const k of [gated, plain]) {
      for (let i = 0; i < 3; i++) k.add(knownNear(1 + i * 0.01), 'a');
      for (let i = 0; i < 8; i++) k.add(novelNear(0.95 + i * 0.01), 'n');
    }
    expect(plain.predict(q).label).toBe('n'); // outvoted by density
    expect(gated.predict(q).label).toBe('a'); // 0.96 × 1.1 is not below 1.01
  });

  it('gives a query to the novel class when it is clearly nearer, with the global mean distance', () => {
    const { blobs, gated } = setup();
    for (let i = 0; i < 10; i++) gated.add(blobs.draw('n'), 'n');
    const p = gated.predict(blobs.draw('n'));
    expect(p.label).toBe('n');
    expect(p.neighbours.every((nb) => nb.label === 'n')).toBe(true);
    const a = gated.predict(blobs.draw('a'));
    expect(a.label).toBe('a');
    expect(a.neighbours.every((nb) => KNOWN.includes(nb.label))).toBe(true);
    // meanDistance is over the k nearest samples of any class (the drift monitor's signal).
    const q = blobs.draw('n');
    const all = gated.labels.map((_, i) => Math.hypot(...Array.from(q, (v, j) => v - (gated.store.row(i)[j] ?? 0))));
    const expected =
      all
        .sort((x, y) => x - y)
        .slice(0, 5)
        .reduce((s, d) => s + d, 0) / 5;
    expect(gated.predict(q).meanDistance).toBeCloseTo(expected, 3);
  });

  it('falls back to the known classes once the novel samples are removed', () => {
    const { blobs, gated } = setup();
    for (let i = 0; i < 10; i++) gated.add(blobs.draw('n'), 'n');
    gated.removeWhere((l) => l === 'n');
    expect(gated.predict(blobs.draw('n')).label).not.toBe('n');
  });

  it('rejects a bad gate configuration', () => {
    expect(() => new KnnClassifier({ dim: 2, k: 3, novelClassGate: { knownClasses: KNOWN, k: 4 } })).toThrow(
      /novelClassGate.k/,
    );
    expect(() => new KnnClassifier({ dim: 2, novelClassGate: { knownClasses: KNOWN, margin: 0.5 } })).toThrow(/margin/);
  });
});
