import type {
  DeviceConfig,
  DeviceConfigPatch,
  InferenceBackend,
  InstallReport,
  ModelRef,
  OperationalMode,
  TrustedBundleKeys,
} from '@tinymlops/contracts';
import type { BundlePipeline } from '../bundle/bundle-pipeline.js';
import type { RawFrame } from '../features/preprocess.js';
import { DataLogger } from '../log/data-logger.js';
import { OperationalMonitor } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { Outbox } from '../sync/outbox.js';
import type { PackageParts } from '../sync/package-builder.js';
import type { DeviceStatusReport } from '../sync/sync-client.js';
import { silentLogger, type SyncLogger } from '../sync/sync-logger.js';
import { DeviceAdaptation } from './device-adaptation.js';
import { DeviceInbox, type DeviceInboxOptions } from './device-inbox.js';
import type { DeviceDataDir } from './device-data-dir.js';
import { DevicePackages } from './device-packages.js';
import { DeviceModels } from './device-models.js';
import { checkModeAgainstBundle, deviceSettings, type DeviceSettings } from './device-settings.js';
import { DeviceSync } from './device-sync.js';
import { checkConfigAgainstBundle, overlayServerConfig, serverMode } from './server-config.js';
import { DriftReporter } from './drift-reporter.js';
import { EpisodeIds, isDriftFlagged, type FrameEpisode } from './episode-ids.js';
import { heartbeatMetrics } from './heartbeat-metrics.js';
import { ServerSettingsFile } from './server-settings-file.js';
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
  /** Observes each inbox delivery after the device applied it, with what it did with each item. */
  onInbox?: DeviceInboxOptions['observe'];
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
  models: DeviceModels;
  ops: OperationalMonitor;
  dataLog: DataLogger;
  dp: BundlePipeline;
  outbox: Outbox;
  telemetry: TelemetryReporter;
  now: () => number;
  logger: SyncLogger;
  /** The mode to start in (the server's, when it set one). */
  mode: OperationalMode;
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
  /** The configuration as device.json gave it, before the server's configuration version. */
  readonly deviceJson: DeviceConfig;
  readonly dataDir: DeviceDataDir;
  readonly ops: OperationalMonitor;
  readonly dataLog: DataLogger;
  readonly outbox: Outbox;
  readonly telemetry: TelemetryReporter;
  /** Names the episodes of the pipeline's detector set (the one episode tracker) for every reader. */
  episodes = new EpisodeIds();
  readonly packages: DevicePackages;
  readonly drift: DriftReporter;
  /** Background sync; undefined for a device without a server in its config. */
  readonly sync: DeviceSync | undefined;
  /** The mode's adaptation over the active bundle (rebuilt on a model switch). */
  adaptation: DeviceAdaptation;
  #dp: BundlePipeline;
  #frames = 0;
  /** The mode in force: the server's settings when it sent any, else `config.mode`. */
  #mode: OperationalMode;
  readonly #inbox: DeviceInbox;
  readonly #p: DeviceParts;
  readonly #started: number;

  private constructor(p: DeviceParts) {
    this.#p = p;
    this.config = p.settings.config;
    this.deviceJson = p.options.config;
    this.dataDir = p.settings.dataDir;
    this.ops = p.ops;
    this.dataLog = p.dataLog;
    this.outbox = p.outbox;
    this.telemetry = p.telemetry;
    this.#dp = p.dp;
    this.#started = p.now();
    this.#mode = p.mode;
    this.#inbox = DeviceInbox.of(this, p.now, p.options.onInbox);
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
    const logger = o.logger ?? silentLogger;
    const plain = deviceSettings(o.config, o.baseDir);
    await plain.dataDir.create();
    // What the server set (mode, configuration version) outlives restarts; bundles are checked against it.
    const stored = new ServerSettingsFile(plain.dataDir.serverSettings).read();
    const settings = stored?.config ? deviceSettings(overlayServerConfig(o.config, stored), o.baseDir) : plain;
    const mode = serverMode(stored, o.config.mode);
    const ops = new OperationalMonitor();
    const dataLog = new DataLogger({ ...settings.dataLog, now });
    const models = await DeviceModels.open({ settings, ops, dataLog, mode });
    const dp = await models.activePipeline(o.runtime);
    logger.info(`inference: ${dp.inference?.summary ?? 'runtime shared in'}`, {});
    const budgetBytes = settings.outboxBudgetBytes;
    const outbox = await Outbox.open(settings.dataDir.outbox, { budgetBytes, log: logger, now });
    const telemetry = await TelemetryReporter.open({ seqFile: settings.dataDir.telemetrySeq, now });
    return new EdgeDevice({ settings, options: o, models, ops, dataLog, dp, outbox, telemetry, now, logger, mode });
  }

  /** The model the device runs now. */
  get model(): ModelRef {
    const { id, version } = this.#dp.bundle.manifest;
    return { modelId: id, version };
  }

  /** The operational mode in force (the server may change it at run time, see {@link setMode}). */
  get mode(): OperationalMode {
    return this.#mode;
  }

  /**
   * Switches the operational mode now, without a restart: the adaptation is rebuilt for the new
   * mode over the same classifier and state. Throws when the model cannot run that mode.
   */
  setMode(mode: OperationalMode): void {
    if (mode === this.#mode) return;
    checkModeAgainstBundle({ ...this.config, mode }, this.#dp.bundle);
    this.#mode = mode;
    this.#p.models.mode = mode;
    this.adaptation = this.#adaptationFor(this.#dp);
    this.telemetry.log('info', `mode set to ${mode}`);
  }

  /** Throws (saying why) when this device cannot honour a configuration version from the server. */
  checkConfig(patch: DeviceConfigPatch): void {
    checkConfigAgainstBundle(this.config, patch, this.#dp.bundle);
  }

  /** Changes the sync interval now (a configuration from the server); true when it changed. */
  setSyncInterval(seconds: number): boolean {
    return this.sync?.setSyncInterval(seconds) ?? false;
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
    const episode = this.episodes.of(result);
    const sampleId = await this.drift.observe(result, frame, episode);
    await this.adaptation.observe(result, { driftFlagged: isDriftFlagged(episode), sampleId });
    return { result, episode };
  }

  /** What the heartbeat reports (outbox figures are filled in by the sync client). */
  status(): DeviceStatusReport {
    return {
      status: 'ok',
      mode: this.#mode,
      model: this.model,
      stateVersion: this.adaptation.stateVersion,
      uptimeSeconds: Math.max(0, (this.#p.now() - this.#started) / 1000),
      metrics: {
        ...heartbeatMetrics(this.ops.metrics(), this.#frames, this.#dp.drift.inEpisode),
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
   * atomically (see `DeviceModels.install`). Throws (and the device keeps its current model) when
   * the new bundle fails.
   */
  async switchModel(stagingDir: string): Promise<void> {
    const next = await this.#p.models.install(stagingDir);
    const old = this.#dp;
    this.#dp = next;
    this.episodes = new EpisodeIds(); // the new pipeline's detector set counts its episodes from 1
    this.adaptation = this.#adaptationFor(next);
    old.dispose();
    const { id, version } = next.bundle.manifest;
    this.telemetry.log('info', `switched model to ${id}@${version}`, { inference: next.inference?.summary });
    this.sync?.checkInbox(); // labels shared for the new model wait on the server
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
    const config = { ...this.config, mode: this.#mode };
    return DeviceAdaptation.open({ config, dataDir: this.dataDir, pipeline, enqueue, now, logger });
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
      models: { ...trusted(this.#p.models.trustedKeys), onReport: this.#installReported },
      // Pulled in every mode: settings (a new mode) come through it; a mode that does not learn
      // refuses labels and says so.
      onInbox: (items) => this.#inbox.apply(items),
      logger: this.#p.logger,
      now: this.#p.now,
      fetch: o.fetch,
    });
  }

  /** An install that did not happen is worth a line in the fleet's logs: the operator sees why. */
  readonly #installReported = (r: InstallReport): void => {
    const what = `model ${r.modelId}@${r.version} ${r.status}`;
    if (r.status !== 'installed') this.telemetry.log('warn', r.message ? `${what}: ${r.message}` : what);
  };
}

/** A device without a server has nowhere to send reports. */
const dropReport = (): Promise<void> => Promise.resolve();

const trusted = (keys: TrustedBundleKeys | undefined) => (keys ? { trustedKeys: keys } : {});

/** The backend and threads for the heartbeat (absent when the runtime was shared in, as in fleet-sim). */
function inferenceMetrics(dp: BundlePipeline): { inferenceBackend?: InferenceBackend; inferenceThreads?: number } {
  return dp.inference ? { inferenceBackend: dp.inference.backend, inferenceThreads: dp.inference.threads } : {};
}
