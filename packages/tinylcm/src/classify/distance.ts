import type { DistanceMetric } from '@tinymlops/contracts';

/**
 * Distance between the query `q` and row `row` of a flat row-major `store` of dimension `dim`.
 * `qNorm` and `rowNorm` are the Euclidean norms (used by cosine only; pass 0 otherwise).
 * No allocation, no bounds checks beyond the typed arrays'.
 */
export type RowDistance = (
  q: Float32Array,
  qNorm: number,
  store: Float32Array,
  row: number,
  rowNorm: number,
  dim: number,
) => number;

/**
 * Textbook distances over flat storage: Euclidean (L2), Manhattan (L1) and cosine distance
 * (1 − cos θ, in [0, 2]; 1 when either vector is all zeros, i.e. "unrelated").
 * @example
 * const d = ROW_DISTANCES.euclidean(q, 0, store, 3, 0, 256);
 */
export const ROW_DISTANCES: Readonly<Record<DistanceMetric, RowDistance>> = Object.freeze({
  euclidean(q, _qNorm, store, row, _rowNorm, dim) {
    const base = row * dim;
    let s = 0;
    for (let i = 0; i < dim; i++) {
      const t = (q[i] as number) - (store[base + i] as number);
      s += t * t;
    }
    return Math.sqrt(s);
  },
  manhattan(q, _qNorm, store, row, _rowNorm, dim) {
    const base = row * dim;
    let s = 0;
    for (let i = 0; i < dim; i++) s += Math.abs((q[i] as number) - (store[base + i] as number));
    return s;
  },
  cosine(q, qNorm, store, row, rowNorm, dim) {
    if (qNorm === 0 || rowNorm === 0) return 1;
    const base = row * dim;
    let s = 0;
    for (let i = 0; i < dim; i++) s += (q[i] as number) * (store[base + i] as number);
    // Clamp: rounding can push |cos| a hair above 1, which would give a negative distance.
    return 1 - Math.min(1, Math.max(-1, s / (qNorm * rowNorm)));
  },
});

/**
 * Euclidean norm of `v[offset … offset+dim)`.
 * @example
 * norm(Float32Array.of(3, 4), 0, 2); // 5
 */
export function norm(v: Float32Array, offset: number, dim: number): number {
  let s = 0;
  for (let i = offset; i < offset + dim; i++) s += (v[i] as number) ** 2;
  return Math.sqrt(s);
}

/**
 * The prototype's distance unit (reference-tinylcm.md §2.2): `0.01 + d · f(metric, D)` with
 * f = max(1, √D/10) (euclidean), max(1, D/10) (manhattan), max(1, min(5, 10/D)) (cosine).
 * Only for compatibility with statistics recorded by the prototype; it preserves neighbour order.
 * @example
 * prototypeScaling('euclidean', 256); // { offset: 0.01, factor: 1.6 }
 */
export function prototypeScaling(metric: DistanceMetric, dim: number): { offset: number; factor: number } {
  const factor =
    metric === 'euclidean'
      ? Math.max(1, Math.sqrt(dim) / 10)
      : metric === 'manhattan'
        ? Math.max(1, dim / 10)
        : Math.max(1, Math.min(5, 10 / dim));
  return { offset: 0.01, factor };
}
