import { decodeFloat32, type KnnStateDocument } from '@tinymlops/contracts';
import { KnnClassifier } from '../classify/knn-classifier.js';

/** How one class's neighbour distances compare with all classes': mean and std as factors. */
export interface ClassDistanceScale {
  readonly mean: number;
  readonly std: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

/**
 * Per-class scales of the mean neighbour distance, from a KNN state by leave-one-out: each stored
 * sample's mean distance to its k nearest other samples, grouped by label, as factors of the
 * all-sample mean and std. Classes differ a lot (fashion-mnv2: sneakers sit 0.63 × the mean
 * distance from their neighbours, dresses 1.11 ×), so an unknown object that the KNN calls a sneaker
 * stands out against sneakers while it would not against the mean of all classes. Classes with
 * fewer than 3 samples get no scale. O(n² · d) once.
 * @example
 * const knn = new KnnClassifier({ dim: 1, k: 1 });
 * for (const [x, label] of [[0, 'a'], [1, 'a'], [2, 'a'], [10, 'b'], [14, 'b'], [18, 'b']]) knn.add(Float32Array.of(x), label);
 * const s = classDistanceScales(knn.snapshotState());
 * console.log(s.a.mean.toFixed(2), s.b.mean.toFixed(2));
 * // => 0.40 1.60
 */
export function classDistanceScales(state: KnnStateDocument): Record<string, ClassDistanceScale> {
  if (state.count < 2) return {};
  const k = Math.min(state.k, state.count - 1);
  // One more neighbour than k: the nearest is the sample itself.
  const knn = new KnnClassifier({ dim: state.dim, k: k + 1, metric: state.metric, capacity: state.count });
  knn.restoreState(state);
  const rows = decodeFloat32({ encoding: 'f32le-base64', dim: state.count * state.dim, data: state.features });
  const byClass = new Map<string, number[]>();
  const all: number[] = [];
  for (let i = 0; i < state.count; i++) {
    const nb = knn.predict(rows.subarray(i * state.dim, (i + 1) * state.dim)).neighbours;
    const others = nb.filter((n) => n.index !== i).slice(0, k);
    const d = others.reduce((a, n) => a + n.distance, 0) / others.length;
    all.push(d);
    const label = state.labels[i]!;
    byClass.set(label, [...(byClass.get(label) ?? []), d]);
  }
  const whole = meanStd(all);
  if (!(whole.mean > 0 && whole.std > 0)) return {};
  const out: Record<string, ClassDistanceScale> = {};
  for (const [label, ds] of byClass) {
    if (ds.length < 3) continue;
    const c = meanStd(ds);
    out[label] = { mean: c.mean / whole.mean, std: Math.max(c.std, 0.1 * whole.std) / whole.std };
  }
  return out;
}
