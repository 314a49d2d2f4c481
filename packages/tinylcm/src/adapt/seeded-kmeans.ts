import { assignNearest, centroidOf, euclidean } from './kmeans.js';

/**
 * Seeded k-means (Basu, Banerjee & Mooney, "Semi-supervised clustering by seeding", ICML 2002)
 * with one extra, unseeded cluster: cluster j starts at the mean of `seeds[j]` and its seeds stay
 * in it; the free cluster starts at the point farthest from every seeded centroid and collects
 * what resembles none of the seeded classes. Returns, per point, the seeded cluster it ended in or
 * -1 for the free cluster. Deterministic; Euclidean, like the KNN. O(iterations · n · (k+1) · dim).
 * @example
 * seededKMeans([x1, x2, y1], [[bagA, bagB]]); // Int32Array [0, 0, -1] when y1 is no bag
 */
export function seededKMeans(
  points: readonly Float32Array[],
  seeds: readonly (readonly Float32Array[])[],
  maxIterations = 20,
): Int32Array {
  const seeded = seeds.map((s) => centroidOf(s));
  const free = farthestFrom(points, seeded);
  const centroids = free ? [...seeded, Float32Array.from(free)] : seeded;
  const assignment = new Int32Array(points.length).fill(-2);
  for (let it = 0; it < maxIterations; it++) {
    if (!assignNearest(points, centroids, assignment)) break;
    centroids.forEach((c, j) => {
      const members = points.filter((_, i) => assignment[i] === j);
      const all = j < seeds.length ? [...(seeds[j] ?? []), ...members] : members;
      if (all.length > 0) c.set(centroidOf(all));
    });
  }
  return assignment.map((j) => (j >= seeds.length ? -1 : j));
}

function farthestFrom(points: readonly Float32Array[], centroids: readonly Float32Array[]): Float32Array | undefined {
  let best: Float32Array | undefined;
  let bestD = -1;
  for (const p of points) {
    const d = Math.min(...centroids.map((c) => euclidean(p, c)));
    if (d > bestD) [best, bestD] = [p, d];
  }
  return best;
}
