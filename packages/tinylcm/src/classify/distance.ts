import type { DistanceMetric } from '@tinymlops/contracts';

/**
 * A metric as the neighbour search uses it. `key` is a monotone stand-in for the distance between
 * the query `q` and row `row` of a flat row-major `store` (squared L2 for Euclidean, so no square
 * root per row); it may stop early and return any value > `bound` once the row cannot beat `bound`.
 * `toDistance` turns a key into the distance. `qNorm`/`rowNorm` are Euclidean norms (cosine only).
 */
export interface RowMetric {
  key(
    q: Float32Array,
    qNorm: number,
    store: Float32Array,
    row: number,
    rowNorm: number,
    dim: number,
    bound: number,
  ): number;
  toDistance(key: number): number;
}

/**
 * Dimensions summed into one partial key (the accumulation order, so it fixes every key's bits).
 * Within a chunk the scan also checks every 16 dimensions whether the row is already out.
 */
const CHUNK = 64;

/**
 * Textbook distances over flat storage: Euclidean (L2), Manhattan (L1) and cosine distance
 * (1 − cos θ, in [0, 2]; 1 when either vector is all zeros, i.e. "unrelated").
 * @example
 * const m = ROW_METRICS.euclidean;
 * const d = m.toDistance(m.key(q, 0, store, 3, 0, 256, Infinity));
 */
export const ROW_METRICS: Readonly<Record<DistanceMetric, RowMetric>> = Object.freeze({
  euclidean: {
    key(q, _qNorm, store, row, _rowNorm, dim, bound) {
      const base = row * dim;
      let s = 0;
      for (let start = 0; start < dim && s <= bound; start += CHUNK) {
        const end = Math.min(dim, start + CHUNK);
        // Four independent accumulators let the multiply-adds overlap in the pipeline (200 × 256
        // scan: 60 → 43 µs on x64 against two accumulators).
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = start;
        for (; i + 3 < end; i += 4) {
          const t0 = (q[i] as number) - (store[base + i] as number);
          const t1 = (q[i + 1] as number) - (store[base + i + 1] as number);
          const t2 = (q[i + 2] as number) - (store[base + i + 2] as number);
          const t3 = (q[i + 3] as number) - (store[base + i + 3] as number);
          s0 += t0 * t0;
          s1 += t1 * t1;
          s2 += t2 * t2;
          s3 += t3 * t3;
          // Every 16 values, a lower bound of the final key (all terms ≥ 0, and rounding is monotone).
          if ((i & 15) === 12 && s + (s0 + s1 + (s2 + s3)) > bound) return s + (s0 + s1 + (s2 + s3));
        }
        for (; i < end; i++) {
          const t = (q[i] as number) - (store[base + i] as number);
          s0 += t * t;
        }
        s += s0 + s1 + (s2 + s3);
      }
      return s;
    },
    toDistance: Math.sqrt,
  },
  manhattan: {
    key(q, _qNorm, store, row, _rowNorm, dim, bound) {
      const base = row * dim;
      let s = 0;
      for (let start = 0; start < dim && s <= bound; start += CHUNK) {
        const end = Math.min(dim, start + CHUNK);
        for (let i = start; i < end; i++) s += Math.abs((q[i] as number) - (store[base + i] as number));
      }
      return s;
    },
    toDistance: (key) => key,
  },
  cosine: {
    key(q, qNorm, store, row, rowNorm, dim) {
      if (qNorm === 0 || rowNorm === 0) return 1;
      const base = row * dim;
      let s = 0;
      for (let i = 0; i < dim; i++) s += (q[i] as number) * (store[base + i] as number);
      // Clamp: rounding can push |cos| a hair above 1, which would give a negative distance.
      return 1 - Math.min(1, Math.max(-1, s / (qNorm * rowNorm)));
    },
    toDistance: (key) => key,
  },
});

/**
 * The Euclidean keys of rows `row` and `row + 1` at once, into `out[0]`, `out[1]`: each query value
 * is loaded once for both rows (≈ 20 % faster scans). Bit-identical to `ROW_METRICS.euclidean.key`
 * (same accumulators, same order); stops once both partial sums pass `bound`.
 * @example
 * const keys = new Float64Array(2);
 * euclideanKeyPair(q, store, 0, 256, Infinity, keys); // keys[0], keys[1]: squared L2 of rows 0 and 1
 */
export function euclideanKeyPair(
  q: Float32Array,
  store: Float32Array,
  row: number,
  dim: number,
  bound: number,
  out: Float64Array,
): void {
  const a = row * dim;
  const b = a + dim;
  let sa = 0;
  let sb = 0;
  for (let start = 0; start < dim && (sa <= bound || sb <= bound); start += CHUNK) {
    const end = Math.min(dim, start + CHUNK);
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0,
      b0 = 0,
      b1 = 0,
      b2 = 0,
      b3 = 0;
    let i = start;
    for (; i + 3 < end; i += 4) {
      const x0 = q[i] as number,
        x1 = q[i + 1] as number,
        x2 = q[i + 2] as number,
        x3 = q[i + 3] as number;
      const t0 = x0 - (store[a + i] as number),
        t1 = x1 - (store[a + i + 1] as number);
      const t2 = x2 - (store[a + i + 2] as number),
        t3 = x3 - (store[a + i + 3] as number);
      const u0 = x0 - (store[b + i] as number),
        u1 = x1 - (store[b + i + 1] as number);
      const u2 = x2 - (store[b + i + 2] as number),
        u3 = x3 - (store[b + i + 3] as number);
      a0 += t0 * t0;
      a1 += t1 * t1;
      a2 += t2 * t2;
      a3 += t3 * t3;
      b0 += u0 * u0;
      b1 += u1 * u1;
      b2 += u2 * u2;
      b3 += u3 * u3;
      if ((i & 15) === 12 && sa + (a0 + a1 + (a2 + a3)) > bound && sb + (b0 + b1 + (b2 + b3)) > bound) {
        out[0] = sa + (a0 + a1 + (a2 + a3)); // both rows are out: lower bounds above `bound` suffice
        out[1] = sb + (b0 + b1 + (b2 + b3));
        return;
      }
    }
    for (; i < end; i++) {
      const t = (q[i] as number) - (store[a + i] as number);
      const u = (q[i] as number) - (store[b + i] as number);
      a0 += t * t;
      b0 += u * u;
    }
    sa += a0 + a1 + (a2 + a3);
    sb += b0 + b1 + (b2 + b3);
  }
  out[0] = sa;
  out[1] = sb;
}

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
