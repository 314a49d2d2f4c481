import { ROW_METRICS } from '../classify/distance.js';

const EUCLIDEAN = ROW_METRICS.euclidean;
/** Result of {@link kMeans}: a cluster index per point and the centroids. */
export interface KMeansResult {
  assignments: Int32Array;
  centroids: Float32Array[];
}

/**
 * Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii, 2007), Euclidean. Deterministic
 * for a given `rand`. O(iterations · n · k · dim).
 * @example
 * const { assignments } = kMeans(points, 2, mulberry32(1));
 */
export function kMeans(
  points: readonly Float32Array[],
  k: number,
  rand: () => number,
  maxIterations = 50,
): KMeansResult {
  const centroids = seedPlusPlus(points, Math.min(k, points.length), rand);
  const assignments = new Int32Array(points.length).fill(-1);
  for (let it = 0; it < maxIterations; it++) {
    if (!assignNearest(points, centroids, assignments)) break;
    recompute(points, centroids, assignments);
  }
  return { assignments, centroids };
}

/** Euclidean distance. */
export function euclidean(a: Float32Array, b: Float32Array): number {
  // The KNN's own row metric, so clustering and classification measure distance the same way.
  return EUCLIDEAN.toDistance(EUCLIDEAN.key(a, 0, b, 0, 0, a.length, Number.POSITIVE_INFINITY));
}

/** Component-wise mean of the given points. */
export function centroidOf(points: readonly Float32Array[]): Float32Array {
  const c = new Float32Array(points[0]?.length ?? 0);
  for (const p of points) for (let i = 0; i < c.length; i++) c[i] = (c[i] ?? 0) + (p[i] ?? 0) / points.length;
  return c;
}

function seedPlusPlus(points: readonly Float32Array[], k: number, rand: () => number): Float32Array[] {
  const first = points[Math.floor(rand() * points.length)];
  if (!first) return [];
  const centroids = [Float32Array.from(first)];
  const d2 = points.map((p) => euclidean(p, first) ** 2);
  while (centroids.length < k) {
    // Pick the next seed with probability proportional to its squared distance to the nearest seed.
    const total = d2.reduce((a, b) => a + b, 0);
    let r = rand() * total;
    let idx = d2.findIndex((d) => (r -= d) <= 0);
    if (idx < 0 || total === 0) idx = d2.indexOf(Math.max(...d2));
    const next = Float32Array.from(points[idx] ?? first);
    centroids.push(next);
    points.forEach((p, i) => (d2[i] = Math.min(d2[i] ?? 0, euclidean(p, next) ** 2)));
  }
  return centroids;
}

/** Sets each point's nearest centroid in `out`; returns whether any assignment changed. */
export function assignNearest(
  points: readonly Float32Array[],
  centroids: readonly Float32Array[],
  out: Int32Array,
): boolean {
  let changed = false;
  points.forEach((p, i) => {
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((c, j) => {
      const d = euclidean(p, c);
      if (d < bestD) [best, bestD] = [j, d];
    });
    if (out[i] !== best) [out[i], changed] = [best, true];
  });
  return changed;
}

function recompute(points: readonly Float32Array[], centroids: Float32Array[], assignments: Int32Array): void {
  centroids.forEach((c, j) => {
    const members = points.filter((_, i) => assignments[i] === j);
    if (members.length > 0) c.set(centroidOf(members)); // an empty cluster keeps its old centroid
  });
}
