import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { TinyMLOpsError, type DeviceConfig, type ValidationFeedback } from '@tinymlops/contracts';
import { AdaptationController, type FrameResult } from '../adapt/adaptation-controller.js';
import { AdaptationGuard, type AdaptationGuardOptions } from '../adapt/adaptation-guard.js';
import { AdaptationRunner } from '../adapt/adaptation-runner.js';
import { AdaptationTracker } from '../adapt/adaptation-tracker.js';
import type { FeedbackOutcome } from '../adapt/feedback-adapter.js';
import { propagateValidatedLabels } from '../adapt/label-propagation.js';
import { HeuristicAdapter, type HeuristicAdapterOptions } from '../adapt/heuristic-adapter.js';
import type { ModePolicy } from '../adapt/operational-mode.js';
import { QuarantineBuffer, type QuarantineBufferOptions } from '../adapt/quarantine-buffer.js';
import type { BundlePipeline } from '../bundle/bundle-pipeline.js';
import type { PipelineResult } from '../pipeline.js';
import { AdaptiveState, type DetectorGroup } from '../state/adaptive-state.js';
import { StateStore } from '../state/state-store.js';
import { writeFileAtomicSync } from '../sync/atomic-write.js';
import type { PackageParts } from '../sync/package-builder.js';
import { silentLogger, type SyncLogger } from '../sync/sync-logger.js';
import type { DeviceDataDir } from './device-data-dir.js';

/** Tuning the device config does not carry (evaluations and tests set it; devices use the defaults). */
export interface AdaptationTuning {
  heuristic?: Omit<HeuristicAdapterOptions, 'reference'>;
  guard?: Omit<AdaptationGuardOptions, 'reference'>;
  quarantine?: QuarantineBufferOptions;
  /** Run the heuristic after this many newly quarantined samples (default 10). */
  heuristicEvery?: number;
  /**
   * Extend each feedback page's validated labels to the pending quarantined samples that cluster
   * with them (`propagateValidatedLabels`; default true).
   */
  propagateFeedback?: boolean;
}

/** Options of {@link DeviceAdaptation.open}. */
export interface DeviceAdaptationOptions {
  /** `mode` picks the policy; `state.keepVersions` the retention. */
  config: Pick<DeviceConfig, 'mode' | 'state'>;
  /** Where the state store, the event log, its upload cursor and the guard's watch live. */
  dataDir: DeviceDataDir;
  /** The active bundle's parts: its KNN adapts, its KNN-distance monitor is snapshotted with it. */
  pipeline: Pick<BundlePipeline, 'bundle' | 'classifier' | 'knnDistance'>;
  /** Puts state snapshots and adaptation events into the outbox (`device.sync.enqueue`). */
  enqueue?: (parts: PackageParts) => Promise<void>;
  now?: () => number;
  logger?: SyncLogger;
  tuning?: AdaptationTuning;
}

/** What the device knows about a frame besides the pipeline result. */
export interface FrameExtras {
  /** The frame is drift (inside an episode, or signalled): the device's `EpisodeTracker` says. */
  driftFlagged: boolean;
  /** The id the DriftReporter gave this frame's drift sample, so server feedback can find it. */
  sampleId?: string | undefined;
  /** The true label, when known (evaluation runs, validated frames): the guard uses it. */
  label?: string;
  imageRef?: string;
}

/**
 * The adaptation side of a device: the operational mode's policy over the bundle's KNN, with the
 * state store and the event log in the device's data folder. Frames the device's episode tracker
 * flags as drift go to the quarantine. Every adaptation is a state snapshot plus events, and both
 * go to the outbox. `monitoring-only` boots the latest snapshot but never writes one and never
 * changes the classifier.
 * @example
 * const adaptation = DeviceAdaptation.open({ config, dataDir, pipeline: dp, enqueue: (p) => packages.enqueue(p) });
 * const r = await dp.pipeline.process(frame);
 * await adaptation.observe(r, { driftFlagged: isDriftFlagged(episodes.observe(r.driftEvents)), sampleId });
 * adaptation.stateVersion; // reported in the heartbeat
 */
export class DeviceAdaptation {
  readonly store: StateStore;
  readonly state: AdaptiveState;
  readonly quarantine: QuarantineBuffer;
  readonly tracker: AdaptationTracker;
  readonly controller: AdaptationController;
  readonly #o: DeviceAdaptationOptions;
  #guard: AdaptationGuard | undefined;
  readonly #runner: AdaptationRunner;
  /** Tracker seq already handed to the outbox; persisted in `#sentPath` so a reboot resumes there. */
  #sent: number;
  readonly #sentPath: string;

