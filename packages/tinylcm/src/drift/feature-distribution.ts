/*
 * Feature-distribution monitor: two-sample Kolmogorov–Smirnov tests (N. Smirnov, 1948) on the
 * leading principal components of feature vectors, with a multiple-testing correction (Bonferroni;
 * S. Holm, "A simple sequentially rejective multiple test procedure", Scand. J. Statistics
 * 6(2):65–70, 1979). The "dimensionality reduction + univariate tests" recipe of S. Rabanser,
 * S. Günnemann, Z. Lipton, "Failing loudly: an empirical study of methods for detecting dataset
 * shift", NeurIPS 2019.
 */
import { type DetectorSnapshot, FeatureDistributionOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import { Prng } from '../random/prng.js';
import type { DriftDetector } from './drift-detector.js';
import { finiteVectorLength } from './internal/finite-vector.js';
import { insertionSort } from './internal/insertion-sort.js';
import { bonferroni, holm } from './internal/multiple-testing.js';
import { ksDistance, ksPValue } from './internal/ks-test.js';
import { parseOptions } from './internal/options.js';
import { principalAxes, project, type PrincipalAxes } from './internal/pca.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { FeatureDistributionOptions } from '@tinymlops/contracts';
export { FEATURE_DISTRIBUTION_CORRECTIONS } from '@tinymlops/contracts';

const NAME = 'FeatureDistribution';

/**
 * Label-free covariate-shift detector on feature vectors: learns a reference and its principal
 * axes from the first `referenceSize` vectors, projects each later vector on the leading
 * `components` axes, and every `stride` updates runs a KS test per axis between the reference and
 * the last `windowSize` projections; drift when the corrected family rejects. After a drift the
 * reference is re-learnt. O(components · d) per update plus O(components · (N + W log W)) per test.
 *
 * @example
 * const rng = new Prng(12);
 * const monitor = new FeatureDistribution();
 * const x = new Float64Array(8);
 * for (let i = 0; i < 1500; i++) {
 *   for (let j = 0; j < 8; j++) x[j] = rng.gaussian() * (j + 1) + (i >= 1000 && j === 7 ? 4 : 0);
 *   if (monitor.update(x).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1228
 */
export class FeatureDistribution implements DriftDetector<ArrayLike<number>> {
  readonly kind = 'feature-distribution';
  readonly options: Readonly<ResolvedDetectorOptions<'feature-distribution'>>;
  readonly #rng: Prng;
  readonly #pValues: Float64Array;
  readonly #scratch: Float64Array;
  #dimension = 0;
  #collected = 0;
  #reference = new Float64Array(0);
  #axes: PrincipalAxes | null = null;
  #referenceProjections = new Float64Array(0);
  #window = new Float64Array(0);
  #head = 0;
  #size = 0;
  #sinceTest = 0;
  #distance = NaN;
  #rejected = 0;
  #drift = false;
  #ignored = 0;

  constructor(options: FeatureDistributionOptions = {}) {
    const o = parseOptions(NAME, FeatureDistributionOptions, options);
    this.options = Object.freeze(o);
    this.#rng = new Prng(o.seed);
    this.#pValues = new Float64Array(o.components);
    this.#scratch = new Float64Array(o.windowSize);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Largest KS distance over the tested components at the last test; NaN before the first. */
  get statistic(): number {
    return this.#distance;
  }

  /** Components whose test rejected at the last test (after the correction). */
  get driftingComponents(): number {
    return this.#rejected;
  }

  update(x: ArrayLike<number>): this {
    if (this.#drift) this.#clear();
    const d = finiteVectorLength(x, this.#dimension);
    if (d < 0) {
      this.#ignored++;
      return this;
    }
    if (this.#axes === null) return this.#collect(x, d);
    const axes = this.#axes;
    const w = this.options.windowSize;
    for (let c = 0; c < axes.count; c++) this.#window[c * w + this.#head] = project(x, axes, c);
    this.#head = (this.#head + 1) % w;
    if (this.#size < w) this.#size++;
    if (this.#size < w || ++this.#sinceTest < this.options.stride) return this;
    this.#sinceTest = 0;
    this.#test(axes.count);
    return this;
  }

  #collect(x: ArrayLike<number>, d: number): this {
    const n = this.options.referenceSize;
    if (this.#dimension === 0) {
      this.#dimension = d;
      this.#reference = new Float64Array(n * d);
    }
    for (let j = 0; j < d; j++) this.#reference[this.#collected * d + j] = x[j]!;
    if (++this.#collected === n) this.#fit();
    return this;
  }

  /** Fits the axes on the collected reference and sorts its projections. Runs once per reference. */
  #fit(): void {
    const n = this.options.referenceSize;
    const count = Math.min(this.options.components, this.#dimension);
    const axes = principalAxes(this.#reference, n, this.#dimension, count, this.#rng);
    this.#useAxes(axes);
    const row = new Float64Array(this.#dimension);
    for (let i = 0; i < n; i++) {
      row.set(this.#reference.subarray(i * this.#dimension, (i + 1) * this.#dimension));
      for (let c = 0; c < count; c++) this.#referenceProjections[c * n + i] = project(row, axes, c);
    }
    for (let c = 0; c < count; c++) this.#referenceProjections.subarray(c * n, (c + 1) * n).sort();
  }

  #useAxes(axes: PrincipalAxes): void {
    this.#axes = axes;
    this.#referenceProjections = new Float64Array(axes.count * this.options.referenceSize);
    this.#window = new Float64Array(axes.count * this.options.windowSize);
  }

  #test(count: number): void {
    const { referenceSize: n, windowSize: w, alpha, correction } = this.options;
    this.#distance = 0;
    for (let c = 0; c < count; c++) {
      for (let i = 0; i < w; i++) this.#scratch[i] = this.#window[c * w + i]!;
      insertionSort(this.#scratch);
      const distance = ksDistance(this.#referenceProjections, c * n, n, this.#scratch, w);
      if (distance > this.#distance) this.#distance = distance;
      this.#pValues[c] = ksPValue(distance, n, w);
    }
    this.#rejected =
      correction === 'holm' ? holm(this.#pValues, count, alpha) : bonferroni(this.#pValues, count, alpha);
    this.#drift = this.#rejected > 0;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
    this.#rng.state = this.options.seed;
  }

  #clear(): void {
    this.#reference = new Float64Array(0);
    this.#referenceProjections = new Float64Array(0);
    this.#window = new Float64Array(0);
    this.#dimension = 0;
    this.#collected = 0;
    this.#axes = null;
    this.#head = 0;
    this.#size = 0;
    this.#sinceTest = 0;
    this.#distance = NaN;
    this.#rejected = 0;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const axes = this.#axes;
    const state = {
      dimension: this.#dimension,
      collected: this.#collected,
      reference: axes ? [] : encodeNumbers(this.#reference.subarray(0, this.#collected * this.#dimension)),
      mean: axes ? encodeNumbers(axes.mean) : [],
      components: axes ? encodeNumbers(axes.components) : [],
      referenceProjections: encodeNumbers(
        this.#referenceProjections.subarray(0, axes ? axes.count * this.options.referenceSize : 0),
      ),
      window: encodeNumbers(axes ? this.#window : []),
      head: this.#head,
      size: this.#size,
      sinceTest: this.#sinceTest,
      rng: this.#rng.state,
      distance: Number.isNaN(this.#distance) ? 'NaN' : this.#distance,
      rejected: this.#rejected,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link FeatureDistribution.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): FeatureDistribution {
    const r = new StateReader(snapshot, 'feature-distribution', 1);
    const f = new FeatureDistribution(snapshot.options as FeatureDistributionOptions);
    const d = r.number('dimension');
    f.#dimension = d;
    f.#collected = r.number('collected');
    if (d > 0) f.#reference = new Float64Array(f.options.referenceSize * d);
    const mean = r.list('mean');
    if (mean.length > 0) {
      const components = r.list('components');
      f.#useAxes({
        mean: Float64Array.from(mean),
        components: Float64Array.from(components),
        count: components.length / d,
      });
      r.numbers('referenceProjections', f.#referenceProjections);
      r.numbers('window', f.#window);
    } else r.numbers('reference', f.#reference.subarray(0, f.#collected * d));
    f.#head = r.number('head');
    f.#size = r.number('size');
    f.#sinceTest = r.number('sinceTest');
    f.#rng.state = r.number('rng');
    f.#distance = r.number('distance');
    f.#rejected = r.number('rejected');
    f.#drift = r.boolean('drift');
    f.#ignored = r.number('ignored');
    return f;
  }
}
