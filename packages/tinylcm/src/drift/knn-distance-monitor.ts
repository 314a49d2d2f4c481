import { TinyMLOpsError, type DetectorSnapshot, type DetectorsReferenceDocument } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { checkMonitorState, type MonitorState } from './knn-distance-state.js';
import {
  resolveKnnDistanceOptions,
  type KnnDistanceMonitorOptions,
  type ResolvedKnnDistanceOptions,
} from './knn-distance-options.js';

export type { KnnDistanceMonitorOptions } from './knn-distance-options.js';

/** An episode boundary: exactly one `start` and one `end` per episode. */
export interface KnnDistanceEvent {
  phase: 'start' | 'end';
  /** 1-based episode number since construction or `reset()`. */
  episode: number;
  /** 0-based index of the frame (finite input) that caused the event. */
  frameIndex: number;
  statistics: { meanDistance: number; pageHinkley: number; referenceMean: number; referenceStd: number };
  thresholds: { delta: number; lambda: number; exit: number };
}

/** What the stability gate looks at. */
export interface FrameContext {
  confidence: number;
  label: string | null;
}

/**
 * Label-free drift monitor on the KNN's mean neighbour distance (reference-tinylcm.md §2.4, without
 * the prototype's defects). Page-Hinkley: mₜ = mₜ₋₁ + xₜ − μ − δ, PH = mₜ − min m; an episode starts
 * when PH > λ and ends once PH < exitFraction·λ for `exitFrames` frames in a row. While in an episode
 * PH is capped at λ, so the exit delay is bounded by ≈ (1 − exitFraction)·λ/δ + exitFrames frames
 * however long the episode was. δ and λ are multiples of the reference σ, so one configuration fits
 * any feature scale.
 *
 * Defaults δ = 0.75σ, λ = 8σ, tuned on the real streams of `bench/real-streams.ts` (fashion-mnv2
 * over the committed Fashion-MNIST sample, bundle reference 10.47 ± 2.73; docs/drift-benchmark.md):
 * held-out classes (bag + ankle boot, ≈ +1.2σ) are found after a median 7 frames, bag alone (+2.4σ)
 * after 4, brightness / contrast / blur / noise corruption after 5 / 6 / 8 / 13; no false episode in
 * 12,000 no-drift frames (0.2 per 10⁴ over 96,000 resampled ones). Ankle boot alone (+0.26σ) is
 * below δ: no distance setting finds it without flooding false alarms. The former δ = 1σ, λ = 25σ
 * (tuned on constructed log-normal streams) needed 62+ frames. A moving average before the test
 * only added delay (Page-Hinkley already sums), and a robust (MAD) σ differs from the std by 3 %.
 * Frames are independent draws here; a camera holding one scene for several frames correlates
 * them: each image held 1–5 frames gives 41 false episodes per 10⁴ frames (λ = 16σ: 2.4), so feed
 * one frame per scene change there, or raise λ. Exit: PH < 0.5λ for 15 frames (≈ 20 frames after
 * the stream returns to the reference; 5 frames split held-out-mix episodes into 2–3 alerts).
 * Cooldown 30 frames ≈ 15 s at 2 fps.
 *
 * The reference (μ, σ) comes from options (the bundle's `detectors.json`) or from the first
 * `warmUpFrames` stable frames; it then tracks slowly (EWMA, `referenceUpdateRate`) from stable frames
 * only — known-class frames (at least `minConfidence`, default 0, since a confidence gate biases
 * the reference low) outside episodes and cooldown while PH is below the exit threshold, and only
 * frames within 3σ (so the onset of a shift is not absorbed); σ never falls below half its initial
 * value. Reference statistics must come from samples not stored in the KNN (self-matches bias the
 * mean low).
 *
 * Per the contract `driftDetected` is true on the update that started an episode; unlike the
 * auto-resetting detectors the episode then persists (`inEpisode`) until its end event.
 * `lastEvent` is the event of the latest update or null. O(1) per update, no allocation except events.
 * @example
 * // Reference: mean neighbour distance 10 ± 1; unknown objects (distance 15) from frame 100 to 199.
 * const mon = KnnDistanceMonitor.fromReference({ schemaVersion: 1, knnDistance: { mean: 10, std: 1, samples: 500 } });
 * const events = [];
 * for (let i = 0; i < 400; i++) {
 *   mon.updateWithContext(i >= 100 && i < 200 ? 15 : 10, { confidence: 1, label: 'coat' });
 *   if (mon.lastEvent) events.push(`${mon.lastEvent.phase}@${i}`);
 * }
 * console.log(events.join(' '));
 * // => start@101 end@219
 */
