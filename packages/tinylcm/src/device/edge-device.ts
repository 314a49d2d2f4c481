import type { DeviceConfig, InferenceBackend, ValidationFeedback } from '@tinymlops/contracts';
import { loadBundlePipeline, type BundlePipeline } from '../bundle/bundle-pipeline.js';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import type { RawFrame } from '../features/preprocess.js';
import { DataLogger } from '../log/data-logger.js';
import { OperationalMonitor } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import type { FeedbackHandler } from '../sync/feedback-puller.js';
import { Outbox } from '../sync/outbox.js';
import type { PackageParts } from '../sync/package-builder.js';
import type { DeviceStatusReport } from '../sync/sync-client.js';
import { silentLogger, type SyncLogger } from '../sync/sync-logger.js';
import { DeviceAdaptation } from './device-adaptation.js';
import type { DeviceDataDir } from './device-data-dir.js';
import { DevicePackages } from './device-packages.js';
import { checkModeAgainstBundle, deviceSettings, pipelineSettings, type DeviceSettings } from './device-settings.js';
import { DeviceSync } from './device-sync.js';
import { DriftReporter } from './drift-reporter.js';
import { EpisodeTracker, isDriftFlagged, type FrameEpisode } from './episode-tracker.js';
import { heartbeatMetrics } from './heartbeat-metrics.js';
import { ModelStore } from './model-store.js';
import { TelemetryReporter } from './telemetry-reporter.js';

/** Options of {@link EdgeDevice.open}. */
export interface EdgeDeviceOptions {
  /** The parsed device config (`DeviceConfig` from contracts). */
  config: DeviceConfig;
  /** Folder that relative paths in the config are resolved against. */
  baseDir: string;
  /** A runtime shared with other devices of the same bundle (fleet simulator). */
  runtime?: ModelRuntime;
  /** Stable hardware identity sent at enrolment (default: the config name or the data folder). */
  hardwareId?: string;
  now?: () => number;
  fetch?: typeof fetch;
  logger?: SyncLogger;
  /**
   * Observes validated labels after the device applied them (`server-assisted` mode only; other
   * modes never pull feedback).
   */
  onFeedback?: FeedbackHandler;
}

/** What one frame did on the device: the pipeline's result and where the frame stands in the episodes. */
export interface DeviceFrame {
  result: PipelineResult;
  episode: FrameEpisode;
}

/** The parts {@link EdgeDevice.open} prepares before the device is built. */
interface DeviceParts {
  settings: DeviceSettings;
  options: EdgeDeviceOptions;
  store: ModelStore;
  ops: OperationalMonitor;
  dataLog: DataLogger;
  dp: BundlePipeline;
  outbox: Outbox;
  telemetry: TelemetryReporter;
  now: () => number;
  logger: SyncLogger;
}

/**
 * A TinyLCM device: the bundle's data path plus one episode tracker feeding drift reporting and
 * adaptation, telemetry, the outbox and opportunistic sync. `process()` never waits on the
 * network; sync runs on its own timer.
 * @example
 * const device = await EdgeDevice.open({ config, baseDir: path.dirname(configPath) });
 * device.startSync();
 * for await (const frame of source) await device.process(frame);
 * await device.close();
 */
export class EdgeDevice {
  readonly config: DeviceConfig;
  readonly dataDir: DeviceDataDir;
  readonly ops: OperationalMonitor;
  readonly dataLog: DataLogger;
  readonly outbox: Outbox;
  readonly telemetry: TelemetryReporter;
  /** The one answer to "is a drift episode open", read by the reporter, adaptation and status. */
  readonly episodes = new EpisodeTracker();
  readonly packages: DevicePackages;
  readonly drift: DriftReporter;
  /** Background sync; undefined for a device without a server in its config. */
  readonly sync: DeviceSync | undefined;
  /** The mode's adaptation over the active bundle (rebuilt on a model switch). */
  adaptation: DeviceAdaptation;
  #dp: BundlePipeline;
  #frames = 0;
  readonly #p: DeviceParts;
  readonly #started: number;

