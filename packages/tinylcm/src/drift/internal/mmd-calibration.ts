import type { Prng } from '../../random/prng.js';

/** Kernel scale and null-distribution threshold of the MMD detector, fitted on its reference. */
export interface MMDCalibration {
  /** k(x, y) = exp(−gamma · ‖x − y‖²). */
  readonly gamma: number;
  /** Mean kernel value over distinct reference pairs (the constant term of MMD²). */
  readonly referenceTerm: number;
  /** Drift when MMD² exceeds this. */
  readonly threshold: number;
}

/** Squared euclidean distance between rows `i` of `a` and `j` of `b` (row length `d`). */
export function squaredDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const diff = a[i * d + k]! - b[j * d + k]!;
    s += diff * diff;
  }
  return s;
}

/**
 * Calibrates on `n` reference rows: gamma by the median heuristic (1 / median squared distance,
 * unless `bandwidth` σ is given: 1 / 2σ²), then `permutations` random splits of the reference into
 * a window of `m` and the rest give the null distribution of the unbiased MMD²; the threshold makes
 * the permutation p-value, counted with the observed statistic as (1 + #{null ≥ t}) / (B + 1), at
 * most `alpha` (omitting the +1 is anti-conservative, Alibi Detect issue #960).
 * O(n²·d + B·m²) time, O(n²) memory, once per reference.
 */
export function calibrateMMD(
  reference: Float64Array,
  n: number,
  d: number,
  m: number,
  options: { readonly alpha: number; readonly permutations: number; readonly bandwidth: number | null },
  rng: Prng,
): MMDCalibration {
  const sq = new Float64Array(n * n);
  const pairs: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = squaredDistance(reference, i, reference, j, d);
      sq[i * n + j] = sq[j * n + i] = s;
      pairs.push(s);
    }
  }
  pairs.sort((a, b) => a - b);
  const median = pairs[pairs.length >> 1] ?? 1;
  const gamma = options.bandwidth !== null ? 1 / (2 * options.bandwidth ** 2) : 1 / (median > 0 ? median : 1);
  const k = sq.map((s) => Math.exp(-gamma * s));
  const rowSums = new Float64Array(n);
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) rowSums[i]! += k[i * n + j]!;
    offDiagonal += rowSums[i]!;
  }
  const nulls = permutationNull(k, rowSums, offDiagonal, n, m, options.permutations, rng);
  nulls.sort((a, b) => b - a);
  const rank = Math.floor(options.alpha * (options.permutations + 1)) - 1;
  return { gamma, referenceTerm: offDiagonal / (n * (n - 1)), threshold: nulls[rank] ?? Infinity };
}

/** MMD² of `b` random splits (window of m, rest of n − m), each in O(m²) from the kernel row sums. */
function permutationNull(
  k: Float64Array,
  rowSums: Float64Array,
  offDiagonal: number,
  n: number,
  m: number,
  b: number,
  rng: Prng,
): Float64Array {
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const out = new Float64Array(b);
  const rest = n - m;
  for (let p = 0; p < b; p++) {
    for (let i = 0; i < m; i++) {
      const j = i + rng.nextInt(n - i);
      [index[i], index[j]] = [index[j]!, index[i]!];
    }
    let ww = 0;
    let toAll = 0;
    for (let i = 0; i < m; i++) {
      const a = index[i]!;
      toAll += rowSums[a]!;
      for (let j = 0; j < m; j++) if (i !== j) ww += k[a * n + index[j]!]!;
    }
    const wr = toAll - ww; // window-to-rest sum: each window row's off-diagonal sum minus its window part
    const rr = offDiagonal - ww - 2 * wr;
    out[p] = rr / (rest * (rest - 1)) + ww / (m * (m - 1)) - (2 * wr) / (rest * m);
  }
  return out;
}
