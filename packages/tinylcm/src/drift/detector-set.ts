import {
  DRIFT_DETECTOR_KINDS,
  TinyMLOpsError,
  labelledKindMessage,
  type DetectorSnapshot,
  type DriftDetectorKind,
  type DriftInputType,
  type DriftNumberInput,
} from '@tinymlops/contracts';
import type { RawFrame } from '../features/preprocess.js';
import type { DriftDetector } from './drift-detector.js';
import { restoreDetector } from './registry.js';
import { SceneTracker } from './scene-tracker.js';

/** What the set reads from one frame; a pipeline result fits. */
export interface FrameSignals {
  readonly label: string | null;
  readonly confidence: number;
  readonly meanDistance: number;
  readonly neighbours: readonly { readonly label: string }[];
  /** The transformed feature vector. */
  readonly features: ArrayLike<number>;
  /** The raw frame, for detectors of the pixels (`image-statistics`); absent for encoded frames. */
  readonly image?: RawFrame | undefined;
}

/** A detector that keeps episodes itself (`KnnDistanceMonitor` fits). */
interface EpisodicDetector extends DriftDetector<number> {
  updateWithContext(x: number, context: { confidence: number; label: string | null }): unknown;
  readonly inEpisode: boolean;
  readonly lastEvent: { statistics: object; thresholds: object } | null;
  restore?(snapshot: DetectorSnapshot): void;
}

/** One detector of a set and how it is fed. */
export interface DetectorSetMember {
  /** Name in events; unique within the set. */
  name: string;
  detector: DriftDetector<never>;
  /** Which signal a detector of real values takes (default the mean neighbour distance). */
  input?: DriftNumberInput;
  /** Detectors without episodes: the episode ends after this many frames without drift (default 60). */
  quietFrames?: number;
  /** Detectors without episodes: update once per scene ({@link SceneTracker}); null/absent: every frame. */
  sceneChange?: number | null;
  /** The unit of `sceneChange` (the reference mean neighbour distance); default the frame's own. */
  sceneScale?: number;
}

/** An episode boundary of the set: one `start` when the first detector signals, one `end` when all are quiet. */
export interface DriftEpisodeEvent {
  phase: 'start' | 'end';
  /** 1-based episode number of the set. */
  episode: number;
  frameIndex: number;
  /** The member that opened (start) or last closed (end) the episode. */
  detector: string;
  kind: string;
  statistics: Record<string, number>;
  thresholds: Record<string, number>;
}

interface Member {
  readonly name: string;
  readonly input: DriftInputType;
  readonly numberInput: DriftNumberInput;
  readonly quietFrames: number;
  detector: DriftDetector<unknown>;
  readonly scenes: SceneTracker | null;
  readonly sceneScale: number | undefined;
  active: boolean;
  quietLeft: number;
}

const isEpisodic = (d: DriftDetector<unknown>): d is EpisodicDetector & DriftDetector<unknown> =>
  'updateWithContext' in d && 'inEpisode' in d;

function inputOf(kind: string): DriftInputType {
  return Object.hasOwn(DRIFT_DETECTOR_KINDS, kind) ? DRIFT_DETECTOR_KINDS[kind as DriftDetectorKind].input : 'number';
}

function finite(values: object | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values ?? {})) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/**
 * Runs several drift detectors on the frames of a pipeline and turns their signals into episodes:
 * the one episode tracker of a device. Each detector gets the input of its type from the frame
 * (mean KNN distance or confidence, predicted label, neighbour labels, feature vector). A detector
 * with episodes of its own (the KNN-distance monitor) is active between its start and end events;
 * any other is active from a drift signal until `quietFrames` frames pass without one. The set's
 * episode starts when the first detector becomes active and ends when none is: one `start` and one
 * `end` event per episode, never one per frame. Kinds that need labels are refused.
 * @example
 * // Reference distance 10 ± 1; unknown objects (distance 15) from frame 100 to 199.
 * const set = new DetectorSet([
 *   { name: 'knn-distance', detector: new KnnDistanceMonitor({ referenceMean: 10, referenceStd: 1 }) },
 *   { name: 'confidence', detector: new CUSUM({ h: 20 }), input: 'confidence', quietFrames: 30 },
 * ]);
 * const events = [];
 * for (let i = 0; i < 400; i++) {
 *   const frame = { label: 'coat', confidence: 0.9, meanDistance: i >= 100 && i < 200 ? 15 : 10, neighbours: [], features: [] };
 *   for (const e of set.update(frame, i)) events.push(`${e.phase}@${e.frameIndex} by ${e.detector}`);
 * }
 * console.log(events.join(', '), set.episode);
 * // => start@102 by knn-distance, end@220 by knn-distance 1
 */
export class DetectorSet {
  readonly #members: Member[];
  #episode = 0;
  #open = false;

