import { TinyMLOpsError, type AdaptationEvent, type ReferenceStats } from '@tinymlops/contracts';
import type { AdaptationChange, AdaptationRunner } from './adaptation-runner.js';
import { loadWatch, saveWatch } from './guard-watch-file.js';
import type { QuarantineBuffer } from './quarantine-buffer.js';

/** What the guard sees of each frame after the classifier ran. */
export interface GuardFrame {
  confidence: number;
  meanDistance: number;
  prediction: string;
  /** The true label, when the frame's label is known (evaluation, validated samples). */
  label?: string;
}

/** Options of {@link AdaptationGuard}; degradation limits are compared window mean to window mean. */
export interface AdaptationGuardOptions {
  /** Reference KNN-distance statistics; the distance limit is in units of their std. */
  reference: Pick<ReferenceStats, 'mean' | 'std'>;
  /** Frames in the baseline window and in the watch window after an adaptation (default 50). */
  window?: number;
  /** Largest allowed drop of mean confidence (default 0.1). */
  maxConfidenceDrop?: number;
  /** Largest allowed rise of mean KNN distance, in reference std (default 1). */
  maxDistanceRiseZ?: number;
  /** Largest allowed drop of accuracy on labelled frames (default 0.05). */
  maxAccuracyDrop?: number;
  /** Labelled frames needed in both windows before accuracy counts (default 10). */
  minLabelled?: number;
  /**
   * Where an open watch is kept, so a reboot mid-watch resumes it (its window restarts) instead
   * of letting the adaptation go unchecked. Without it the watch lives in memory only.
   */
  watchFile?: string;
}

/** Where the guard stands after a frame. */
export type GuardVerdict = 'idle' | 'watching' | 'kept' | 'rolled-back';

interface WindowStats {
  frames: number;
  confidence: number;
  distance: number;
  accuracy: number | undefined;
}

/** An open watch: the version a rollback restores, the baseline, the frames since, the samples used. */
interface Watch {
  since: number;
  baseline: WindowStats;
  frames: GuardFrame[];
  sampleIds: string[];
}

/** Adaptations the guard watches: the ones the device decided on its own. */
const GUARDED_ACTIONS: ReadonlySet<string> = new Set(['pseudo-class-created', 'class-reinforced']);

const DEFAULTS = {
  watchFile: '',
  window: 50,
  maxConfidenceDrop: 0.1,
  maxDistanceRiseZ: 1,
  maxAccuracyDrop: 0.05,
  minLabelled: 10,
};

/**
 * Watches the frames after each adaptation and rolls it back when they degraded against the
 * frames before it: mean confidence fell, mean KNN distance rose, or accuracy on labelled frames
 * fell, each beyond its limit. A further adaptation while watching extends the watch and keeps
 * the earliest "before" version, so one rollback undoes the whole burst. The rollback discards the
 * quarantined samples of the undone adaptations so they are not re-learnt at once.
 *
 * @example
 * const guard = new AdaptationGuard({ reference: detectors.knnDistance }).attach(runner, quarantine);
 * for (const frame of frames) if (guard.observe(frame) === 'rolled-back') log('adaptation undone');
 */
export class AdaptationGuard {
  readonly options: Readonly<Required<AdaptationGuardOptions>>;
  #runner: AdaptationRunner | undefined;
  #quarantine: QuarantineBuffer | undefined;
  #recent: GuardFrame[] = [];
  #watch: Watch | undefined;

  constructor(options: AdaptationGuardOptions) {
    this.options = Object.freeze({ ...DEFAULTS, ...options });
    if (!Number.isInteger(this.options.window) || this.options.window < 1) {
      throw new TinyMLOpsError('INVALID_OPTION', `AdaptationGuard: option "window" must be an integer >= 1`);
    }
    const saved = this.options.watchFile ? loadWatch(this.options.watchFile) : undefined;
    if (saved) this.#watch = { ...saved, frames: [] };
  }

  /** Listens to the runner's committed adaptations; returns this. */
  attach(runner: AdaptationRunner, quarantine?: QuarantineBuffer): this {
    this.#runner = runner;
    this.#quarantine = quarantine;
    runner.onCommitted((e, c) => this.arm(e, c));
    return this;
  }

