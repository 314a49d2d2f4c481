/*
 * DDM, the Drift Detection Method. J. Gama, P. Medas, G. Castillo, P. Rodrigues, "Learning with
 * drift detection", SBIA 2004, LNCS 3171:286–295. Defaults as River (`river/drift/binary/ddm.py`).
 */
import { DDMOptions, type DetectorSnapshot, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftAndWarningDetector } from './drift-detector.js';
import { asBit } from './internal/as-bit.js';
import { parseOptions } from './internal/options.js';
import { encodeNumber, StateReader } from './internal/snapshot-state.js';

export type { DDMOptions } from '@tinymlops/contracts';

const NAME = 'DDM';

/**
 * DDM on an error stream (`true` = the model was wrong): tracks the error rate p and its binomial
 * standard deviation s, remembers the minimum of p + s, and warns or fires when p + s rises 2 or 3
 * s_min above it. Detects increases of the error rate only. O(1) time and memory per update.
 *
 * Unlike River, s is computed from the Laplace-smoothed rate (errors + 1) / (n + 2): with the raw
 * rate, a perfect warm-up gives s_min = 0 and the first error is an immediate false drift.
 *
 * @example
 * const rng = new Prng(3);
 * const ddm = new DDM();
 * for (let i = 0; i < 3000; i++) {
 *   const error = rng.next() < (i < 2000 ? 0.1 : 0.3);
 *   if (ddm.update(error).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 2128
 */
export class DDM implements DriftAndWarningDetector<boolean> {
  readonly kind = 'ddm';
  readonly options: Readonly<ResolvedDetectorOptions<'ddm'>>;
  #n = 0;
  #errors = 0;
  #pMin = 0;
  #sMin = 0;
  #psMin = Infinity;
  #warning = false;
  #drift = false;
  #ignored = 0;

  constructor(options: DDMOptions = {}) {
    const o = parseOptions(NAME, DDMOptions, options);
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

  /** (p + s − p_min) / s_min: how many minimal deviations the error rate has risen; NaN before warm-up. */
  get statistic(): number {
    if (this.#n < this.options.warmStart || this.#sMin === 0) return NaN;
    return (this.#errors / this.#n + this.#s() - this.#pMin) / this.#sMin;
  }

  #s(): number {
    const q = (this.#errors + 1) / (this.#n + 2);
    return Math.sqrt((q * (1 - q)) / this.#n);
  }

  update(x: boolean): this {
    if (this.#drift) this.#clear();
    const bit = asBit(x);
    if (bit < 0) {
      this.#ignored++;
      return this;
    }
    this.#n++;
    this.#errors += bit;
    if (this.#n < this.options.warmStart) return this;
    const p = this.#errors / this.#n;
    const s = this.#s();
    if (p + s <= this.#psMin) {
      this.#pMin = p;
      this.#sMin = s;
      this.#psMin = p + s;
    }
    this.#drift = p + s > this.#pMin + this.options.driftThreshold * this.#sMin;
    this.#warning = !this.#drift && p + s > this.#pMin + this.options.warningThreshold * this.#sMin;
    return this;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#n = 0;
    this.#errors = 0;
    this.#pMin = 0;
    this.#sMin = 0;
    this.#psMin = Infinity;
    this.#warning = false;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      n: this.#n,
      errors: this.#errors,
      pMin: this.#pMin,
      sMin: this.#sMin,
      psMin: encodeNumber(this.#psMin),
      warning: this.#warning,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link DDM.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): DDM {
    const r = new StateReader(snapshot, 'ddm', 1);
    const d = new DDM(snapshot.options as DDMOptions);
    d.#n = r.number('n');
    d.#errors = r.number('errors');
    d.#pMin = r.number('pMin');
    d.#sMin = r.number('sMin');
    d.#psMin = r.number('psMin');
    d.#warning = r.boolean('warning');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