export class KnnDistanceMonitor implements DriftDetector<number> {
  readonly kind = 'knn-distance';
  readonly options: Readonly<ResolvedKnnDistanceOptions>;
  readonly #known: ReadonlySet<string> | null;
  #s!: MonitorState;
  #driftDetected = false;
  #lastEvent: KnnDistanceEvent | null = null;

  constructor(options: KnnDistanceMonitorOptions = {}) {
    this.options = Object.freeze(resolveKnnDistanceOptions(options));
    this.#known = this.options.knownClasses ? new Set(this.options.knownClasses) : null;
    this.reset();
  }

  /**
   * Builds a monitor whose reference is the bundle's `detectors.json` `knnDistance` statistics.
   * @example
   * const mon = KnnDistanceMonitor.fromReference({ schemaVersion: 1, knnDistance: { mean: 12, std: 3, samples: 500 } });
   * console.log(mon.options.referenceMean, mon.options.referenceStd);
   * // => 12 3
   */
  static fromReference(doc: DetectorsReferenceDocument, options: KnnDistanceMonitorOptions = {}): KnnDistanceMonitor {
    return new KnnDistanceMonitor({
      ...options,
      referenceMean: doc.knnDistance.mean,
      referenceStd: doc.knnDistance.std,
    });
  }

  /**
   * Rebuilds a monitor from `snapshot()`; mid-episode snapshots continue the same episode.
   * @example
   * const mon = KnnDistanceMonitor.fromReference({ schemaVersion: 1, knnDistance: { mean: 10, std: 1, samples: 500 } });
   * for (let i = 0; i < 120; i++) mon.update(i < 100 ? 10 : 15);
   * const again = KnnDistanceMonitor.fromSnapshot(JSON.parse(JSON.stringify(mon.snapshot())));
   * console.log(again.inEpisode);
   * // => true
   */
  static fromSnapshot(snap: DetectorSnapshot): KnnDistanceMonitor {
    if (snap.kind !== 'knn-distance' || snap.schemaVersion !== 1)
      throw new TinyMLOpsError(
        'STATE_CORRUPT',
        `KnnDistanceMonitor: cannot restore ${snap.kind} v${snap.schemaVersion}`,
      );
    const mon = new KnnDistanceMonitor(snap.options as KnnDistanceMonitorOptions);
    mon.#s = checkMonitorState(snap.state);
    return mon;
  }

  /**
   * Puts `snapshot()` state back into THIS monitor (its options are kept), so a pipeline holding
   * it sees the restored state: what a state-store boot or rollback needs.
   * @example
   * const mon = KnnDistanceMonitor.fromReference({ schemaVersion: 1, knnDistance: { mean: 10, std: 1, samples: 500 } });
   * const saved = mon.snapshot();
   * for (let i = 0; i < 120; i++) mon.update(15);
   * mon.restore(saved);
   * console.log(mon.inEpisode);
   * // => false
   */
  restore(snap: DetectorSnapshot): void {
    if (snap.kind !== this.kind || snap.schemaVersion !== 1)
      throw new TinyMLOpsError(
        'STATE_CORRUPT',
        `KnnDistanceMonitor: cannot restore ${snap.kind} v${snap.schemaVersion}`,
      );
    this.#s = checkMonitorState(snap.state);
    this.#driftDetected = false;
    this.#lastEvent = null;
  }

  get driftDetected(): boolean {
    return this.#driftDetected;
  }
  get ignoredCount(): number {
    return this.#s.ignored;
  }
  get inEpisode(): boolean {
    return this.#s.inEpisode;
  }
  get lastEvent(): KnnDistanceEvent | null {
    return this.#lastEvent;
  }
  /** Current Page-Hinkley statistic (0 during warm-up). */
  get statistic(): number {
    return this.#s.m - this.#s.minM;
  }
  /** Current reference, or null during warm-up. */
  get reference(): { mean: number; std: number } | null {
    const { mean, std } = this.#s;
    return mean === null || std === null ? null : { mean, std };
  }

  /** DriftDetector contract: a frame without gate context counts as stable. */
  update(x: number): this {
    return this.updateWithContext(x);
  }

