/*
 * Two-sample Kolmogorov–Smirnov test pieces. Exact null distribution for equal sample sizes by the
 * lattice-path recursion (J. L. Hodges, "The significance probability of the Smirnov two-sample
 * test", Arkiv för Matematik 3:469–486, 1958); asymptotic distribution with the Stephens (1970)
 * small-sample correction as in Numerical Recipes §14.3.
 */

/**
 * KS distance between two sorted samples `a[aFrom..aFrom+na)` and `b[0..nb)`. Offsets instead of
 * subarrays keep it allocation-free. O(na + nb).
 */
export function ksDistance(a: ArrayLike<number>, aFrom: number, na: number, b: ArrayLike<number>, nb: number): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < na && j < nb) {
    const v = Math.min(a[aFrom + i]!, b[j]!);
    while (i < na && a[aFrom + i] === v) i++;
    while (j < nb && b[j] === v) j++;
    const gap = Math.abs(i / na - j / nb);
    if (gap > d) d = gap;
  }
  return d;
}

/**
 * P(D ≥ c/n) for two samples of size n each under the null hypothesis: one minus the probability
 * that a uniformly random lattice path from (0,0) to (n,n) stays strictly within |i − j| < c.
 * Walk probabilities (not path counts) keep it finite for any n. O(n²) time, O(n) memory.
 */
export function ksExactSurvival(n: number, c: number): number {
  if (c <= 0) return 1;
  if (c > n) return 0;
  let row = new Float64Array(n + 1);
  let next = new Float64Array(n + 1);
  row[0] = 1;
  for (let j = 1; j <= n && j < c; j++) row[j] = row[j - 1]! * ((n - j + 1) / (2 * n - j + 1));
  for (let i = 1; i <= n; i++) {
    next.fill(0);
    for (let j = Math.max(0, i - c + 1); j <= Math.min(n, i + c - 1); j++) {
      const fromUp = row[j]! * ((n - i + 1) / (2 * n - (i - 1) - j));
      const fromLeft = j > 0 ? next[j - 1]! * ((n - j + 1) / (2 * n - i - (j - 1))) : 0;
      next[j] = fromUp + fromLeft;
    }
    [row, next] = [next, row];
  }
  return Math.max(0, 1 - row[n]!);
}

/** Smallest count c such that P(D ≥ c/n) ≤ alpha for two samples of size n; n + 1 if none. */
export function ksCriticalCount(n: number, alpha: number): number {
  for (let c = 1; c <= n; c++) if (ksExactSurvival(n, c) <= alpha) return c;
  return n + 1;
}

/** Asymptotic two-sided p-value of distance `d` between samples of sizes n and m. */
export function ksPValue(d: number, n: number, m: number): number {
  const en = Math.sqrt((n * m) / (n + m));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 1e-3) return 1;
  // Q_KS(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²), which converges fast for λ away from 0.
  let sum = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = sign * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
    sign = -sign;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}
