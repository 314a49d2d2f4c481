/*
 * EDDM, the Early Drift Detection Method. M. Baena-García, J. del Campo-Ávila, R. Fidalgo,
 * A. Bifet, R. Gavaldà, R. Morales-Bueno, "Early drift detection method", 4th International
 * Workshop on Knowledge Discovery from Data Streams, 2006. Defaults as River
 * (`river/drift/binary/eddm.py`).
 */
import { type DetectorSnapshot, EDDMOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftAndWarningDetector } from './drift-detector.js';
import { asBit } from './internal/as-bit.js';
import { parseOptions } from './internal/options.js';
import { StateReader } from './internal/snapshot-state.js';

export type { EDDMOptions } from '@tinymlops/contracts';

const NAME = 'EDDM';

/**
 * EDDM on an error stream (`true` = the model was wrong): tracks the mean m and standard deviation
 * s of the distance between consecutive errors; drift when m + 2s falls below `beta` times its
 * maximum (errors come closer together). Suited to gradual drift. O(1) time and memory per update.
 * `warmStart` counts distances, i.e. errors after the first.
 *
 * @example
 * const rng = new Prng(4);
 * const eddm = new EDDM();
 * for (let i = 0; i < 3000; i++) {
 *   const error = rng.next() < (i < 2000 ? 0.1 : 0.3);
 *   if (eddm.update(error).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 815
 * // => drift at 1307
 * // => drift at 2102
 * // => drift at 2406
 * // => drift at 2589
 * // => drift at 2757
 * // => drift at 2954
 */
export class EDDM implements DriftAndWarningDetector<boolean> {
  readonly kind = 'eddm';
  readonly options: Readonly<ResolvedDetectorOptions<'eddm'>>;
  #n = 0;
  #lastError = 0;
  #errors = 0;
  #mean = 0;
  #m2 = 0;
  #max = 0;
  #ratio = NaN;
  #warning = false;
  #drift = false;
  #ignored = 0;

  constructor(options: EDDMOptions = {}) {
    const o = parseOptions(NAME, EDDMOptions, options);
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** (m + 2s) / max(m + 2s) at the last error; NaN before warm-up. */
  get statistic(): number {
    return this.#ratio;
  }

  update(x: boolean): this {
    if (this.#drift) this.#clear();
    const bit = asBit(x);
    if (bit < 0) {
      this.#ignored++;
      return this;
    }
    this.#n++;
    if (bit === 0) return this;
    const distance = this.#n - this.#lastError;
    const first = this.#lastError === 0;
    this.#lastError = this.#n;
    // The first error has no predecessor; River counts its distance from the stream start, which
    // biases the spread (a perfectly regular error stream would then drift).
    if (first) return this;
    this.#errors++;
    const d = distance - this.#mean;
    this.#mean += d / this.#errors;
    this.#m2 += d * (distance - this.#mean);
    if (this.#errors < this.options.warmStart) return this;
    const m2s = this.#mean + 2 * Math.sqrt(this.#m2 / (this.#errors - 1));
    if (m2s > this.#max) this.#max = m2s;
    this.#ratio = m2s / this.#max;
    this.#drift = this.#ratio < this.options.beta;
    this.#warning = !this.#drift && this.#ratio < this.options.alpha;
    return this;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#n = 0;
    this.#lastError = 0;
    this.#errors = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#max = 0;
    this.#ratio = NaN;
    this.#warning = false;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      n: this.#n,
      lastError: this.#lastError,
      errors: this.#errors,
      mean: this.#mean,
      m2: this.#m2,
      max: this.#max,
      ratio: Number.isNaN(this.#ratio) ? 'NaN' : this.#ratio,
      warning: this.#warning,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link EDDM.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): EDDM {
    const r = new StateReader(snapshot, 'eddm', 1);
    const d = new EDDM(snapshot.options as EDDMOptions);
    d.#n = r.number('n');
    d.#lastError = r.number('lastError');
    d.#errors = r.number('errors');
    d.#mean = r.number('mean');
    d.#m2 = r.number('m2');
    d.#max = r.number('max');
    d.#ratio = r.number('ratio');
    d.#warning = r.boolean('warning');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