  private constructor(p: DeviceParts) {
    this.#p = p;
    this.config = p.settings.config;
    this.dataDir = p.settings.dataDir;
    this.ops = p.ops;
    this.dataLog = p.dataLog;
    this.outbox = p.outbox;
    this.telemetry = p.telemetry;
    this.#dp = p.dp;
    this.#started = p.now();
    const { now, outbox } = p;
    this.packages = new DevicePackages({ outbox, credentialsFile: this.dataDir.credentials, now });
    const enqueue = this.config.server ? this.#enqueue : dropReport;
    const samplesPerEpisode = p.settings.samplesPerEpisode;
    this.drift = new DriftReporter({ samplesPerEpisode, now, emit: (drift) => enqueue({ drift }) });
    this.adaptation = this.#adaptationFor(p.dp);
    this.sync = p.settings.config.server ? this.#syncFor(p.settings.config.server) : undefined;
  }

  /** Builds a device from its config: data folder, model store, bundle pipeline, outbox, sync. */
  static async open(o: EdgeDeviceOptions): Promise<EdgeDevice> {
    const now = o.now ?? Date.now;
    const settings = deviceSettings(o.config, o.baseDir);
    await settings.dataDir.create();
    const store = new ModelStore(settings.dataDir.models);
    const bundle = await loadBundle((await store.currentDir()) ?? (await installInitial(store, settings)));
    checkModeAgainstBundle(o.config, bundle);
    const ops = new OperationalMonitor();
    const dataLog = new DataLogger({ ...settings.dataLog, now });
    const runtime = sharedRuntimeFor(bundle, o.runtime);
    const pipeline = { ...pipelineSettings(settings, bundle), monitor: ops, log: dataLog };
    const dp = await loadBundlePipeline(bundle, { ...pipeline, ...(runtime ? { runtime } : {}) });
    const logger = o.logger ?? silentLogger;
    logger.info(`inference: ${dp.inference?.summary ?? 'runtime shared in'}`, {});
    const budgetBytes = settings.outboxBudgetBytes;
    const outbox = await Outbox.open(settings.dataDir.outbox, { budgetBytes, log: logger, now });
    const telemetry = await TelemetryReporter.open({ seqFile: settings.dataDir.telemetrySeq, now });
    return new EdgeDevice({ settings, options: o, store, ops, dataLog, dp, outbox, telemetry, now, logger });
  }

  /** The active bundle's pipeline parts (classifier, monitor, …). */
  get pipeline(): BundlePipeline {
    return this.#dp;
  }

  /** Runs one frame through the data path, then drift reporting, adaptation and telemetry. */
  async process(frame: RawFrame): Promise<PipelineResult> {
    return (await this.processFrame(frame)).result;
  }

  /** Like {@link process}, and also says where the frame stands in the drift episodes. */
  async processFrame(frame: RawFrame): Promise<DeviceFrame> {
    const result = await this.#dp.pipeline.process(frame);
    this.#frames++;
    this.telemetry.observe(result, frame);
    const episode = this.episodes.observe(result.driftEvents);
    const sampleId = await this.drift.observe(result, frame, episode);
    await this.adaptation.observe(result, { driftFlagged: isDriftFlagged(episode), sampleId });
    return { result, episode };
  }

