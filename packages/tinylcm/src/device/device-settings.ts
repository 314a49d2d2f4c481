import path from 'node:path';
import { TinyMLOpsError, type DeviceConfig } from '@tinymlops/contracts';
import type { InferenceOptions } from '../runtime/choose-backend.js';
import type { BundlePipelineOptions } from '../bundle/bundle-pipeline.js';
import type { LoadedBundle } from '../bundle/load-bundle.js';
import type { KnnDistanceMonitorOptions } from '../drift/knn-distance-monitor.js';
import { DRIFT_DETECTORS } from '../drift/registry.js';
import type { DataLoggerOptions } from '../log/data-logger.js';
import { DeviceDataDir } from './device-data-dir.js';

/**
 * `device.json` mapped to the options of each component. This is the one place a config key
 * meets the component that honours it; a key no component can honour is refused here with an
 * error naming it (`VALIDATION_FAILED`, so `tinylcm-device run` exits with 2).
 */
export interface DeviceSettings {
  readonly config: DeviceConfig;
  readonly dataDir: DeviceDataDir;
  /** `model.bundle`: installed at first start; later versions come from the server. */
  readonly initialBundle: string;
  /** `log.*`. */
  readonly dataLog: Omit<DataLoggerOptions, 'now'>;
  /** `outbox.budgetBytes`. */
  readonly outboxBudgetBytes: number;
  /** `drift.samplesPerEpisode`. */
  readonly samplesPerEpisode: number;
  /** `drift.detectors`: the KNN-distance monitor's options, or false when it is not listed. */
  readonly knnDistance: KnnDistanceMonitorOptions | false;
}

/**
 * Maps a parsed config to component options, refusing what the device cannot honour.
 * @example
 * const settings = deviceSettings(config, path.dirname(configFile));
 * const outbox = await Outbox.open(settings.dataDir.outbox, { budgetBytes: settings.outboxBudgetBytes });
 */
export function deviceSettings(config: DeviceConfig, baseDir: string): DeviceSettings {
  const dataDir = DeviceDataDir.of(config, baseDir);
  return {
    config,
    dataDir,
    initialBundle: path.resolve(baseDir, config.model.bundle),
    dataLog: { dir: dataDir.log, budgetBytes: config.log.budgetBytes, imageSampleRate: config.log.imageSampleRate },
    outboxBudgetBytes: config.outbox.budgetBytes,
    samplesPerEpisode: config.drift.samplesPerEpisode,
    knnDistance: detectorSettings(config.drift.detectors),
  };
}

/**
 * The pipeline options for `bundle`; refuses classifier keys the bundle's KNN state contradicts
 * (its drift reference was measured with its own k and metric).
 * @example
 * const dp = await loadBundlePipeline(bundle, { ...pipelineSettings(settings, bundle), monitor: ops });
 */
export function pipelineSettings(s: DeviceSettings, bundle: LoadedBundle): BundlePipelineOptions {
  const { k, metric, capacity, replacement } = s.config.classifier;
  const state = bundle.knnState;
  const name = `${bundle.manifest.id}@${bundle.manifest.version}`;
  if (state) {
    const why = `ships a KNN state with k ${state.k} and metric ${state.metric} (its drift reference was measured with them)`;
    const fix = 'remove the key or use a bundle built with that setting';
    if (k !== undefined && k !== state.k) refuse('classifier.k', `is ${k}, but bundle ${name} ${why}; ${fix}`);
    if (metric !== undefined && metric !== state.metric)
      refuse('classifier.metric', `is ${metric}, but bundle ${name} ${why}; ${fix}`);
    if (capacity < state.count)
      refuse('classifier.capacity', `is ${capacity}, but bundle ${name} ships ${state.count} KNN samples`);
  }
  return {
    classifier: { capacity, replacement, ...(k === undefined ? {} : { k }), ...(metric ? { metric } : {}) },
    knnDistance: s.knnDistance,
    logFeatures: false,
    inference: inferenceSettings(s.config),
  };
}

/** `inference.backend` / `inference.threads` of device.json (backend `auto` unless pinned). */
function inferenceSettings(config: DeviceConfig): InferenceOptions {
  const { backend, threads } = config.inference;
  return { backend, ...(threads === undefined ? {} : { threads }) };
}

/** Refuses an autonomous device whose bundle lacks the reference its heuristics need. */
export function checkModeAgainstBundle(config: DeviceConfig, bundle: LoadedBundle): void {
  if (config.mode === 'autonomous' && !bundle.detectors?.knnDistance) {
    const name = `${bundle.manifest.id}@${bundle.manifest.version}`;
    refuse('mode', `autonomous needs the knnDistance reference in detectors.json, which bundle ${name} lacks`);
  }
}

function detectorSettings(entries: DeviceConfig['drift']['detectors']): KnnDistanceMonitorOptions | false {
  let knn: KnnDistanceMonitorOptions | false = false;
  entries.forEach((entry, i) => {
    const key = `drift.detectors.${i}`;
    if (entry.kind !== 'knn-distance') {
      refuse(`${key}.kind`, `"${entry.kind}" does not run on the device yet (it runs: knn-distance)`);
    }
    if (knn) refuse(`${key}.kind`, 'knn-distance is listed twice');
    const known = Object.keys(DRIFT_DETECTORS['knn-distance'].defaults);
    const unknown = Object.keys(entry.options).filter((o) => !known.includes(o));
    if (unknown.length)
      refuse(`${key}.options`, `unknown option "${unknown.join('", "')}" (known: ${known.join(', ')})`);
    knn = entry.options as KnnDistanceMonitorOptions;
  });
  return knn;
}

function refuse(key: string, message: string): never {
  throw new TinyMLOpsError('VALIDATION_FAILED', `device config: ${key} ${message}`, {
    details: [{ path: key, message }],
  });
}
