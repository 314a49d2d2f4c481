import {
  TinyMLOpsError,
  type DeviceConfig,
  type DeviceConfigPatch,
  type DeviceDriftDetectors,
  type DeviceSettings,
  type OperationalMode,
} from '@tinymlops/contracts';
import type { LoadedBundle } from '../bundle/load-bundle.js';
import { buildDetectorSet } from '../drift/detector-set-config.js';
import { checkModeAgainstBundle } from './device-settings.js';

/**
 * The mode the server's settings ask for: their own `mode` rule, else their configuration
 * version's, else `device.json`'s.
 * @example
 * serverMode({ schemaVersion: 1, revision: 2 }, 'monitoring-only'); // 'monitoring-only'
 */
export function serverMode(s: DeviceSettings | undefined, configMode: OperationalMode): OperationalMode {
  return s?.mode ?? s?.config?.settings.mode ?? configMode;
}

/**
 * `device.json` with the server's configuration version laid over it (every field but the mode,
 * which {@link serverMode} settles): what a device program starting up runs.
 * @example
 * const config = overlayServerConfig(deviceJson, new ServerSettingsFile(path).read());
 */
export function overlayServerConfig(config: DeviceConfig, s: DeviceSettings | undefined): DeviceConfig {
  const p = s?.config?.settings;
  if (!p) return config;
  return {
    ...config,
    drift: {
      ...config.drift,
      ...(p.drift?.detectors ? { detectors: p.drift.detectors } : {}),
      ...(p.drift?.samplesPerEpisode !== undefined ? { samplesPerEpisode: p.drift.samplesPerEpisode } : {}),
    },
    ...(config.server && p.syncIntervalSeconds
      ? { server: { ...config.server, syncIntervalSeconds: p.syncIntervalSeconds } }
      : {}),
    outbox: { ...config.outbox, ...(p.budgets?.outboxBytes ? { budgetBytes: p.budgets.outboxBytes } : {}) },
    log: {
      ...config.log,
      ...(p.budgets?.logBytes ? { budgetBytes: p.budgets.logBytes } : {}),
      ...(p.sampling?.imageSampleRate !== undefined ? { imageSampleRate: p.sampling.imageSampleRate } : {}),
    },
  };
}

/**
 * The fields of a configuration version a running device cannot change in place (they take
 * effect when the device program next starts).
 * @example
 * fieldsForNextStart({ budgets: { outboxBytes: 1e6 }, mode: 'autonomous' }); // ['budgets']
 */
export function fieldsForNextStart(p: DeviceConfigPatch | undefined): string[] {
  if (!p) return [];
  return (['drift', 'budgets', 'sampling'] as const).filter((k) => p[k] !== undefined);
}

/**
 * Throws a TinyMLOpsError saying why when a device running `bundle` cannot honour a configuration
 * version: its mode must suit the bundle, and its detectors must build against the bundle's
 * reference, labels and KNN state (as the pipeline will build them).
 * @example
 * checkConfigAgainstBundle(device.config, { mode: 'autonomous' }, device.pipeline.bundle);
 */
export function checkConfigAgainstBundle(config: DeviceConfig, p: DeviceConfigPatch, bundle: LoadedBundle): void {
  if (p.mode) checkModeAgainstBundle({ ...config, mode: p.mode }, bundle);
  if (p.drift?.detectors) {
    requireKnownClasses(p.drift.detectors, bundle);
    const context = { reference: bundle.detectors, labels: bundle.manifest.labels, knnState: bundle.knnState };
    buildDetectorSet({ detectors: p.drift.detectors }, context);
  }
}

/** A detector told to watch classes the model does not have would never see them: refused. */
function requireKnownClasses(detectors: DeviceDriftDetectors, bundle: LoadedBundle): void {
  const labels = new Set(bundle.manifest.labels);
  detectors.forEach((d, i) => {
    const o = d.options as { knownClasses?: string[] | null; labels?: string[] | null };
    const named = [...(o.knownClasses ?? []), ...(o.labels ?? [])];
    const unknown = named.filter((l) => !labels.has(l));
    if (unknown.length === 0) return;
    const model = `${bundle.manifest.id}@${bundle.manifest.version}`;
    const message = `${d.name ?? d.kind} names classes model ${model} does not have: ${unknown.join(', ')}`;
    throw new TinyMLOpsError('VALIDATION_FAILED', `drift.detectors.${i}: ${message}`, {
      details: [{ path: `drift.detectors.${i}`, message }],
    });
  });
}
