/**
 * Jensen–Shannon divergence in bits between the first `k` entries of two probability vectors
 * (J. Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37(1), 1991).
 * Bounded in [0, 1]; zero-probability classes contribute nothing (0 · log 0 = 0). `q` is multiplied
 * by `qScale` (so counts can be passed with 1 / total).
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, k: number, qScale = 1): number {
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const a = p[i]!;
    const b = q[i]! * qScale;
    const m = (a + b) / 2;
    if (a > 0) sum += a * Math.log2(a / m);
    if (b > 0) sum += b * Math.log2(b / m);
  }
  return Math.max(0, sum / 2);
}