  /** What the heartbeat reports (outbox figures are filled in by the sync client). */
  status(): DeviceStatusReport {
    const { id, version } = this.#dp.bundle.manifest;
    return {
      status: 'ok',
      mode: this.config.mode,
      model: { modelId: id, version },
      stateVersion: this.adaptation.stateVersion,
      uptimeSeconds: Math.max(0, (this.#p.now() - this.#started) / 1000),
      metrics: {
        ...heartbeatMetrics(this.ops.metrics(), this.#frames, this.episodes.active),
        ...inferenceMetrics(this.#dp),
      },
    };
  }

  /** Starts background sync (no-op without a server in the config). */
  startSync(): void {
    this.sync?.start();
  }

  /**
   * Installs a verified bundle: load it, run a check inference, copy it into the store and switch
   * atomically. Throws (and the device keeps its current model) when the new bundle fails.
   */
  async switchModel(stagingDir: string): Promise<void> {
    const { store, settings } = this.#p;
    const staged = await loadBundle(stagingDir);
    const bundle = await loadBundle(await store.install(stagingDir, staged.manifest));
    checkModeAgainstBundle(this.config, bundle);
    const options = { ...pipelineSettings(settings, bundle), monitor: this.ops, log: this.dataLog };
    const next = await loadBundlePipeline(bundle, options);
    try {
      await checkInference(next);
    } catch (err) {
      next.dispose();
      throw err;
    }
    await store.activate(bundle.dir);
    const old = this.#dp;
    this.#dp = next;
    this.adaptation = this.#adaptationFor(next);
    old.dispose();
    const inference = next.inference?.summary;
    this.telemetry.log('info', `switched model to ${staged.manifest.id}@${staged.manifest.version}`, { inference });
  }

  /**
   * Flushes telemetry into the outbox, stops sync, closes the outbox and frees the runtime. A sync
   * round stuck on the network is abandoned after `syncWaitMs` (the outbox keeps its packages).
   */
  async close(syncWaitMs?: number): Promise<void> {
    await this.sync?.stop(syncWaitMs);
    await this.outbox.close();
    this.dataLog.close();
    this.#dp.dispose();
  }

  readonly #enqueue = (parts: PackageParts): Promise<void> => this.packages.enqueue(parts);

  #adaptationFor(pipeline: BundlePipeline): DeviceAdaptation {
    const { now, logger } = this.#p;
    const enqueue = this.config.server ? this.#enqueue : dropReport;
    return DeviceAdaptation.open({ config: this.config, dataDir: this.dataDir, pipeline, enqueue, now, logger });
  }

  #syncFor(server: NonNullable<DeviceConfig['server']>): DeviceSync {
    const { options: o, telemetry, ops } = this.#p;
    return new DeviceSync({
      server,
      dataDir: this.dataDir,
      outbox: this.outbox,
      packages: this.packages,
      hardwareId: o.hardwareId ?? this.config.name ?? this.dataDir.root,
      name: this.config.name,
      status: () => this.status(),
      drain: () => telemetry.drain(ops.metrics()),
      install: (dir) => this.switchModel(dir),
      // The mode decides whether feedback is pulled at all.
      onFeedback: this.adaptation.policy.appliesFeedback ? (items) => this.#applyFeedback(items) : undefined,
      logger: this.#p.logger,
      now: this.#p.now,
      fetch: o.fetch,
    });
  }

  async #applyFeedback(items: ValidationFeedback[]): Promise<void> {
    await this.adaptation.applyFeedback(items);
    this.telemetry.log('info', `applied ${items.length} validated labels`, { cursor: items.at(-1)?.cursor });
    await this.#p.options.onFeedback?.(items);
  }
}

/** A device without a server has nowhere to send reports. */
const dropReport = (): Promise<void> => Promise.resolve();

async function installInitial(store: ModelStore, settings: DeviceSettings): Promise<string> {
  const b = await loadBundle(settings.initialBundle);
  const dir = await store.install(settings.initialBundle, b.manifest);
  await store.activate(dir);
  return dir;
}

/**
 * The shared runtime, only when it was loaded from the bundle this device runs: a device that
 * switched to another version earlier keeps that version and needs a runtime of its own.
 */
function sharedRuntimeFor(bundle: LoadedBundle, runtime: ModelRuntime | undefined): ModelRuntime | undefined {
  const { id, version } = bundle.manifest;
  return runtime?.modelName === `${id}@${version}` ? runtime : undefined;
}

/** One inference on a blank input: a bundle that cannot run is refused before it is switched to. */
async function checkInference(dp: BundlePipeline): Promise<void> {
  const input = dp.runtime.inputs[0];
  const size = input ? input.shape.reduce((a, b) => a * b, 1) : 0;
  await dp.runtime.run(input?.dtype === 'float32' ? new Float32Array(size) : new Uint8Array(size));
}

/** The backend and threads for the heartbeat (absent when the runtime was shared in, as in fleet-sim). */
function inferenceMetrics(dp: BundlePipeline): { inferenceBackend?: InferenceBackend; inferenceThreads?: number } {
  return dp.inference ? { inferenceBackend: dp.inference.backend, inferenceThreads: dp.inference.threads } : {};
}
