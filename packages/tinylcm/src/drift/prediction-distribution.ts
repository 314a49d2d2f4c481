/*
 * Prediction-distribution monitor: Jensen–Shannon divergence (J. Lin, IEEE Trans. Inf. Theory
 * 37(1):145–151, 1991) between a reference class distribution and the recent predictions, as a
 * label-free signal of prior (class-mix) shift (Z. Lipton, Y.-X. Wang, A. Smola, "Detecting and
 * correcting for label shift with black box predictors", ICML 2018).
 */
import { TinyMLOpsError, type DetectorSnapshot } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { jensenShannon } from './internal/jensen-shannon.js';
import { checkNumber, checkOneOf, withDefaults } from './internal/options.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';

/** `block`: sliding window of the last predictions; `ewma`: exponentially weighted class frequencies. */
export const PREDICTION_DISTRIBUTION_METHODS = ['block', 'ewma'] as const;

/** Options of {@link PredictionDistribution}; every field is optional. */
export interface PredictionDistributionOptions {
  /** Default `block`. */
  method?: (typeof PREDICTION_DISTRIBUTION_METHODS)[number];
  /** Predictions in the window (block), and before the first test (both). Default 50. */
  windowSize?: number;
  /** Weight of the newest prediction in the `ewma` method. Default 0.05. */
  smoothing?: number;
  /** Drift when the divergence (bits, in [0, 1]) exceeds this. Default 0.2. */
  threshold?: number;
  /** Predictions that form the reference when `reference` is null. Default 100. */
  minSamples?: number;
  /** Fixed reference class probabilities (normalised here); null learns them. Default null. */
  reference?: readonly number[] | null;
  /** Class labels, when predictions arrive as labels rather than indices. Default null. */
  labels?: readonly string[] | null;
  /** Largest number of classes (memory is preallocated for it). Default 256. */
  maxClasses?: number;
}

const DEFAULTS: Required<PredictionDistributionOptions> = {
  method: 'block',
  windowSize: 50,
  smoothing: 0.05,
  threshold: 0.2,
  minSamples: 100,
  reference: null,
  labels: null,
  maxClasses: 256,
};
const NAME = 'PredictionDistribution';

/**
 * Label-free prior-shift detector on predicted classes (an index, or a label from `labels`): fires
 * when the Jensen–Shannon divergence between the reference class distribution and the recent one
 * exceeds `threshold`. O(classes) time per update, O(windowSize + maxClasses) memory.
 *
 * @example
 * const rng = new Prng(10);
 * const monitor = new PredictionDistribution();
 * for (let i = 0; i < 1500; i++) {
 *   // ten balanced classes, then 60 % of predictions collapse onto class 0
 *   const y = i >= 1000 && rng.next() < 0.6 ? 0 : rng.nextInt(10);
 *   if (monitor.update(y).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1035
 */
export class PredictionDistribution implements DriftDetector<number | string> {
  readonly kind = 'prediction-distribution';
  readonly options: Readonly<Required<PredictionDistributionOptions>>;
  readonly #index: ReadonlyMap<string, number>;
  readonly #reference: Float64Array;
  readonly #recent: Float64Array;
  readonly #ring: Int32Array;
  #classes = 0;
  #learned = 0;
  #head = 0;
  #size = 0;
  #divergence = NaN;
  #drift = false;
  #ignored = 0;