  private constructor(o: DeviceAdaptationOptions, modelId: string) {
    this.#o = o;
    const { pipeline, dataDir, config } = o;
    const now = () => new Date((o.now ?? Date.now)());
    const log = o.logger ?? silentLogger;
    // The guard's rollback target must survive a burst that writes more than keepVersions versions.
    const retain = () => (this.#guard?.watchedSince === undefined ? [] : [this.#guard.watchedSince]);
    this.store = new StateStore({
      dir: dataDir.state,
      keepVersions: config.state.keepVersions,
      retain,
      logger: { warn: (m) => log.warn(m) },
    });
    this.quarantine = new QuarantineBuffer(o.tuning?.quarantine);
    const components = {
      classifier: pipeline.classifier,
      quarantine: this.quarantine,
      ...(pipeline.knnDistance ? { detectors: monitorGroup(pipeline.knnDistance) } : {}),
    };
    this.state = new AdaptiveState({ store: this.store, components, now, modelId });
    this.tracker = new AdaptationTracker({ path: dataDir.adaptationLog });
    this.#sentPath = dataDir.adaptationSent;
    this.#sent = readSentCursor(this.#sentPath, this.tracker.lastSeq);
    const runner = new AdaptationRunner({ state: this.state, tracker: this.tracker, now });
    this.#runner = runner;
    this.controller = new AdaptationController({
      mode: config.mode,
      classifier: pipeline.classifier,
      quarantine: this.quarantine,
      runner,
      ...this.#adapters(),
      ...(o.tuning?.heuristicEvery === undefined ? {} : { heuristicEvery: o.tuning.heuristicEvery }),
      onError: (err) => log.warn('adaptation failed', { message: (err as Error).message }),
    });
  }

  /**
   * Builds the mode's machinery and boots the newest valid snapshot of THIS model (a snapshot of
   * another model, e.g. before a model switch, is not applied: its classifier does not fit).
   */
  static open(o: DeviceAdaptationOptions): DeviceAdaptation {
    const { id, version } = o.pipeline.bundle.manifest;
    const a = new DeviceAdaptation(o, `${id}@${version}`);
    if (a.store.loadLatest()?.modelId === `${id}@${version}`) a.state.boot();
    return a;
  }

  /** The mode's policy (`appliesFeedback` says whether the sync client should pull feedback). */
  get policy(): ModePolicy {
    return this.controller.policy;
  }

  /** The state version the components equal (0 before the first snapshot): the heartbeat's `stateVersion`. */
  get stateVersion(): number {
    return this.state.version;
  }

  /** Feeds one processed frame; uploads whatever adaptation it caused. Never throws for adaptation failures. */
  async observe(result: PipelineResult, extras: FrameExtras): Promise<FrameResult> {
    const { label, confidence, meanDistance } = result;
    const r = this.controller.observe({
      sampleId: extras.sampleId ?? `smp_${randomBytes(9).toString('base64url')}`,
      features: result.features,
      prediction: { label, confidence, meanDistance },
      driftFlagged: extras.driftFlagged,
      at: (this.#o.now ?? Date.now)(),
      ...(extras.label === undefined ? {} : { label: extras.label }),
      ...(extras.imageRef === undefined ? {} : { imageRef: extras.imageRef }),
    });
    await this.#upload();
    return r;
  }

  /** The sync client's `onFeedback`: applies validated labels (none in `monitoring-only`). */
  async applyFeedback(items: ValidationFeedback[]): Promise<FeedbackOutcome[]> {
    const outcomes = this.controller.applyFeedback(items);
    if (this.#o.tuning?.propagateFeedback !== false && this.policy.appliesFeedback) this.#propagate(items);
    await this.#upload();
    return outcomes;
  }

  /** Propagates the page's validated labels, anchored by every sample the device holds under them. */
  #propagate(items: ValidationFeedback[]): void {
    const labels = new Set(items.flatMap((f) => (f.decision === 'false-alarm' ? [] : [f.label])));
    const seeds = new Map([...labels].map((l) => [l, this.quarantine.ledgerOf(l).map((s) => s.features)]));
    const parts = { quarantine: this.quarantine, classifier: this.#o.pipeline.classifier, runner: this.#runner };
    try {
      propagateValidatedLabels(parts, seeds);
    } catch (err) {
      (this.#o.logger ?? silentLogger).warn('label propagation failed', { message: (err as Error).message });
    }
  }

  #adapters() {
    const { mode } = this.#o.config;
    if (mode !== 'autonomous') return {};
    const reference = this.#o.pipeline.bundle.detectors?.knnDistance;
    if (!reference) {
      const why = "autonomous mode needs the bundle's detectors.json knnDistance reference";
      throw new TinyMLOpsError('INVALID_OPTION', why);
    }
    const t = this.#o.tuning ?? {};
    this.#guard = new AdaptationGuard({ ...t.guard, reference, watchFile: this.#o.dataDir.guardWatch });
    return { heuristic: new HeuristicAdapter({ ...t.heuristic, reference }), guard: this.#guard };
  }

  /**
   * Events since the last upload, with the snapshot they led to, as one outbox package. The cursor
   * moves only once the outbox has the package, so a failed enqueue or a crash re-sends (the
   * server deduplicates adaptation events by seq) instead of losing events.
   */
  async #upload(): Promise<void> {
    const last = this.tracker.lastSeq;
    if (last === this.#sent) return;
    if (this.#o.enqueue) {
      const adaptation = this.tracker.readSince(this.#sent);
      const stateSnapshot = this.state.version > 0 ? this.store.load(this.state.version) : undefined;
      try {
        await this.#o.enqueue({ adaptation, ...(stateSnapshot ? { stateSnapshot } : {}) });
      } catch (err) {
        const message = (err as Error).message;
        (this.#o.logger ?? silentLogger).warn('adaptation events not queued; retried after the next frame', {
          message,
        });
        return;
      }
    }
    this.#sent = last;
    writeFileAtomicSync(this.#sentPath, `${last}\n`);
  }
}

/** The persisted upload cursor; 0 (send everything again) when missing or not believable. */
function readSentCursor(file: string, lastSeq: number): number {
  if (!existsSync(file)) return 0;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) && n >= 0 && n <= lastSeq ? n : 0;
}

/** The KNN-distance monitor as the detector group of a snapshot; restored in place, so the pipeline keeps it. */
function monitorGroup(monitor: NonNullable<BundlePipeline['knnDistance']>): DetectorGroup {
  return {
    snapshot: () => [monitor.snapshot()],
    restore: (snaps) => snaps.forEach((s) => s.kind === monitor.kind && monitor.restore(s)),
  };
}
