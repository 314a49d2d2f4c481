/*
 * Prediction-distribution monitor: Jensen–Shannon divergence (J. Lin, IEEE Trans. Inf. Theory
 * 37(1):145–151, 1991) between a reference class distribution and the recent predictions, as a
 * label-free signal of prior (class-mix) shift (Z. Lipton, Y.-X. Wang, A. Smola, "Detecting and
 * correcting for label shift with black box predictors", ICML 2018).
 */
import {
  type DetectorSnapshot,
  PredictionDistributionOptions,
  type ResolvedDetectorOptions,
} from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { jensenShannon } from './internal/jensen-shannon.js';
import { parseOptions } from './internal/options.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { PredictionDistributionOptions } from '@tinymlops/contracts';
export { PREDICTION_DISTRIBUTION_METHODS } from '@tinymlops/contracts';

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
  readonly options: Readonly<ResolvedDetectorOptions<'prediction-distribution'>>;
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
    const o = parseOptions(NAME, PredictionDistributionOptions, options);
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
