/*
 * Two-sided CUSUM. E. S. Page, "Continuous inspection schemes", Biometrika 41(1/2):100–115, 1954;
 * tabular form and the (k, h) parameterisation in standard deviations from D. C. Montgomery,
 * "Introduction to Statistical Quality Control", 7th ed., §9.1, 2012.
 */
import { CUSUMOptions, type DetectorSnapshot, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { parseOptions } from './internal/options.js';
import { StateReader } from './internal/snapshot-state.js';

export type { CUSUMOptions } from '@tinymlops/contracts';

const NAME = 'CUSUM';

/**
 * Two-sided tabular CUSUM on a real-valued stream, standardised by the running mean and standard
 * deviation of the observations since the last drift (so `k` and `h` are scale-free):
 * S⁺ ← max(0, S⁺ + z − k), S⁻ ← max(0, S⁻ − z − k); drift when either exceeds `h`.
 * O(1) time and memory per update.
 *
 * @example
 * const rng = new Prng(2);
 * const cusum = new CUSUM();
 * for (let i = 0; i < 1500; i++) {
 *   const x = 10 + rng.gaussian() + (i < 1000 ? 0 : 1);
 *   if (cusum.update(x).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1010
 */
export class CUSUM implements DriftDetector<number> {
  readonly kind = 'cusum';
  readonly options: Readonly<ResolvedDetectorOptions<'cusum'>>;
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #up = 0;
  #down = 0;
  #drift = false;
  #ignored = 0;

  constructor(options: CUSUMOptions = {}) {
    const o = parseOptions(NAME, CUSUMOptions, options);
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** max(S⁺, S⁻), in standard deviations. */
  get statistic(): number {
    return Math.max(this.#up, this.#down);
  }

  update(x: number): this {
    if (this.#drift) this.#clear();
    if (!Number.isFinite(x)) {
      this.#ignored++;
      return this;
    }
    const { k, h, minInstances } = this.options;
    if (this.#n >= minInstances) {
      // Standardise with the estimates from before this observation, so it cannot mask itself.
      const sd = Math.sqrt(this.#m2 / (this.#n - 1));
      const z = sd > 0 ? (x - this.#mean) / sd : 0;
      this.#up = Math.max(0, this.#up + z - k);
      this.#down = Math.max(0, this.#down - z - k);
      this.#drift = this.#up > h || this.#down > h;
    }
    this.#n++;
    const d = x - this.#mean;
    this.#mean += d / this.#n;
    this.#m2 += d * (x - this.#mean);
    return this;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#up = 0;
    this.#down = 0;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      n: this.#n,
      mean: this.#mean,
      m2: this.#m2,
      up: this.#up,
      down: this.#down,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link CUSUM.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): CUSUM {
    const r = new StateReader(snapshot, 'cusum', 1);
    const d = new CUSUM(snapshot.options as CUSUMOptions);
    d.#n = r.number('n');
    d.#mean = r.number('mean');
    d.#m2 = r.number('m2');
    d.#up = r.number('up');
    d.#down = r.number('down');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