  constructor(members: readonly DetectorSetMember[]) {
    const names = new Set<string>();
    this.#members = members.map((m) => {
      if (names.has(m.name))
        throw new TinyMLOpsError('INVALID_OPTION', `DetectorSet: duplicate detector name "${m.name}"`);
      names.add(m.name);
      const input = inputOf(m.detector.kind);
      if (input === 'boolean')
        throw new TinyMLOpsError('INVALID_OPTION', `DetectorSet: ${labelledKindMessage(m.detector.kind)}`);
      const detector = m.detector as DriftDetector<unknown>;
      const numberInput = m.input ?? 'meanDistance';
      const scenes = m.sceneChange ? new SceneTracker(m.sceneChange) : null;
      const feeding = { input, numberInput, quietFrames: m.quietFrames ?? 60, scenes, sceneScale: m.sceneScale };
      return { name: m.name, detector, ...feeding, active: false, quietLeft: 0 };
    });
  }

  /** True while an episode is open. */
  get inEpisode(): boolean {
    return this.#open;
  }

  /** Episodes started so far (the number of the current one while it is open). */
  get episode(): number {
    return this.#episode;
  }

  /** The members in order, with whether each is signalling drift now. */
  get members(): readonly { name: string; kind: string; detector: DriftDetector<unknown>; active: boolean }[] {
    return this.#members.map((m) => ({ name: m.name, kind: m.detector.kind, detector: m.detector, active: m.active }));
  }

  /** Feeds one frame to every detector; returns the episode boundaries it caused (usually none). */
  update(frame: FrameSignals, frameIndex: number): DriftEpisodeEvent[] {
    let opener: Member | undefined;
    let closer: Member | undefined;
    for (const m of this.#members) {
      const was = m.active;
      this.#feed(m, frame);
      if (!was && m.active) opener ??= m;
      if (was && !m.active) closer = m;
    }
    const anyActive = this.#members.some((m) => m.active);
    if (!this.#open && anyActive && opener) {
      this.#open = true;
      this.#episode++;
      return [this.#event('start', opener, frameIndex)];
    }
    if (this.#open && !anyActive && closer) {
      this.#open = false;
      return [this.#event('end', closer, frameIndex)];
    }
    return [];
  }

  /** The detectors' snapshots, in member order (what a state store keeps). */
  snapshot(): DetectorSnapshot[] {
    return this.#members.map((m) => m.detector.snapshot());
  }

  /**
   * Puts snapshots back, matched to members by kind in order; a detector that can restore in place
   * (the KNN-distance monitor) does, so references to it stay valid. Quiet counters restart.
   */
  restore(snapshots: readonly DetectorSnapshot[]): void {
    const queue = [...snapshots];
    for (const m of this.#members) {
      const i = queue.findIndex((s) => s.kind === m.detector.kind);
      if (i < 0) continue;
      const [snap] = queue.splice(i, 1);
      if (isEpisodic(m.detector) && m.detector.restore) m.detector.restore(snap!);
      else m.detector = restoreDetector(snap);
      m.active = isEpisodic(m.detector) ? m.detector.inEpisode : false;
      m.quietLeft = 0;
    }
    this.#open = this.#members.some((m) => m.active);
  }

  #feed(m: Member, f: FrameSignals): void {
    const d = m.detector;
    if (isEpisodic(d)) {
      d.updateWithContext(m.numberInput === 'confidence' ? f.confidence : f.meanDistance, f);
      m.active = d.inEpisode;
      return;
    }
    const observed = !m.scenes || m.scenes.observe(f.features, m.sceneScale ?? f.meanDistance);
    // A detector of the pixels reads only frames that have them (the statistics cost a pass over the frame).
    const fed = observed && (m.input !== 'image' || f.image !== undefined);
    if (fed && d.update(this.#inputFor(m, f)).driftDetected) {
      m.active = true;
      m.quietLeft = m.quietFrames;
    } else if (m.active && --m.quietLeft <= 0) m.active = false;
  }

  #inputFor(m: Member, f: FrameSignals): unknown {
    switch (m.input) {
      case 'class':
        return f.label ?? -1;
      case 'vector':
        return f.features;
      case 'neighbours':
        return f.neighbours.map((n) => n.label);
      case 'image':
        return f.image;
      default:
        return m.numberInput === 'confidence' ? f.confidence : f.meanDistance;
    }
  }

  #event(phase: 'start' | 'end', m: Member, frameIndex: number): DriftEpisodeEvent {
    const d = m.detector;
    const last = isEpisodic(d) ? d.lastEvent : null;
    const statistics = last ? finite(last.statistics) : finite({ statistic: d.statistic });
    const thresholds = last ? finite(last.thresholds) : {};
    return { phase, episode: this.#episode, frameIndex, detector: m.name, kind: d.kind, statistics, thresholds };
  }
}
