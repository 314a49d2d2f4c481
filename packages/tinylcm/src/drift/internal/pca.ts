import type { Prng } from '../../random/prng.js';

/** Mean and leading principal axes (rows of `components`, unit length) of a sample. */
export interface PrincipalAxes {
  readonly mean: Float64Array;
  /** `count` rows of `dimension` values. */
  readonly components: Float64Array;
  readonly count: number;
}

const ITERATIONS = 200;

/**
 * Leading `count` principal axes of `n` rows of `dimension` values (row-major in `data`), by power
 * iteration on XᵀX with Gram–Schmidt against the axes already found. Never forms the d×d covariance,
 * so it costs O(iterations · count · n · d) time and O(n + d) extra memory; run once per reference.
 * The start vectors come from `rng`, so the result is reproducible.
 */
export function principalAxes(
  data: Float64Array,
  n: number,
  dimension: number,
  count: number,
  rng: Prng,
): PrincipalAxes {
  const d = dimension;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]! / n;
  const components = new Float64Array(count * d);
  const scores = new Float64Array(n);
  const v = new Float64Array(d);
  for (let c = 0; c < count; c++) {
    for (let j = 0; j < d; j++) v[j] = rng.gaussian();
    for (let it = 0; it < ITERATIONS; it++) {
      orthogonalise(v, components, c, d);
      normalise(v);
      // scores = (X − mean) v; v = (X − mean)ᵀ scores
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += (data[i * d + j]! - mean[j]!) * v[j]!;
        scores[i] = s;
      }
      v.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j]! += (data[i * d + j]! - mean[j]!) * scores[i]!;
    }
    orthogonalise(v, components, c, d);
    normalise(v);
    components.set(v, c * d);
  }
  return { mean, components, count };
}

function orthogonalise(v: Float64Array, axes: Float64Array, found: number, d: number): void {
  for (let c = 0; c < found; c++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += v[j]! * axes[c * d + j]!;
    for (let j = 0; j < d; j++) v[j]! -= dot * axes[c * d + j]!;
  }
}

function normalise(v: Float64Array): void {
  let norm = 0;
  for (let j = 0; j < v.length; j++) norm += v[j]! * v[j]!;
  norm = Math.sqrt(norm);
  // A zero vector means the data has no variance left in this direction; keep a unit axis anyway.
  if (norm === 0) {
    v.fill(0);
    v[0] = 1;
    return;
  }
  for (let j = 0; j < v.length; j++) v[j]! /= norm;
}

/** Projection of `x` (minus `mean`) onto axis `c`. */
export function project(x: ArrayLike<number>, axes: PrincipalAxes, c: number): number {
  const d = axes.mean.length;
  let s = 0;
  for (let j = 0; j < d; j++) s += (x[j]! - axes.mean[j]!) * axes.components[c * d + j]!;
  return s;
}
