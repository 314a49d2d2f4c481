import { describe, expect, it } from 'vitest';
import { gaussianBlobs } from './fixtures/gaussian-blobs.js';
import { seededKMeans } from './seeded-kmeans.js';

describe('seededKMeans', () => {
  it('puts points with their seeds and what resembles no seed in the free cluster', () => {
    const blobs = gaussianBlobs(3, ['x', 'y', 'z']);
    const truth = Array.from({ length: 30 }, (_, i) => ['x', 'y', 'z'][i % 3] as string);
    const points = truth.map((c) => blobs.draw(c));
    const out = seededKMeans(points, [[blobs.draw('x')], [blobs.draw('y'), blobs.draw('y')]]);
    expect(Array.from(out)).toEqual(truth.map((c) => (c === 'x' ? 0 : c === 'y' ? 1 : -1)));
  });

  it('is deterministic', () => {
    const blobs = gaussianBlobs(8, ['x', 'y']);
    const points = Array.from({ length: 20 }, (_, i) => blobs.draw(i % 2 ? 'x' : 'y'));
    const seeds = [[blobs.draw('x')]];
    expect(Array.from(seededKMeans(points, seeds))).toEqual(Array.from(seededKMeans(points, seeds)));
  });
});
