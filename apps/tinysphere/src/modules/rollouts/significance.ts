/**
 * The two tests a wave's health rests on: a Poisson tail for event counts (drift episodes over
 * device-hours) and Welch's t-test over per-device values (means, latency). Both answer "how
 * likely is a value this bad if the truth sat exactly at the limit?".
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905,
  -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = 0.9999999999998099;
  LANCZOS.forEach((c, i) => (a += c / (z + i + 1)));
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X ≥ k) for X ~ Poisson(mean): the chance of at least `k` events where `mean` are expected.
 * @example
 * poissonAtLeast(3, 0.5); // ≈ 0.0144
 */
export function poissonAtLeast(k: number, mean: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  // Summed upwards from k in log space, so large means and counts neither underflow nor cancel.
  let term = Math.exp(-mean + k * Math.log(mean) - logGamma(k + 1));
  let sum = 0;
  for (let i = k; i < k + 10_000; i++) {
    sum += term;
    term *= mean / (i + 1);
    if (i > mean && term < sum * 1e-12) break;
  }
  return Math.min(1, sum);
}

/** Continued fraction of the regularised incomplete beta function (Numerical Recipes' betacf). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const aa of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-12) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/**
 * P(T ≥ t) for Student's t with `df` degrees of freedom.
 * @example
 * studentTAbove(2.015, 5); // ≈ 0.05
 */
export function studentTAbove(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** Mean and sample variance (0 for a single value). */
function moments(xs: readonly number[]): { n: number; mean: number; variance: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { n, mean, variance };
}

/**
 * Welch's one-sided test that the candidate devices' mean exceeds the baseline devices' mean by
 * more than `allowed`: the p-value of H0 "candidate − baseline ≤ allowed". Devices are the unit
 * (a device's frames are a stretch of one stream, not independent samples). A single candidate
 * device borrows the baseline's spread between devices; fewer than two baseline devices leave
 * nothing to test against (null).
 * @example
 * welchExcess([0.9, 1.0, 1.1], [0.5, 0.52, 0.48, 0.5], 0.2); // small: the candidate is well above
 */
export function welchExcess(candidate: readonly number[], baseline: readonly number[], allowed: number): number | null {
  if (candidate.length === 0 || baseline.length < 2) return null;
  const c = moments(candidate);
  const b = moments(baseline);
  const vc = (c.n > 1 ? c.variance : b.variance) / c.n;
  const vb = b.variance / b.n;
  const excess = c.mean - b.mean - allowed;
  if (vc + vb === 0) return excess > 0 ? 0 : 1;
  const dfc = c.n > 1 ? c.n - 1 : b.n - 1;
  const df = (vc + vb) ** 2 / (vc ** 2 / dfc + vb ** 2 / (b.n - 1));
  return studentTAbove(excess / Math.sqrt(vc + vb), df);
}
