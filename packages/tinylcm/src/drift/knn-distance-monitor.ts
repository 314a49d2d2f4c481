import { TinyMLOpsError, type DetectorSnapshot, type DetectorsReferenceDocument } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { checkMonitorState, track, warmUp, type MonitorState } from './knn-distance-state.js';
import { SceneTracker } from './scene-tracker.js';
import {
  resolveKnnDistanceOptions,
  type KnnDistanceMonitorOptions,
  type ResolvedKnnDistanceOptions,
} from './knn-distance-options.js';

export type { KnnDistanceMonitorOptions } from './knn-distance-options.js';

/**
 * How much a further frame of an unremarkable held scene lowers PH outside an episode, as a
 * fraction of a new scene's step: enough that the evidence of a drift that has gone fades while the
 * camera watches a known scene (else it tips over later, a false alarm), too little to erase the
 * evidence of a weak drift between its scenes (0.05 was best of 0–0.2 on the correlated streams).
 */
const HELD_WEIGHT = 0.05;

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

/** What the stability gate and the scene tracker look at. */
export interface FrameContext {
  confidence: number;
  label: string | null;
  /** The frame's features: with `sceneChange` set, a frame of the same scene is no new observation. */
  features?: ArrayLike<number>;
}

/**
 * Label-free drift monitor on the KNN's mean neighbour distance (reference-tinylcm.md §2.4, without
 * the prototype's defects). Page-Hinkley: mₜ = mₜ₋₁ + xₜ − μ − δ, PH = mₜ − min m; an episode starts
 * when PH > λ and ends once PH < exitFraction·λ for `exitFrames` frames in a row. While in an episode
 * PH is capped at λ, so the exit delay is bounded by ≈ (1 − exitFraction)·λ/δ + exitFrames frames
 * however long the episode was. δ and λ are multiples of the reference σ, so one configuration fits
 * any feature scale.
 *
 * Three things make it hold on a real camera (docs/drift.md, docs/drift-benchmark.md):
 *
 * - **Per-class scale** (`perClass`, `classScales`): classes sit at very different distances from
 *   their neighbours (fashion-mnv2: sneakers 0.63 × the mean, dresses 1.11 ×), so each frame is
 *   judged as μ + (x − μ·f_mean)/f_std with the factors of its predicted class (a detector set
 *   derives them from the bundle's KNN state, `classDistanceScales`). An ankle boot, which the KNN
 *   calls a sneaker, is +0.26σ against all classes but +1.35σ against sneakers; bag +2.4σ → +3.4σ.
 * - **Scenes** (`sceneChange`, {@link SceneTracker}): a camera shows one scene for many frames and
 *   they are one observation. Only a frame whose features moved more than sceneChange × μ from the
 *   scene's first frame adds a Page-Hinkley step; a held scene adds nothing more, except that an
 *   unremarkable one keeps lowering PH (fully in an episode, so a camera left on a known scene ends
 *   it; by 5 % outside, so a drift that has gone leaves no evidence to tip over later). Counting
 *   frames, each image held 1–5 frames gave 41 false episodes per 10⁴ frames.
 * - **λ = 10σ** (δ = 0.75σ): the per-class values have heavier tails than the global distance, and
 *   8σ (the default without them) let 1–2 false episodes per 10⁴ frames through.
 *
 * On independent frames (fashion-mnv2, 3 stream seeds) that finds held-out classes, bag, ankle boot,
 * brightness, contrast, blur and noise after a median 1–6, 2–4, 13–16, 3–4, 4–6, 3–5 and 8–9 frames
 * with ≤ 0.8 false episodes per 10⁴ frames; on correlated streams (each image held 1–30 frames) it
 * needs 2–4 scenes, i.e. 30–60 frames, and misses weak drifts (ankle boot, noise) there. Exit:
 * PH < 0.5λ for 15 frames (5 frames split held-out-mix episodes into 2–3 alerts). Cooldown 30
 * frames ≈ 15 s at 2 fps.
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
 * // => start@102 end@220
 */
export class KnnDistanceMonitor implements DriftDetector<number> {
  readonly kind = 'knn-distance';
  readonly options: Readonly<ResolvedKnnDistanceOptions>;
  readonly #known: ReadonlySet<string> | null;
  readonly #scenes: SceneTracker | null;
  #s!: MonitorState;
  #driftDetected = false;
  #lastEvent: KnnDistanceEvent | null = null;

  constructor(options: KnnDistanceMonitorOptions = {}) {
    this.options = Object.freeze(resolveKnnDistanceOptions(options));
    this.#known = this.options.knownClasses ? new Set(this.options.knownClasses) : null;
    this.#scenes = this.options.sceneChange === null ? null : new SceneTracker(this.options.sceneChange);
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
    // A frame of the scene already seen adds no evidence; it only advances the frame counters.
    const observed = !this.#scenes || this.#scenes.observe(context?.features, s.mean ?? x);
    if (s.mean === null || s.std === null) {
      if (stable && observed) warmUp(s, x, this.options.warmUpFrames);
      return this;
    }
    const v = this.#perClass(x, context?.label ?? null, s.mean);
    // Plain numbers, not an object: update() allocates nothing except at episode boundaries.
    const delta = this.options.deltaSigma * s.std;
    const lambda = this.options.lambdaSigma * s.std;
    const exit = this.options.exitFraction * lambda;
    // A held scene is one observation: it may not raise PH again frame after frame. In an episode an
    // unremarkable one still lowers it every frame, or a camera left on a known scene would never
    // end the episode.
    const step = v - s.mean - delta;
    const held = observed ? 1 : step >= 0 ? 0 : s.inEpisode ? 1 : HELD_WEIGHT;
    if (held > 0) {
      s.m += held * step;
      if (s.m < s.minM) s.minM = s.m;
      if (s.inEpisode && s.m - s.minM > lambda) s.minM = s.m - lambda; // cap: bounded exit delay
    }
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
    } else if (observed && stable && s.cooldownLeft === 0 && ph < exit) track(s, v, this.options.referenceUpdateRate);
    return this;
  }

  reset(): void {
    this.#scenes?.reset();
    const { referenceMean, referenceStd } = this.options;
    this.#s = {
      frames: 0,
      warmUp: [],
      mean: referenceMean,
      std: referenceStd,
      std0: referenceStd,
      m: 0,
      minM: 0,
      inEpisode: false,
      episode: 0,
      below: 0,
      cooldownLeft: 0,
      ignored: 0,
    };
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

  /** The distance as if the frame's class had the reference scale: μ + (x − μ·f_mean) / f_std. */
  #perClass(x: number, label: string | null, mean: number): number {
    const scale = this.options.perClass && label !== null ? this.options.classScales?.[label] : undefined;
    return scale ? mean + (x - mean * scale.mean) / scale.std : x;
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
