/*
 * Kernel maximum mean discrepancy two-sample test. A. Gretton, K. M. Borgwardt, M. J. Rasch,
 * B. Schölkopf, A. Smola, "A kernel two-sample test", JMLR 13:723–773, 2012 (unbiased MMD², median
 * heuristic, permutation null). Used for feature-drift detection as in S. Rabanser, S. Günnemann,
 * Z. Lipton, "Failing loudly", NeurIPS 2019.
 */
import { type DetectorSnapshot, MMDDriftOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import { Prng } from '../random/prng.js';
import type { DriftDetector } from './drift-detector.js';
import { finiteVectorLength } from './internal/finite-vector.js';
import { calibrateMMD, squaredDistance, type MMDCalibration } from './internal/mmd-calibration.js';
import { parseOptions } from './internal/options.js';
import { encodeNumber, encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { MMDDriftOptions } from '@tinymlops/contracts';

const NAME = 'MMDDrift';

/**
 * Label-free multivariate detector on feature vectors: collects a reference of `referenceSize`
 * vectors, calibrates an RBF-kernel MMD² threshold once by a seeded permutation test on it, then
 * tests the last `windowSize` vectors against the reference on every update. Kernel rows are kept
 * incrementally: O((N + W)·d + W²) time per update, O((N + W)·d + W²) memory.
 *
 * @example
 * const rng = new Prng(13);
 * const monitor = new MMDDrift();
 * const x = new Float64Array(8);
 * for (let i = 0; i < 1500; i++) {
 *   for (let j = 0; j < 8; j++) x[j] = rng.gaussian() + (i >= 1000 && j < 2 ? 1 : 0);
 *   if (monitor.update(x).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1017
 */
export class MMDDrift implements DriftDetector<ArrayLike<number>> {
  readonly kind = 'mmd';
  readonly options: Readonly<ResolvedDetectorOptions<'mmd'>>;
  readonly #rng: Prng;
  readonly #rowSums: Float64Array;
  readonly #kernel: Float64Array;
  #dimension = 0;
  #collected = 0;
  #reference = new Float64Array(0);
  #window = new Float64Array(0);
  #calibration: MMDCalibration | null = null;
  #head = 0;
  #size = 0;
  #statistic = NaN;
  #drift = false;
  #ignored = 0;

  constructor(options: MMDDriftOptions = {}) {
    const o = parseOptions(NAME, MMDDriftOptions, options);
    this.options = Object.freeze(o);
    this.#rng = new Prng(o.seed);
    this.#rowSums = new Float64Array(o.windowSize);
    this.#kernel = new Float64Array(o.windowSize * o.windowSize);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Unbiased MMD² of the last test; NaN before the first. */
  get statistic(): number {
    return this.#statistic;
  }

  /** The calibrated MMD² threshold; NaN until the reference is complete. */
  get threshold(): number {
    return this.#calibration?.threshold ?? NaN;
  }

  update(x: ArrayLike<number>): this {
    if (this.#drift) this.#clear();
    const d = finiteVectorLength(x, this.#dimension);
    if (d < 0) {
      this.#ignored++;
      return this;
    }
    if (this.#calibration === null) return this.#collect(x, d);
    this.#push(x, this.#calibration.gamma);
    if (this.#size === this.options.windowSize) this.#test(this.#calibration);
    return this;
  }

  #collect(x: ArrayLike<number>, d: number): this {
    const { referenceSize: n, windowSize: m } = this.options;
    if (this.#dimension === 0) {
      this.#dimension = d;
      this.#reference = new Float64Array(n * d);
      this.#window = new Float64Array(m * d);
    }
    for (let j = 0; j < d; j++) this.#reference[this.#collected * d + j] = x[j]!;
    if (++this.#collected === n) this.#calibration = calibrateMMD(this.#reference, n, d, m, this.options, this.#rng);
    return this;
  }

  /** Stores x in the ring and refreshes its kernel row against the reference and the window. */
  #push(x: ArrayLike<number>, gamma: number): void {
    const { referenceSize: n, windowSize: m } = this.options;
    const d = this.#dimension;
    const s = this.#head;
    for (let j = 0; j < d; j++) this.#window[s * d + j] = x[j]!;
    let toReference = 0;
    for (let i = 0; i < n; i++)
      toReference += Math.exp(-gamma * squaredDistance(this.#window, s, this.#reference, i, d));
    this.#rowSums[s] = toReference;
    if (this.#size < m) this.#size++;
    for (let j = 0; j < this.#size; j++) {
      if (j === s) continue;
      const k = Math.exp(-gamma * squaredDistance(this.#window, s, this.#window, j, d));
      this.#kernel[s * m + j] = k;
      this.#kernel[j * m + s] = k;
    }
    this.#head = (s + 1) % m;
  }

  #test(calibration: MMDCalibration): void {
    const { referenceSize: n, windowSize: m } = this.options;
    // Sums are recomputed, not kept running, so rounding cannot accumulate over a long run.
    let ww = 0;
    let wr = 0;
    for (let i = 0; i < m; i++) {
      wr += this.#rowSums[i]!;
      for (let j = 0; j < m; j++) if (i !== j) ww += this.#kernel[i * m + j]!;
    }
    this.#statistic = calibration.referenceTerm + ww / (m * (m - 1)) - (2 * wr) / (n * m);
    this.#drift = this.#statistic > calibration.threshold;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
    this.#rng.state = this.options.seed;
  }

  #clear(): void {
    this.#rowSums.fill(0);
    this.#kernel.fill(0);
    this.#reference = new Float64Array(0);
    this.#window = new Float64Array(0);
    this.#dimension = 0;
    this.#collected = 0;
    this.#calibration = null;
    this.#head = 0;
    this.#size = 0;
    this.#statistic = NaN;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const c = this.#calibration;
    const state = {
      dimension: this.#dimension,
      collected: this.#collected,
      reference: encodeNumbers(this.#reference.subarray(0, this.#collected * this.#dimension)),
      calibration: c ? [c.gamma, c.referenceTerm, encodeNumber(c.threshold)] : [],
      window: encodeNumbers(this.#window),
      rowSums: encodeNumbers(this.#rowSums),
      kernel: encodeNumbers(this.#kernel),
      head: this.#head,
      size: this.#size,
      rng: this.#rng.state,
      statistic: encodeNumber(this.#statistic),
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link MMDDrift.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): MMDDrift {
    const r = new StateReader(snapshot, 'mmd', 1);
    const m = new MMDDrift(snapshot.options as MMDDriftOptions);
    const d = r.number('dimension');
    m.#dimension = d;
    m.#collected = r.number('collected');
    m.#reference = new Float64Array(m.options.referenceSize * d);
    m.#window = new Float64Array(m.options.windowSize * d);
    r.numbers('reference', m.#reference.subarray(0, m.#collected * d));
    const c = r.list('calibration');
    if (c.length === 3) m.#calibration = { gamma: c[0]!, referenceTerm: c[1]!, threshold: c[2]! };
    r.numbers('window', m.#window);
    r.numbers('rowSums', m.#rowSums);
    r.numbers('kernel', m.#kernel);
    m.#head = r.number('head');
    m.#size = r.number('size');
    m.#rng.state = r.number('rng');
    m.#statistic = r.number('statistic');
    m.#drift = r.boolean('drift');
    m.#ignored = r.number('ignored');
    return m;
  }
}
