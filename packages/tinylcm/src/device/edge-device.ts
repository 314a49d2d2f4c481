import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DeviceConfig, ValidationFeedback } from '@tinymlops/contracts';
import { loadBundlePipeline, type BundlePipeline } from '../bundle/bundle-pipeline.js';
import { loadBundle } from '../bundle/load-bundle.js';
import type { RawFrame } from '../features/preprocess.js';
import { DataLogger } from '../log/data-logger.js';
import { OperationalMonitor } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import type { KnnDistanceMonitorOptions } from '../drift/knn-distance-monitor.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { Outbox } from '../sync/outbox.js';
import type { FeedbackHandler } from '../sync/feedback-puller.js';
import type { PackageParts } from '../sync/package-builder.js';
import type { DeviceStatusReport } from '../sync/sync-client.js';
import { silentLogger, type SyncLogger } from '../sync/sync-logger.js';
import { DeviceAdaptation } from './device-adaptation.js';
import { DeviceSync } from './device-sync.js';
import { DriftReporter } from './drift-reporter.js';
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
   * Applies validated labels pulled from the server (`server-assisted` mode only; other modes never
   * pull). Without one, a server-assisted device logs what it received and acknowledges it.
   */
  onFeedback?: FeedbackHandler;
}

/**
 * A TinyLCM device: the bundle's data path plus drift reporting, telemetry, the outbox and
 * opportunistic sync. `process()` never waits on the network; sync runs on its own timer.
 * @example
 * const device = await EdgeDevice.open({ config, baseDir: path.dirname(configPath) });
 * device.startSync();
 * for await (const frame of source) await device.process(frame);
 * await device.close();
 */
export class EdgeDevice {
  #dp: BundlePipeline;
  /** The mode's adaptation over the active bundle (rebuilt on a model switch). */
  adaptation!: DeviceAdaptation;
  #adapt!: (dp: BundlePipeline) => DeviceAdaptation;
  #frames = 0;
  readonly #started: number;

  private constructor(
    readonly config: DeviceConfig,
    readonly dataDir: string,
    dp: BundlePipeline,
    readonly ops: OperationalMonitor,
    readonly dataLog: DataLogger,
    readonly outbox: Outbox,
    readonly drift: DriftReporter,
    readonly telemetry: TelemetryReporter,
    readonly sync: DeviceSync | undefined,
    private readonly now: () => number,
  ) {
    this.#dp = dp;
    this.#started = now();
  }

