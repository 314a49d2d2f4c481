/**
 * Per-image scores of bench/drift-scene-bound.ts, each fitted on one fold and applied to the other:
 * a supervised linear discriminant (the oracle) and three label-free scores a device could compute.
 * The image statistics themselves are the device's (`PixelStatistics`, as the `image-statistics`
 * detector reads them); here they are judged against a fold of known images instead of a warm-up.
 */

function mean(xs: readonly Float32Array[], dim: number): Float64Array {
  const m = new Float64Array(dim);
  for (const x of xs) for (let j = 0; j < dim; j++) m[j]! += x[j]! / xs.length;
  return m;
}

/** Cholesky factor (lower, row-major) of S + λI, λ 1 % of the mean diagonal. */
function cholesky(s: Float64Array, dim: number): Float64Array {
  let trace = 0;
  for (let j = 0; j < dim; j++) trace += s[j * dim + j]!;
  const a = Float64Array.from(s);
  for (let j = 0; j < dim; j++) a[j * dim + j]! += (1e-2 * trace) / dim;
  for (let j = 0; j < dim; j++) {
    for (let k = 0; k < j; k++) a[j * dim + j]! -= a[j * dim + k]! ** 2;
    a[j * dim + j] = Math.sqrt(a[j * dim + j]!);
    for (let i = j + 1; i < dim; i++) {
      let v = a[i * dim + j]!;
      for (let k = 0; k < j; k++) v -= a[i * dim + k]! * a[j * dim + k]!;
      a[i * dim + j] = v / a[j * dim + j]!;
    }
  }
  return a;
}

/** L⁻¹ b (forward substitution). */
function forward(a: Float64Array, b: ArrayLike<number>, dim: number): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < dim; i++) {
    for (let k = 0; k < i; k++) y[i]! -= a[i * dim + k]! * y[k]!;
    y[i]! /= a[i * dim + i]!;
  }
  return y;
}

/** Solves (S + λI) w = b. */
function ridgeSolve(s: Float64Array, b: Float64Array, dim: number): Float64Array {
  const a = cholesky(s, dim);
  const y = forward(a, b, dim);
  for (let i = dim - 1; i >= 0; i--) {
    for (let k = i + 1; k < dim; k++) y[i]! -= a[k * dim + i]! * y[k]!;
    y[i]! /= a[i * dim + i]!;
  }
  return y;
}

/** Fisher's discriminant direction from the two training sets. */
export function fisher(known: readonly Float32Array[], drifted: readonly Float32Array[], dim: number): Float64Array {
  const mk = mean(known, dim);
  const md = mean(drifted, dim);
  const s = new Float64Array(dim * dim);
  const d = new Float64Array(dim);
  for (const [xs, m] of [
    [known, mk],
    [drifted, md],
  ] as const) {
    for (const x of xs) {
      for (let j = 0; j < dim; j++) d[j] = x[j]! - m[j]!;
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) s[i * dim + j]! += d[i]! * d[j]!;
    }
  }
  return ridgeSolve(
    s,
    md.map((v, j) => v - mk[j]!),
    dim,
  );
}

/**
 * The label-free score: Mahalanobis distance to the nearest known class (class means, one pooled
 * covariance, from labelled known images only — what a bundle's training set gives).
 */
export function mahalanobis(known: readonly Float32Array[], labels: readonly number[], dim: number) {
  const classes = [...new Set(labels)];
  const means = classes.map((c) =>
    mean(
      known.filter((_, i) => labels[i] === c),
      dim,
    ),
  );
  const s = new Float64Array(dim * dim);
  const d = new Float64Array(dim);
  known.forEach((x, n) => {
    const m = means[classes.indexOf(labels[n]!)]!;
    for (let j = 0; j < dim; j++) d[j] = x[j]! - m[j]!;
    for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) s[i * dim + j]! += d[i]! * d[j]!;
  });
  const a = cholesky(
    s.map((v) => v / known.length),
    dim,
  );
  return (x: Float32Array) =>
    Math.min(
      ...means.map((m) =>
        forward(
          a,
          m.map((v, j) => x[j]! - v),
          dim,
        ).reduce((t, v) => t + v * v, 0),
      ),
    );
}

/**
 * Label-free: squared distance to the nearest known image of the training fold (the deep-kNN
 * out-of-distribution score, with every known image as reference rather than the bundle's 200).
 */
export function nearestKnown(known: readonly Float32Array[], dim: number) {
  const flat = new Float32Array(known.length * dim);
  known.forEach((x, i) => flat.set(x, i * dim));
  return (x: Float32Array) => {
    let best = Infinity;
    for (let at = 0; at < flat.length; at += dim) {
      let d = 0;
      for (let j = 0; j < dim && d < best; j++) d += (flat[at + j]! - x[j]!) ** 2;
      if (d < best) best = d;
    }
    return best;
  };
}

/** Label-free: the largest robust z-score (|x − median| / MAD) of the statistics over the training fold. */
export function pixelOutlier(known: readonly number[][]) {
  const dims = known[0]!.length;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  const med = Array.from({ length: dims }, (_, j) => median(known.map((r) => r[j]!)));
  const mad = med.map((m, j) => median(known.map((r) => Math.abs(r[j]! - m))) + 1e-6);
  return (r: readonly number[]) => Math.max(...r.map((v, j) => Math.abs(v - med[j]!) / mad[j]!));
}
