import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KnnStateDocument } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { KnnClassifier } from '../classify/knn-classifier.js';
import { REPO_ROOT } from '../internal/test-paths.js';
import { classDistanceScales } from './class-distance-scales.js';

describe('classDistanceScales', () => {
  it('finds the tight and the loose classes of the fashion-mnv2 KNN state', () => {
    const file = path.join(REPO_ROOT, 'models/fashion-mnv2/knn-state.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as KnnStateDocument;
    const scales = classDistanceScales(state);
    expect(Object.keys(scales).sort()).toEqual([...new Set(state.labels)].sort());
    expect(scales['sneaker']!.mean).toBeLessThan(0.7);
    expect(scales['dress']!.mean).toBeGreaterThan(1.05);
    // 25 samples per class: the class means average to the all-sample mean.
    const means = Object.values(scales).map((s) => s.mean);
    expect(means.reduce((a, b) => a + b, 0) / means.length).toBeCloseTo(1, 6);
  });

  it('leaves out a sample itself and classes with fewer than 3 samples', () => {
    const knn = new KnnClassifier({ dim: 1, k: 2 });
    for (const x of [0, 1, 2, 3]) knn.add(Float32Array.of(x), 'a');
    for (const x of [20, 21]) knn.add(Float32Array.of(x), 'b');
    const scales = classDistanceScales(knn.snapshotState());
    expect(Object.keys(scales)).toEqual(['a']);
    // Leave-one-out, k 2: a's samples are 1.5, 1, 1, 1.5 from their two nearest others, b's 9 and 9.5.
    expect(scales['a']!.mean).toBeCloseTo(1.25 / (23.5 / 6), 6);
  });
});