  /**
   * Feeds the mean neighbour distance of one frame with the prediction that the gate inspects.
   * @example
   * const mon = new KnnDistanceMonitor({ referenceMean: 10, referenceStd: 1 });
   * // A confident known-class frame: it may also refine the reference.
   * mon.updateWithContext(10.2, { confidence: 0.95, label: 'coat' });
   * console.log(mon.inEpisode);
   * // => false
   */
  updateWithContext(x: number, context?: FrameContext): this {
    this.#driftDetected = false;
    this.#lastEvent = null;
    const s = this.#s;
    if (!Number.isFinite(x)) {
      s.ignored++;
      return this;
    }
    const frame = s.frames++;
    const stable = this.#stable(context);
    if (s.mean === null || s.std === null) {
      if (stable) this.#warmUp(x);
      return this;
    }
    // Plain numbers, not an object: update() allocates nothing except at episode boundaries.
    const delta = this.options.deltaSigma * s.std;
    const lambda = this.options.lambdaSigma * s.std;
    const exit = this.options.exitFraction * lambda;
    s.m += x - s.mean - delta;
    if (s.m < s.minM) s.minM = s.m;
    if (s.inEpisode && s.m - s.minM > lambda) s.minM = s.m - lambda; // cap: bounded exit delay
    const ph = s.m - s.minM;
    if (s.cooldownLeft > 0) s.cooldownLeft--;
    if (!s.inEpisode && ph > lambda && s.cooldownLeft === 0) {
      Object.assign(s, { inEpisode: true, below: 0, episode: s.episode + 1 });
      this.#driftDetected = true;
      this.#emit('start', frame, x, ph);
    } else if (s.inEpisode) {
      s.below = ph < exit ? s.below + 1 : 0;
      if (s.below >= this.options.exitFrames) {
        this.#emit('end', frame, x, ph);
        Object.assign(s, { inEpisode: false, below: 0, m: 0, minM: 0, cooldownLeft: this.options.cooldownFrames });
      }
    } else if (stable && s.cooldownLeft === 0 && ph < exit) this.#track(x);
    return this;
  }

  reset(): void {
    const { referenceMean, referenceStd } = this.options;
    this.#s = { frames: 0, warmUp: [], mean: referenceMean, std: referenceStd, std0: referenceStd, m: 0, minM: 0, inEpisode: false, episode: 0, below: 0, cooldownLeft: 0, ignored: 0 }; // prettier-ignore
    this.#driftDetected = false;
    this.#lastEvent = null;
  }

  snapshot(): DetectorSnapshot {
    const options = { ...this.options } as unknown as Record<string, unknown>;
    return { kind: this.kind, schemaVersion: 1, options, state: { ...this.#s, warmUp: [...this.#s.warmUp] } };
  }

  #stable(c: FrameContext | undefined): boolean {
    if (!c) return true;
    return c.label !== null && c.confidence >= this.options.minConfidence && (!this.#known || this.#known.has(c.label));
  }

  #warmUp(x: number): void {
    const s = this.#s;
    s.warmUp.push(x);
    if (s.warmUp.length < this.options.warmUpFrames) return;
    const mean = s.warmUp.reduce((a, b) => a + b, 0) / s.warmUp.length;
    const std = Math.sqrt(s.warmUp.reduce((a, b) => a + (b - mean) ** 2, 0) / s.warmUp.length);
    // A constant warm-up would make every threshold 0; fall back to 10 % of the mean (the prototype's choice).
    const std0 = std > 0 ? std : Math.max(Math.abs(mean) * 0.1, 1e-9);
    Object.assign(s, { mean, std: std0, std0, warmUp: [] });
  }

  /** EWMA of mean and variance from a stable frame while PH is below the exit threshold. */
  #track(x: number): void {
    const a = this.options.referenceUpdateRate;
    const s = this.#s as MonitorState & { mean: number; std: number };
    const diff = x - s.mean;
    // Outliers (> 3σ) are evidence for the test, not for the reference.
    if (a === 0 || Math.abs(diff) > 3 * s.std) return;
    s.mean += a * diff;
    // Floor: a long run of near-identical frames must not shrink σ (and with it δ and λ) to nothing.
    s.std = Math.max(Math.sqrt((1 - a) * (s.std * s.std + a * diff * diff)), 0.5 * (s.std0 ?? s.std));
  }

  #thresholds(std: number) {
    const lambda = this.options.lambdaSigma * std;
    return { delta: this.options.deltaSigma * std, lambda, exit: this.options.exitFraction * lambda };
  }

  #emit(phase: 'start' | 'end', frameIndex: number, meanDistance: number, pageHinkley: number): void {
    const s = this.#s as MonitorState & { mean: number; std: number };
    this.#lastEvent = {
      phase,
      episode: s.episode,
      frameIndex,
      statistics: { meanDistance, pageHinkley, referenceMean: s.mean, referenceStd: s.std },
      thresholds: this.#thresholds(s.std),
    };
  }
}
