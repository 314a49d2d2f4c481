import {
  TinyMLOpsError,
  type AdaptationEvent,
  type OperationalMode,
  type ValidationFeedback,
} from '@tinymlops/contracts';
import type { AdaptiveState } from '../state/adaptive-state.js';
import type { AdaptableClassifier, ClassifierPrediction } from './adaptable-classifier.js';
import type { AdaptationGuard, GuardVerdict } from './adaptation-guard.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import type { AdaptationTracker } from './adaptation-tracker.js';
import { applyInbox, type InboxItem } from './inbox-page.js';
import type { FeedbackChecks } from './feedback-checks.js';
import { fromV1 } from './feedback-adapter.js';
import { outcome, type InboxOutcome } from './inbox-outcome.js';
import type { HeuristicAdapter } from './heuristic-adapter.js';
import { modePolicy, type ModePolicy } from './operational-mode.js';
import type { QuarantineBuffer } from './quarantine-buffer.js';

/** One processed frame as the pipeline hands it over. Features are the transformed ones. */
export interface AdaptationFrame {
  sampleId: string;
  features: Float32Array;
  prediction: ClassifierPrediction;
  /** True when the drift detectors flagged this frame. */
  driftFlagged: boolean;
  /** Capture time, epoch milliseconds. */
  at: number;
  imageRef?: string;
  /** The true label, when known (evaluation runs). */
  label?: string;
}

/** Options of {@link AdaptationController}. */
export interface AdaptationControllerOptions {
  mode: OperationalMode;
  classifier: AdaptableClassifier;
  quarantine: QuarantineBuffer;
  runner: AdaptationRunner;
  /** Required in `autonomous` mode. */
  heuristic?: HeuristicAdapter;
  /** An unattached guard; the controller attaches it when the mode guards. Required in `autonomous`. */
  guard?: AdaptationGuard;
  /**
   * Receives adaptation failures (disk full, …). `observe` never throws: inference must go on even
   * when adaptation cannot (default: `console.warn`).
   */
  onError?: (error: unknown) => void;
  /** Run the heuristic after this many newly quarantined samples (default 10; doubled after each rollback). */
  heuristicEvery?: number;
  /** The state and journal reverts and relabels work on (without them those are rejected). */
  state?: Pick<AdaptiveState, 'version'>;
  tracker?: Pick<AdaptationTracker, 'readSince'>;
  /** What carried features must match (model version, dimension). */
  checks?: FeedbackChecks;
  /** Extend each delivery's labels to the pending samples that cluster with them (default true). */
  propagate?: boolean;
}

/** What one frame caused. */
export interface FrameResult {
  quarantined: boolean;
  events: AdaptationEvent[];
  guard: GuardVerdict;
}

/**
 * Runs the adapters a mode allows, frame by frame and feedback page by feedback page. The
 * heuristic waits while the guard still watches a previous adaptation, so every adaptation gets a
 * clean verdict before the next one.
 * @example
 * const ctl = new AdaptationController({ mode: config.mode, classifier: knn, quarantine, runner, heuristic, guard });
 * const { events } = ctl.observe({ sampleId, features, prediction, driftFlagged, at: Date.now() });
 * ctl.applyFeedback(page.items); // [] in monitoring-only
 */
export class AdaptationController {
  readonly policy: ModePolicy;
  readonly #o: AdaptationControllerOptions;
  #sinceRun = 0;
  /** Doubles after each guard rollback, back to 1 after a kept adaptation: a bad region is retried ever more rarely. */
  #backoff = 1;

  constructor(options: AdaptationControllerOptions) {
    this.policy = modePolicy(options.mode);
    this.#o = options;
    if (this.policy.runsHeuristic && (!options.heuristic || !options.guard)) {
      throw new TinyMLOpsError('INVALID_OPTION', `mode ${options.mode} needs a heuristic adapter and a guard`);
    }
    if (this.policy.guards) options.guard?.attach(options.runner, options.quarantine);
  }

  /** Feeds one frame: guard first (it judges the model that made this prediction), then quarantine, then heuristic. */
  observe(frame: AdaptationFrame): FrameResult {
    const verdict = this.#guard(frame);
    if (verdict === 'rolled-back') this.#backoff = Math.min(this.#backoff * 2, 64);
    if (verdict === 'kept') this.#backoff = 1;
    const quarantined = this.policy.quarantinesDrift && frame.driftFlagged && this.#quarantine(frame);
    return { quarantined, events: this.#maybeRunHeuristic(), guard: verdict };
  }

  /** Applies a v1 feedback page (labels of the device's own samples, no features). */
  applyFeedback(items: readonly ValidationFeedback[]): InboxOutcome[] {
    return this.applyInbox(items.map(fromV1));
  }

  /**
   * Applies a delivery of inbox items (labels, false alarms, reverts, relabels; settings are the
   * device's business) and returns one outcome per item. A mode that never changes the model
   * rejects every item, saying so.
   */
  applyInbox(items: readonly InboxItem[]): InboxOutcome[] {
    const o = this.#o;
    if (!this.policy.appliesFeedback) {
      const why = `${this.policy.mode} never changes the model: set the device to server-assisted or autonomous`;
      return items.map((i) => outcome(i, 'rejected', why));
    }
    const ctx = { quarantine: o.quarantine, classifier: o.classifier, runner: o.runner };
    if (o.checks) Object.assign(ctx, { checks: o.checks });
    const reverter = o.state && o.tracker ? { ...ctx, state: o.state, tracker: o.tracker } : undefined;
    return applyInbox(items, ctx, reverter, o.propagate ?? true);
  }

  #guard(frame: AdaptationFrame): GuardVerdict {
    const { guard } = this.#o;
    if (!this.policy.guards || !guard) return 'idle';
    const p = frame.prediction;
    const label = frame.label === undefined ? {} : { label: frame.label };
    try {
      return guard.observe({
        confidence: p.confidence,
        meanDistance: p.meanDistance,
        prediction: p.label ?? '',
        ...label,
      });
    } catch (err) {
      this.#report(err);
      return 'idle';
    }
  }

  #maybeRunHeuristic(): AdaptationEvent[] {
    const { guard, heuristic, quarantine, classifier, runner } = this.#o;
    const due = this.#sinceRun >= (this.#o.heuristicEvery ?? 10) * this.#backoff;
    if (!this.policy.runsHeuristic || !heuristic || !due || guard?.watching) return [];
    this.#sinceRun = 0;
    try {
      return heuristic.run({ quarantine, classifier, runner });
    } catch (err) {
      this.#report(err);
      return [];
    }
  }

  #report(err: unknown): void {
    (this.#o.onError ?? ((e: unknown) => console.warn('adaptation failed:', e)))(err);
  }

  #quarantine(frame: AdaptationFrame): boolean {
    const q = this.#o.quarantine;
    if (q.get(frame.sampleId) || q.adapted(frame.sampleId)) return false;
    q.add({
      sampleId: frame.sampleId,
      features: frame.features,
      prediction: frame.prediction.label ?? 'unknown',
      confidence: frame.prediction.confidence,
      at: frame.at,
      ...(frame.imageRef === undefined ? {} : { imageRef: frame.imageRef }),
    });
    this.#sinceRun++;
    return true;
  }
}
