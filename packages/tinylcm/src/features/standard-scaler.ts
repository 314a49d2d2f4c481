import { TinyMLOpsError } from '@tinymlops/contracts';

/**
 * Standardises each feature: zᵢ = (xᵢ − meanᵢ) / scaleᵢ, exactly as scikit-learn's `StandardScaler`
 * (population variance, scale 1 where the variance is ~0).
 *
 * Means and scales are kept in float64 so a transform of float32 input matches scikit-learn's
 * float64 arithmetic to float32 rounding.
 * @example
 * const s = StandardScaler.fit([Float32Array.of(1, 10), Float32Array.of(3, 10)]);
 * s.apply(Float32Array.of(2, 10)); // Float32Array [0, 0]
 */
export class StandardScaler {
  readonly dim: number;
  readonly mean: Float64Array;
  readonly scale: Float64Array;

  constructor(mean: ArrayLike<number>, scale: ArrayLike<number>) {
    if (mean.length === 0 || mean.length !== scale.length)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `StandardScaler: mean and scale must be non-empty and equally long (got ${mean.length} and ${scale.length})`,
      );
    this.dim = mean.length;
    this.mean = Float64Array.from(mean);
    this.scale = Float64Array.from(scale);
    for (let i = 0; i < this.dim; i++) {
      const s = this.scale[i] as number;
      if (!Number.isFinite(s) || s === 0)
        throw new TinyMLOpsError('INVALID_OPTION', `StandardScaler: scale[${i}] must be finite and non-zero, got ${s}`);
    }
  }

  /**
   * Fits mean and population standard deviation over `rows` (all of length `dim`).
   * @example
   * StandardScaler.fit(rows).scale; // √var per feature, 1 where constant
   */
  static fit(rows: readonly Float32Array[]): StandardScaler {
    const first = rows[0];
    if (!first) throw new TinyMLOpsError('INVALID_OPTION', 'StandardScaler.fit: at least one row is required');
    const d = first.length;
    const mean = new Float64Array(d);
    const m2 = new Float64Array(d);
    // Welford's update: numerically stable for features with large means and small spreads.
    rows.forEach((row, n) => {
      if (row.length !== d)
        throw new TinyMLOpsError(
          'INVALID_OPTION',
          `StandardScaler.fit: row ${n} has ${row.length} values, expected ${d}`,
        );
      for (let i = 0; i < d; i++) {
        const x = row[i] as number;
        const delta = x - (mean[i] as number);
        mean[i] = (mean[i] as number) + delta / (n + 1);
        m2[i] = (m2[i] as number) + delta * (x - (mean[i] as number));
      }
    });
    const n = rows.length;
    const scale = m2.map((v, i) => {
      const variance = v / n;
      // scikit-learn's _is_constant_feature bound: variance within rounding error of 0 → scale 1.
      const m = (mean[i] as number) * n * Number.EPSILON;
      return variance <= n * Number.EPSILON * variance + m * m ? 1 : Math.sqrt(variance);
    });
    return new StandardScaler(mean, scale);
  }

  /**
   * Standardises `x` into `out` (allocated only when not given). Never allocates when `out` is passed.
   * @example
   * scaler.apply(features, buffer);
   */
  apply(x: Float32Array, out: Float32Array = new Float32Array(this.dim)): Float32Array {
    const { mean, scale } = this;
    for (let i = 0; i < this.dim; i++) out[i] = ((x[i] as number) - (mean[i] as number)) / (scale[i] as number);
    return out;
  }
}
