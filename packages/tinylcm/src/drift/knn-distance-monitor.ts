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
 * Defaults, tuned on constructed streams (skewed log-normal noise, σ = 10; 3·10⁵ frames, 20 seeds):
 * δ = 1σ, λ = 25σ raise no false episode on independent frames and ≈ 20 per 10⁵ frames on strongly
 * autocorrelated ones (AR(1), ρ = 0.8 — consecutive camera frames of one scene); a shift of +5σ / +3σ
 * / +2σ starts an episode after ≈ 6 / 12 / 26 frames. δ = 0.5σ (the first guess) gave 115 false
 * episodes per 10⁵ correlated frames. Exit: PH < 0.5λ for 5 frames (≈ 18 frames after the stream
 * returns to the reference). Cooldown 30 frames ≈ 15 s at 2 fps.
 *
 * Real features (the prototype's 200 × 256 scenario-2 state, one class held out of the KNN, the other
 * classes split into stored and queried halves): a held-out class raises the mean distance by only
 * 0.5–1.1σ (σ = spread over known images). Replayed camera-like (each image held 1–20 frames):
 * defaults → 1.3 false starts per 10⁴ known frames, held-out class found after a median 124–300+
 * frames; δ = 0.5σ, λ = 10σ → 52 false / 10⁴, found after 14–61; δ = 0.25σ, λ = 10σ → 82 false /
 * 10⁴, found after 13–26. No setting separates them well: in this feature space an unknown object
 * looks like an atypical known one. The defaults stay conservative (a false episode costs a person's
 * review); δ is the sensitivity knob. Reference statistics must come from samples not stored in the
 * KNN: the prototype's include self-matches (distance 0.01), which biases its mean low by ≈ 0.3σ.
 *
 * The reference (μ, σ) comes from options (the bundle's `detectors.json`) or from the first
 * `warmUpFrames` stable frames; it then tracks slowly (EWMA, `referenceUpdateRate`) from stable frames
 * only — confident known-class frames outside episodes and cooldown while PH is below the exit
 * threshold, and only frames within 3σ (so the onset of a shift is not absorbed); σ never falls below
 * half its initial value.
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
 * // => start@105 end@216
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
    const o = snap.options as unknown as ResolvedKnnDistanceOptions;
    const mon = new KnnDistanceMonitor({
      ...withoutNulls(o),
      ...(o.knownClasses ? { knownClasses: o.knownClasses } : {}),
    });
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

function withoutNulls(o: ResolvedKnnDistanceOptions): KnnDistanceMonitorOptions {
  const { referenceMean, referenceStd, knownClasses: _k, ...rest } = o;
  return referenceMean === null || referenceStd === null ? rest : { ...rest, referenceMean, referenceStd };
}
