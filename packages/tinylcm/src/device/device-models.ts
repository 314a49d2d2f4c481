import type { OperationalMode, TrustedBundleKeys } from '@tinymlops/contracts';
import { loadBundlePipeline, type BundlePipeline } from '../bundle/bundle-pipeline.js';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import type { DataLogger } from '../log/data-logger.js';
import type { OperationalMonitor } from '../log/operational-monitor.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import {
  bundleLoadOptions,
  checkModeAgainstBundle,
  loadTrustedKeys,
  pipelineSettings,
  type DeviceSettings,
} from './device-settings.js';
import { ModelStore } from './model-store.js';

/** Options of {@link DeviceModels.open}. */
export interface DeviceModelsOptions {
  settings: DeviceSettings;
  /** The device's operational monitor and data log, wired into every pipeline. */
  ops: OperationalMonitor;
  dataLog: DataLogger;
  /** The mode bundles are checked against (default `config.mode`). */
  mode?: OperationalMode;
}

/**
 * The device's models: the store under `models/`, the keys bundles must be signed with
 * (`model.trustedKeys`), and the pipelines built from bundles with the config's settings. Every
 * bundle goes through the same checks whether it is the first one or an update.
 * @example
 * const models = await DeviceModels.open({ settings, ops, dataLog });
 * const dp = await models.activePipeline();
 * const next = await models.install(stagingDir); // verified, check-run, then switched to
 */
export class DeviceModels {
  readonly store: ModelStore;
  /** The mode in force: the server may change it; every bundle loaded after is checked against it. */
  mode: OperationalMode;

  private constructor(
    readonly o: DeviceModelsOptions,
    /** `model.trustedKeys`, read: every bundle must be signed by one of them. */
    readonly trustedKeys: TrustedBundleKeys | undefined,
  ) {
    this.store = new ModelStore(o.settings.dataDir.models);
    this.mode = o.mode ?? o.settings.config.mode;
  }

  /** Reads the trusted keys (a bad keys file is refused, naming the key). */
  static async open(o: DeviceModelsOptions): Promise<DeviceModels> {
    return new DeviceModels(o, await loadTrustedKeys(o.settings));
  }

  /**
   * The pipeline of the active bundle, installing `model.bundle` at first start. `runtime` is used
   * only when it was loaded from that very bundle (the fleet simulator shares one).
   */
  async activePipeline(runtime?: ModelRuntime): Promise<BundlePipeline> {
    const dir = (await this.store.currentDir()) ?? (await this.#installInitial());
    const bundle = await this.#load(dir);
    const { id, version } = bundle.manifest;
    const shared = runtime?.modelName === `${id}@${version}` ? runtime : undefined;
    return this.#pipeline(bundle, shared);
  }

  /**
   * Installs a downloaded bundle: verify it, copy it into the store, build its pipeline, run a check
   * inference, then switch the store to it atomically. Throws (nothing switched) when any step fails.
   */
  async install(stagingDir: string): Promise<BundlePipeline> {
    const staged = await this.#load(stagingDir);
    const bundle = await this.#load(await this.store.install(stagingDir, staged.manifest));
    const next = await this.#pipeline(bundle);
    try {
      await checkInference(next);
    } catch (err) {
      next.dispose();
      throw err;
    }
    await this.store.activate(bundle.dir);
    return next;
  }

  async #installInitial(): Promise<string> {
    const from = this.o.settings.initialBundle;
    const b = await this.#load(from);
    const dir = await this.store.install(from, b.manifest);
    await this.store.activate(dir);
    return dir;
  }

  async #load(dir: string): Promise<LoadedBundle> {
    const bundle = await loadBundle(dir, bundleLoadOptions(this.trustedKeys));
    checkModeAgainstBundle({ ...this.o.settings.config, mode: this.mode }, bundle);
    return bundle;
  }

  #pipeline(bundle: LoadedBundle, runtime?: ModelRuntime): Promise<BundlePipeline> {
    const { settings, ops, dataLog } = this.o;
    const options = { ...pipelineSettings(settings, bundle), monitor: ops, log: dataLog };
    return loadBundlePipeline(bundle, { ...options, ...(runtime ? { runtime } : {}) });
  }
}

/** One inference on a blank input: a bundle that cannot run is refused before it is switched to. */
async function checkInference(dp: BundlePipeline): Promise<void> {
  const input = dp.runtime.inputs[0];
  const size = input ? input.shape.reduce((a, b) => a * b, 1) : 0;
  await dp.runtime.run(input?.dtype === 'float32' ? new Float32Array(size) : new Uint8Array(size));
}