  constructor(options: PredictionDistributionOptions = {}) {
    const o = withDefaults(NAME, DEFAULTS, options);
    checkOneOf(NAME, 'method', o.method, PREDICTION_DISTRIBUTION_METHODS);
    checkNumber(NAME, 'windowSize', o.windowSize, { min: 1, integer: true });
    checkNumber(NAME, 'smoothing', o.smoothing, { min: 0, max: 1, minExclusive: true });
    checkNumber(NAME, 'threshold', o.threshold, { min: 0, max: 1, minExclusive: true });
    checkNumber(NAME, 'minSamples', o.minSamples, { min: 1, integer: true });
    checkNumber(NAME, 'maxClasses', o.maxClasses, { min: 2, max: 65536, integer: true });
    validateReference(o.reference, o.maxClasses);
    validateLabels(o.labels, o.maxClasses);
    this.options = Object.freeze(o);
    this.#index = new Map((o.labels ?? []).map((label, i) => [label, i]));
    this.#reference = new Float64Array(o.maxClasses);
    this.#recent = new Float64Array(o.maxClasses);
    this.#ring = new Int32Array(o.windowSize);
    this.#clear();
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Jensen–Shannon divergence (bits) of the last test; NaN before the first. */
  get statistic(): number {
    return this.#divergence;
  }

  update(x: number | string): this {
    if (this.#drift) this.#clear();
    const y = typeof x === 'string' ? (this.#index.get(x) ?? -1) : x;
    if (!Number.isInteger(y) || y < 0 || y >= this.options.maxClasses) {
      this.#ignored++;
      return this;
    }
    if (y >= this.#classes) this.#classes = y + 1;
    if (this.#learned < this.options.minSamples) return this.#learn(y);
    if (this.options.method === 'block') this.#pushBlock(y);
    else this.#pushEwma(y);
    if (this.#size < this.options.windowSize) return this;
    const scale = this.options.method === 'block' ? 1 / this.options.windowSize : 1;
    this.#divergence = jensenShannon(this.#reference, this.#recent, this.#classes, scale);
    this.#drift = this.#divergence > this.options.threshold;
    return this;
  }

  #learn(y: number): this {
    this.#learned++;
    this.#reference[y]!++;
    if (this.#learned === this.options.minSamples) {
      for (let i = 0; i < this.#classes; i++) this.#reference[i]! /= this.#learned;
      this.#startRecent();
    }
    return this;
  }

  #startRecent(): void {
    // The EWMA starts at the reference so the first tests compare like with like.
    if (this.options.method === 'ewma') this.#recent.set(this.#reference);
    else this.#recent.fill(0);
  }

  #pushBlock(y: number): void {
    const w = this.options.windowSize;
    // Integer counts: adding and removing 1/w would accumulate rounding error over a long run.
    if (this.#size === w) this.#recent[this.#ring[this.#head]!]!--;
    else this.#size++;
    this.#ring[this.#head] = y;
    this.#head = (this.#head + 1) % w;
    this.#recent[y]!++;
  }

  #pushEwma(y: number): void {
    const s = this.options.smoothing;
    for (let i = 0; i < this.#classes; i++) this.#recent[i]! *= 1 - s;
    this.#recent[y]! += s;
    if (this.#size < this.options.windowSize) this.#size++;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    const ref = this.options.reference;
    this.#reference.fill(0);
    this.#classes = ref?.length ?? 0;
    this.#learned = 0;
    if (ref) {
      const total = ref.reduce((a, b) => a + b, 0);
      ref.forEach((p, i) => (this.#reference[i] = p / total));
      this.#learned = this.options.minSamples;
    }
    this.#startRecent();
    this.#ring.fill(0);
    this.#head = 0;
    this.#size = 0;
    this.#divergence = NaN;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      classes: this.#classes,
      learned: this.#learned,
      reference: encodeNumbers(this.#reference.subarray(0, this.#classes)),
      recent: encodeNumbers(this.#recent.subarray(0, this.#classes)),
      ring: Array.from(this.#ring),
      head: this.#head,
      size: this.#size,
      divergence: Number.isNaN(this.#divergence) ? 'NaN' : this.#divergence,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link PredictionDistribution.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): PredictionDistribution {
    const r = new StateReader(snapshot, 'prediction-distribution', 1);
    const d = new PredictionDistribution(snapshot.options as PredictionDistributionOptions);
    d.#classes = Math.min(r.number('classes'), d.options.maxClasses);
    d.#learned = r.number('learned');
    d.#reference.fill(0);
    d.#recent.fill(0);
    r.numbers('reference', d.#reference.subarray(0, d.#classes));
    r.numbers('recent', d.#recent.subarray(0, d.#classes));
    r.numbers('ring', d.#ring);
    d.#head = r.number('head');
    d.#size = r.number('size');
    d.#divergence = r.number('divergence');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}

function validateLabels(labels: unknown, maxClasses: number): void {
  if (labels === null) return;
  const ok =
    Array.isArray(labels) &&
    labels.length <= maxClasses &&
    labels.every((l) => typeof l === 'string') &&
    new Set(labels).size === labels.length;
  if (!ok) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `${NAME}: option "labels" must be null or up to ${maxClasses} distinct strings, got ${JSON.stringify(labels)}`,
    );
  }
}

function validateReference(reference: unknown, maxClasses: number): void {
  if (reference === null) return;
  const ok =
    Array.isArray(reference) &&
    reference.length >= 2 &&
    reference.length <= maxClasses &&
    reference.every((p) => typeof p === 'number' && Number.isFinite(p) && p >= 0) &&
    reference.some((p) => p > 0);
  if (!ok) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `${NAME}: option "reference" must be null or 2..${maxClasses} non-negative numbers, not all 0, got ${JSON.stringify(reference)}`,
    );
  }
}