  /** The state version a rollback would restore, while a watch window is open: it must stay on disk. */
  get watchedSince(): number | undefined {
    return this.#watch?.since;
  }

  /** True while a watch window is open. */
  get watching(): boolean {
    return this.#watch !== undefined;
  }

  /**
   * Starts (or extends) a watch after a heuristic adaptation. Called by the runner when attached.
   * Server-validated changes are never second-guessed: one arriving during a watch ends the watch
   * (a rollback would also erase the server's label) and the baseline starts afresh.
   */
  arm(event: AdaptationEvent, change: Pick<AdaptationChange, 'sampleIds'>): void {
    if (!GUARDED_ACTIONS.has(event.action)) {
      this.#setWatch(undefined);
      this.#recent = [];
      return;
    }
    const ids = [...(change.sampleIds ?? [])];
    const w = this.#watch;
    this.#setWatch(
      w
        ? { ...w, frames: [], sampleIds: [...w.sampleIds, ...ids] }
        : {
            since: event.stateVersionBefore,
            baseline: stats(this.#recent, this.options.minLabelled),
            frames: [],
            sampleIds: ids,
          },
    );
  }

  #setWatch(watch: Watch | undefined): void {
    this.#watch = watch;
    if (!this.options.watchFile) return;
    saveWatch(
      this.options.watchFile,
      watch && { since: watch.since, baseline: watch.baseline, sampleIds: watch.sampleIds },
    );
  }

  /** Feeds one frame; returns the verdict after it. */
  observe(frame: GuardFrame): GuardVerdict {
    const watch = this.#watch;
    if (!watch) {
      this.#recent.push(frame);
      if (this.#recent.length > this.options.window) this.#recent.shift();
      return 'idle';
    }
    watch.frames.push(frame);
    if (watch.frames.length < this.options.window) return 'watching';
    this.#setWatch(undefined);
    const reasons = this.#degradation(watch.baseline, stats(watch.frames, this.options.minLabelled));
    // The watched frames are the next baseline only if the model that produced them stays.
    this.#recent = reasons.length === 0 ? [...watch.frames] : [];
    if (reasons.length === 0 || !this.#runner) return 'kept';
    const q = this.#quarantine;
    this.#runner.rollback(watch.since, `guard: ${reasons.join('; ')}`.slice(0, 1024), {
      cleanup: () => q?.discard(watch.sampleIds),
    });
    return 'rolled-back';
  }

  #degradation(before: WindowStats, after: WindowStats): string[] {
    const o = this.options;
    const out: string[] = [];
    // Without a baseline of at least half a window there is nothing trustworthy to compare with.
    if (before.frames < Math.ceil(o.window / 2)) return out;
    if (before.confidence - after.confidence > o.maxConfidenceDrop) {
      out.push(`mean confidence fell ${fmt(before.confidence)} → ${fmt(after.confidence)}`);
    }
    if (after.distance - before.distance > o.maxDistanceRiseZ * o.reference.std) {
      out.push(`mean KNN distance rose ${fmt(before.distance)} → ${fmt(after.distance)}`);
    }
    if (
      before.accuracy !== undefined &&
      after.accuracy !== undefined &&
      before.accuracy - after.accuracy > o.maxAccuracyDrop
    ) {
      out.push(`accuracy fell ${fmt(before.accuracy)} → ${fmt(after.accuracy)}`);
    }
    return out;
  }
}

/** Window means; accuracy only with at least `minLabelled` labelled frames. */
function stats(frames: readonly GuardFrame[], minLabelled: number): WindowStats {
  const n = Math.max(1, frames.length);
  const labelled = frames.filter((f) => f.label !== undefined);
  const correct = labelled.filter((f) => f.label === f.prediction).length;
  return {
    frames: frames.length,
    confidence: frames.reduce((s, f) => s + f.confidence, 0) / n,
    distance: frames.reduce((s, f) => s + f.meanDistance, 0) / n,
    accuracy: labelled.length >= minLabelled ? correct / labelled.length : undefined,
  };
}

function fmt(x: number): string {
  return x.toPrecision(3);
}
