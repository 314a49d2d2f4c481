/*
 * HDDM_W, drift detection with McDiarmid bounds on exponentially weighted moving averages
 * ("W-test"). I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno, A. Ortiz-Díaz,
 * Y. Caballero-Mota, "Online and non-parametric drift detection methods based on Hoeffding's
 * bounds", IEEE TKDE 27(3):810–823, 2015. Defaults as River (`river/drift/binary/hddm_w.py`).
 */
import { type DetectorSnapshot, HDDMWOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftAndWarningDetector } from './drift-detector.js';
import { asBit } from './internal/as-bit.js';
import { parseOptions } from './internal/options.js';
import { encodeNumber, encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { HDDMWOptions } from '@tinymlops/contracts';

const NAME = 'HDDMW';
// Five weighted samples, each an (EWMA, sum of squared weights) pair in #v; EWMA < 0 means empty.
const TOTAL = 0;
const INCR1 = 2;
const INCR2 = 4;
const DECR1 = 6;
const DECR2 = 8;

/**
 * HDDM_W on an error stream (`true` = the model was wrong): compares the EWMA of the error since a
 * cut point with the EWMA up to it, with a McDiarmid bound on the weighted sums. Reacts faster than
 * HDDM_A to recent change. O(1) time and memory per update.
 *
 * @example
 * const rng = new Prng(6);
 * const hddm = new HDDMW();
 * for (let i = 0; i < 3000; i++) {
 *   const error = rng.next() < (i < 2000 ? 0.1 : 0.3);
 *   if (hddm.update(error).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 2235
 */
export class HDDMW implements DriftAndWarningDetector<boolean> {
  readonly kind = 'hddm-w';
  readonly options: Readonly<ResolvedDetectorOptions<'hddm-w'>>;
  readonly #v = new Float64Array(10);
  #incrCut = Infinity;
  #decrCut = -Infinity;
  #warning = false;
  #drift = false;
  #ignored = 0;

  constructor(options: HDDMWOptions = {}) {
    const o = parseOptions(NAME, HDDMWOptions, options);
    this.options = Object.freeze(o);
    this.#clear();
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

  /** EWMA since the cut point minus EWMA up to it (increase side); NaN while either is empty. */
  get statistic(): number {
    const v = this.#v;
    return v[INCR1]! < 0 || v[INCR2]! < 0 ? NaN : v[INCR2]! - v[INCR1]!;
  }

  update(x: boolean): this {
    if (this.#drift) this.#clear();
    const bit = asBit(x);
    if (bit < 0) {
      this.#ignored++;
      return this;
    }
    const { driftConfidence, warningConfidence, twoSidedTest } = this.options;
    this.#push(TOTAL, bit);
    this.#updateIncr(bit);
    this.#drift = this.#differs(INCR1, INCR2, driftConfidence);
    this.#warning = !this.#drift && this.#differs(INCR1, INCR2, warningConfidence);
    this.#updateDecr(bit);
    if (twoSidedTest && !this.#drift) {
      this.#drift = this.#differs(DECR2, DECR1, driftConfidence);
      this.#warning = !this.#drift && (this.#warning || this.#differs(DECR2, DECR1, warningConfidence));
    }
    if (this.#drift) this.#warning = false;
    return this;
  }

  #push(at: number, x: number): void {
    const v = this.#v;
    const l = this.options.lambda;
    if (v[at]! < 0) {
      v[at] = x;
      v[at + 1] = 1;
    } else {
      v[at] = l * x + (1 - l) * v[at]!;
      v[at + 1] = l * l + (1 - l) * (1 - l) * v[at + 1]!;
    }
  }

  #epsilon(at: number, confidence: number): number {
    return Math.sqrt((this.#v[at + 1]! * Math.log(1 / confidence)) / 2);
  }

  /** True when sample `hi` exceeds sample `lo` by more than the bound on their combined weights. */
  #differs(lo: number, hi: number, confidence: number): boolean {
    const v = this.#v;
    if (v[lo]! < 0 || v[hi]! < 0) return false;
    const bound = Math.sqrt(((v[lo + 1]! + v[hi + 1]!) * Math.log(1 / confidence)) / 2);
    return v[hi]! - v[lo]! > bound;
  }

  #updateIncr(x: number): void {
    const v = this.#v;
    const cut = v[TOTAL]! + this.#epsilon(TOTAL, this.options.driftConfidence);
    if (cut < this.#incrCut) {
      this.#incrCut = cut;
      v[INCR1] = v[TOTAL]!;
      v[INCR1 + 1] = v[TOTAL + 1]!;
      v[INCR2] = -1;
      v[INCR2 + 1] = 0;
    } else this.#push(INCR2, x);
  }

  #updateDecr(x: number): void {
    const v = this.#v;
    const cut = v[TOTAL]! - this.#epsilon(TOTAL, this.options.driftConfidence);
    if (cut > this.#decrCut) {
      this.#decrCut = cut;
      v[DECR1] = v[TOTAL]!;
      v[DECR1 + 1] = v[TOTAL + 1]!;
      v[DECR2] = -1;
      v[DECR2 + 1] = 0;
    } else this.#push(DECR2, x);
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    for (let i = 0; i < 10; i += 2) {
      this.#v[i] = -1;
      this.#v[i + 1] = 0;
    }
    this.#incrCut = Infinity;
    this.#decrCut = -Infinity;
    this.#warning = false;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      samples: encodeNumbers(this.#v),
      incrCut: encodeNumber(this.#incrCut),
      decrCut: encodeNumber(this.#decrCut),
      warning: this.#warning,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link HDDMW.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): HDDMW {
    const r = new StateReader(snapshot, 'hddm-w', 1);
    const d = new HDDMW(snapshot.options as HDDMWOptions);
    r.numbers('samples', d.#v);
    d.#incrCut = r.number('incrCut');
    d.#decrCut = r.number('decrCut');
    d.#warning = r.boolean('warning');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