  static async open(o: EdgeDeviceOptions): Promise<EdgeDevice> {
    const now = o.now ?? Date.now;
    const logger = o.logger ?? silentLogger;
    const dataDir = path.resolve(o.baseDir, o.config.dataDir);
    await mkdir(dataDir, { recursive: true });
    const store = new ModelStore(path.join(dataDir, 'models'));
    const bundleDir =
      (await store.currentDir()) ?? (await installInitial(store, path.resolve(o.baseDir, o.config.model.bundle)));
    const ops = new OperationalMonitor();
    const dataLog = new DataLogger({ dir: path.join(dataDir, 'log'), budgetBytes: o.config.log.budgetBytes, imageSampleRate: o.config.log.imageSampleRate, now }); // prettier-ignore
    const dp = await loadBundlePipeline(bundleDir, pipelineOptions(o.config, ops, dataLog, await sharedRuntimeFor(bundleDir, o.runtime))); // prettier-ignore
    logger.info(`inference: ${dp.inference?.summary ?? 'shared runtime'}`);
    const outbox = await Outbox.open(path.join(dataDir, 'outbox'), { budgetBytes: o.config.outbox.budgetBytes, log: logger, now }); // prettier-ignore
    const telemetry = await TelemetryReporter.open({ seqFile: path.join(dataDir, 'telemetry-seq.json'), now });
    // The reporters and sync are built before the device they call back into.
    const ref: { device?: EdgeDevice } = {};
    const enqueue = (parts: PackageParts) => ref.device?.sync?.enqueue(parts) ?? Promise.resolve();
    const drift = new DriftReporter({ samplesPerEpisode: o.config.drift.samplesPerEpisode, now, emit: (d) => enqueue({ drift: d }) }); // prettier-ignore
    const adapt = (p: BundlePipeline) => DeviceAdaptation.open({ config: o.config, dataDir, pipeline: p, enqueue, now, logger }); // prettier-ignore
    const adaptation = adapt(dp);
    // The mode decides whether feedback is pulled at all; an onFeedback option observes what was applied.
    const onFeedback = adaptation.policy.appliesFeedback ? async (items: ValidationFeedback[]) => { await ref.device!.adaptation.applyFeedback(items); ref.device!.telemetry.log('info', `applied ${items.length} validated labels`, { cursor: items.at(-1)?.cursor }); await o.onFeedback?.(items); } : undefined; // prettier-ignore
    const sync = o.config.server
      ? new DeviceSync({ server: o.config.server, dataDir, outbox, logger, now, hardwareId: o.hardwareId ?? o.config.name ?? dataDir, name: o.config.name, ...(o.fetch ? { fetch: o.fetch } : {}), status: () => ref.device!.status(), drain: () => telemetry.drain(ops.metrics()), install: (dir) => ref.device!.switchModel(dir, store), onFeedback }) // prettier-ignore
      : undefined;
    ref.device = new EdgeDevice(o.config, dataDir, dp, ops, dataLog, outbox, drift, telemetry, sync, now);
    [ref.device.adaptation, ref.device.#adapt] = [adaptation, adapt];
    return ref.device;
  }

  /** The active bundle's pipeline parts (classifier, monitor, …). */
  get pipeline(): BundlePipeline {
    return this.#dp;
  }

  /** Runs one frame through the data path, then drift reporting and telemetry. */
  async process(frame: RawFrame): Promise<PipelineResult> {
    const dp = this.#dp;
    const result = await dp.pipeline.process(frame);
    this.#frames++;
    this.telemetry.observe(result, frame);
    const sampleId = await this.drift.observe(result, frame);
    await this.adaptation.observe(result, { sampleId });
    return result;
  }

  /** What the heartbeat reports (outbox figures are filled in by the sync client). */
  status(): DeviceStatusReport {
    const m = this.ops.metrics();
    const { id, version } = this.#dp.bundle.manifest;
    return {
      status: 'ok',
      mode: this.config.mode,
      model: { modelId: id, version },
      stateVersion: this.adaptation.stateVersion,
      uptimeSeconds: Math.max(0, (this.now() - this.#started) / 1000),
      metrics: {
        framesProcessed: this.#frames,
        ...(m.frames ? { inferenceMsP50: m.latencyMs.p50, inferenceMsP95: m.latencyMs.p95 } : {}),
        rssMb: m.rssMb,
        cpuPercent: 100 * m.cpuUtilisation,
        driftActive: this.drift.active,
        outboxBytes: 0,
        outboxPackages: 0,
        droppedPackages: 0,
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
  async switchModel(stagingDir: string, store: ModelStore): Promise<void> {
    const staged = await loadBundle(stagingDir);
    const dir = await store.install(stagingDir, staged.manifest);
    const next = await loadBundlePipeline(dir, pipelineOptions(this.config, this.ops, this.dataLog));
    try {
      const input = next.runtime.inputs[0];
      const size = input ? input.shape.reduce((a, b) => a * b, 1) : 0;
      await next.runtime.run(input?.dtype === 'float32' ? new Float32Array(size) : new Uint8Array(size));
    } catch (err) {
      next.dispose();
      throw err;
    }
    await store.activate(dir);
    const old = this.#dp;
    this.#dp = next;
    this.adaptation = this.#adapt(next);
    old.dispose();
    const inference = next.inference?.summary;
    this.telemetry.log('info', `switched model to ${staged.manifest.id}@${staged.manifest.version}`, { inference });
  }

  /** Flushes telemetry into the outbox, stops sync, closes the outbox and frees the runtime. */
  async close(): Promise<void> {
    await this.sync?.stop();
    await this.outbox.close();
    this.dataLog.close();
    this.#dp.dispose();
  }
}

async function installInitial(store: ModelStore, bundleDir: string): Promise<string> {
  const b = await loadBundle(bundleDir);
  const dir = await store.install(bundleDir, b.manifest);
  await store.activate(dir);
  return dir;
}

/**
 * The shared runtime, only when it was loaded from the bundle this device runs: a device that
 * switched to another version earlier keeps that version and needs a runtime of its own.
 */
async function sharedRuntimeFor(
  bundleDir: string,
  runtime: ModelRuntime | undefined,
): Promise<ModelRuntime | undefined> {
  if (!runtime) return undefined;
  const { id, version } = (await loadBundle(bundleDir)).manifest;
  return runtime.modelName === `${id}@${version}` ? runtime : undefined;
}

/** Feedback is pulled only in server-assisted mode; `fallback` acknowledges it when the app gives no handler. */

/** Backend and threads for the heartbeat (absent when the runtime was shared in, as in fleet-sim). */
function inferenceMetrics(dp: BundlePipeline) {
  return dp.inference ? { inferenceBackend: dp.inference.backend, inferenceThreads: dp.inference.threads } : {};
}

function pipelineOptions(config: DeviceConfig, ops: OperationalMonitor, log: DataLogger, runtime?: ModelRuntime) {
  const knn = config.drift.detectors.find((d) => d.kind === 'knn-distance');
  const { backend, threads } = config.inference;
  return {
    ...(runtime ? { runtime } : {}),
    inference: { backend, ...(threads ? { threads } : {}) },
    classifier: {
      capacity: config.classifier.capacity,
      replacement: config.classifier.replacement,
      k: config.classifier.k,
    },
    knnDistance: knn ? (knn.options as KnnDistanceMonitorOptions) : (false as const),
    monitor: ops,
    log,
    logFeatures: false,
  };
}
