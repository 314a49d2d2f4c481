/*
 * Camera-health drift: robust z-scores (|x − median| / MAD, F. Hampel, JASA 69(346):383–393, 1974)
 * of a frame's pixel statistics against the device's own first scenes. A held scene is one
 * observation: the detector set feeds it once per scene (`sceneChange`).
 */
import { ImageStatisticsOptions, type DetectorSnapshot, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { RawFrame } from '../features/preprocess.js';
import type { DriftDetector } from './drift-detector.js';
import { parseOptions } from './internal/options.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';
import { PIXEL_STATISTICS, PixelStatistics, isRawFrame } from './pixel-statistics.js';

export type { ImageStatisticsOptions } from '@tinymlops/contracts';

const DIMS = PIXEL_STATISTICS.length;
type Resolved = ResolvedDetectorOptions<'image-statistics'>;
/** Sharpness is tested for a fall only (blur): noise raises it, and grain already answers noise. */
const FALL_ONLY = PIXEL_STATISTICS.map((name) => name === 'sharpness');
/** The statistics with a z limit of their own; the others use `threshold`. */
const LIMIT: Partial<Record<(typeof PIXEL_STATISTICS)[number], (o: Resolved) => number>> = {
  grain: (o) => o.grainThreshold,
  sharpness: (o) => o.sharpnessThreshold,
  dark: (o) => o.darkThreshold,
};

/**
 * Label-free drift on the raw pixels ({@link PixelStatistics}: level, spread, dark and bright
 * levels, edges, noise, grain, sharpness): the first `warmup` frames it is fed form the reference
 * (the camera's own black level and sensor noise, which no training image knows); after that a
 * frame is drift when a statistic's robust z-score exceeds its limit (`darkThreshold`,
 * `grainThreshold`, `sharpnessThreshold` for a fall of sharpness, `threshold` for the rest: their
 * tails differ), and a quiet one joins the reference until it holds `maxReference`. The reference
 * survives a drift (no relearning from drifted frames). Finds exposure, contrast, blur and noise
 * changes on their first scene; a new object class moves none of these. O(maxPixels) per update.
 * @example
 * const rng = new Prng(3);
 * const frame = (level) => {
 *   const data = new Uint8Array(32 * 32).map((_, i) => level + (i % 7) * 10 + Math.round(rng.gaussian() * 3));
 *   return { data, width: 32, height: 32, channels: 1 };
 * };
 * const d = new ImageStatistics({ warmup: 20 });
 * const alarms = [];
 * for (let i = 0; i < 60; i++) if (d.update(frame(i < 40 ? 60 : 120)).driftDetected) alarms.push(i);
 * console.log(`first at ${alarms[0]}, ${alarms.length} frames`); // the brighter frames never join the reference
 * // => first at 40, 20 frames
 */
export class ImageStatistics implements DriftDetector<RawFrame> {
  readonly kind = 'image-statistics';
  readonly options: Readonly<ResolvedDetectorOptions<'image-statistics'>>;
  readonly #stats: PixelStatistics;
  readonly #reference: Float64Array;
  readonly #median = new Float64Array(DIMS);
  readonly #mad = new Float64Array(DIMS);
  readonly #column: Float64Array;
  /** Each statistic's z is multiplied by threshold / its own limit, so one comparison tests all. */
  readonly #scale: readonly number[];
  #count = 0;
  #score = NaN;
  #drift = false;
  #ignored = 0;

  constructor(options: ImageStatisticsOptions = {}) {
    const o = parseOptions('ImageStatistics', ImageStatisticsOptions, options);
    this.options = Object.freeze(o);
    this.#stats = new PixelStatistics(o.maxPixels);
    this.#reference = new Float64Array(o.maxReference * DIMS);
    this.#column = new Float64Array(o.maxReference);
    this.#scale = PIXEL_STATISTICS.map((name) => o.threshold / (LIMIT[name]?.(o) ?? o.threshold));
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /**
   * The largest robust z-score of the last frame tested, each statistic's scaled to `threshold` by
   * its own limit (drift when above `threshold`); NaN during the warm-up.
   */
  get statistic(): number {
    return this.#score;
  }

  /** Frames in the reference. */
  get referenceSize(): number {
    return this.#count;
  }

  update(frame: RawFrame): this {
    this.#drift = false;
    const s = isRawFrame(frame) ? this.#stats.compute(frame) : null;
    if (!s || !s.every(Number.isFinite)) {
      this.#ignored++;
      return this;
    }
    if (this.#count < this.options.warmup) return this.#learn(s);
    let score = 0;
    for (let j = 0; j < DIMS; j++) {
      const z = (s[j]! - this.#median[j]!) / this.#mad[j]!;
      score = Math.max(score, (FALL_ONLY[j] ? -z : Math.abs(z)) * this.#scale[j]!);
    }
    this.#score = score;
    this.#drift = score > this.options.threshold;
    if (!this.#drift && this.#count < this.options.maxReference) this.#learn(s);
    return this;
  }

  #learn(s: Float64Array): this {
    this.#reference.set(s, this.#count * DIMS);
    this.#count++;
    if (this.#count >= this.options.warmup) this.#fit();
    return this;
  }

  /** Median and MAD of each statistic over the reference (MAD floored at `minSpread`). */
  #fit(): void {
    const n = this.#count;
    const col = this.#column.subarray(0, n);
    for (let j = 0; j < DIMS; j++) {
      for (let i = 0; i < n; i++) col[i] = this.#reference[i * DIMS + j]!;
      const median = middle(col.sort());
      for (let i = 0; i < n; i++) col[i] = Math.abs(col[i]! - median);
      this.#median[j] = median;
      this.#mad[j] = Math.max(middle(col.sort()), this.options.minSpread);
    }
  }

  reset(): void {
    this.#count = 0;
    this.#score = NaN;
    this.#drift = false;
    this.#ignored = 0;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      reference: encodeNumbers(this.#reference.subarray(0, this.#count * DIMS)),
      score: Number.isNaN(this.#score) ? 'NaN' : this.#score,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 2, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link ImageStatistics.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): ImageStatistics {
    const d = new ImageStatistics(snapshot.options as ImageStatisticsOptions);
    // A v1 reference holds six statistics, not eight: the camera is learnt again from its next scenes.
    if (snapshot.kind === d.kind && snapshot.schemaVersion === 1) return d;
    const r = new StateReader(snapshot, 'image-statistics', 2);
    const reference = r.list('reference').slice(0, d.options.maxReference * DIMS);
    d.#count = Math.floor(reference.length / DIMS);
    d.#reference.set(reference.slice(0, d.#count * DIMS));
    if (d.#count >= d.options.warmup) d.#fit();
    d.#score = r.number('score');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}

const middle = (sorted: Float64Array): number => {
  const n = sorted.length;
  return n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
};
