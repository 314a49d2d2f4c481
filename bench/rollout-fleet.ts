/**
 * The devices of `npm run eval:rollout`: fleet-sim light devices replaying real pipeline
 * recordings (a calm stream, and a drifting one for the bad model), applying the server's
 * settings and configuration versions with TinyLCM's own DeviceInbox.
 */
import path from 'node:path';
import { DeviceConfig, type DeviceConfigPatch, type OperationalMode } from '@tinymlops/contracts';
import { readFashionMnist } from '@tinymlops/testkit';
import {
  checkConfigAgainstBundle,
  DeviceInbox,
  loadBundle,
  loadBundleRuntime,
  ServerSettingsFile,
} from '@tinymlops/tinylcm';
import { DEFAULT_BUNDLE } from '../apps/fleet-sim/src/bundle-location.js';
import { deviceSchedule } from '../apps/fleet-sim/src/fleet-scenarios.js';
import { LightDevice } from '../apps/fleet-sim/src/light/light-device.js';
import {
  recordPipeline,
  type PipelineRecording,
  type RecordOptions,
} from '../apps/fleet-sim/src/light/pipeline-recording.js';

const RECORDED_FRAMES = 600;

/** What the eval's devices replay. */
export interface EvalRecordings {
  calm: PipelineRecording;
  drift: PipelineRecording;
  /** The calm stream through {@link TOUCHY_DETECTOR}: a configuration a device accepts, but bad. */
  touchy: PipelineRecording;
}

/**
 * A valid knn-distance detector tuned far too tight (no slack, a threshold of half a standard
 * deviation, no cooldown): on a calm stream it raises episode after episode.
 */
export const TOUCHY_DETECTOR = {
  kind: 'knn-distance' as const,
  options: { deltaSigma: 0, lambdaSigma: 0.5, cooldownFrames: 0, exitFrames: 1, sceneChange: null },
};

/** The eval's recordings, made once by the real pipeline (cached in `dataDir`). */
export async function rolloutRecordings(dataDir: string): Promise<EvalRecordings> {
  const set = await readFashionMnist();
  const bundle = await loadBundle(DEFAULT_BUNDLE);
  const runtime = await loadBundleRuntime(bundle);
  const record = (
    scenario: 'no-drift' | 'held-out-class',
    cycle?: { length: number; calm: number; drift: number; jitter: number },
    detectors?: RecordOptions['detectors'],
  ) =>
    recordPipeline({
      bundleDir: DEFAULT_BUNDLE,
      runtime,
      set,
      schedule: deviceSchedule(scenario, 0, 7, RECORDED_FRAMES, cycle),
      frames: RECORDED_FRAMES,
      workDir: path.join(dataDir, 'recording-work'),
      cacheDir: path.join(dataDir, 'recordings'),
      ...(detectors ? { detectors } : {}),
    });
  try {
    // Drift comes back every 60 frames: a model whose features shift keeps raising episodes.
    return {
      calm: await record('no-drift'),
      drift: await record('held-out-class', { length: 60, calm: 20, drift: 35, jitter: 5 }),
      touchy: await record('no-drift', undefined, { name: 'touchy', set: { detectors: [TOUCHY_DETECTOR] } }),
    };
  } finally {
    runtime.dispose();
  }
}

/** A light device and the configuration versions it applied. */
export interface EvalDevice {
  readonly device: LightDevice;
  readonly configsApplied: Set<string>;
  /** The configuration version in force (`id@version`), or null. */
  configNow(): string | null;
}

/** Options of {@link openEvalDevice}. */
export interface EvalDeviceOptions {
  index: number;
  dataDir: string;
  serverUrl: string;
  enrolmentToken: string;
  recordings: EvalRecordings;
  /** Model versions that replay the drifting recording. */
  badVersions: ReadonlySet<string>;
  /** Configuration versions (`id@version`) whose detectors make the device replay the touchy recording. */
  touchyConfigs: ReadonlySet<string>;
}

const CONFIG = DeviceConfig.parse({
  schemaVersion: 1,
  model: { bundle: '.' },
  source: { type: 'stdin', width: 28, height: 28, channels: 1 },
});

/**
 * One light device of the eval: enrolled, syncing every second, replaying the calm recording
 * until the server installs a bad version, applying configuration versions it can honour.
 * @example
 * const d = await openEvalDevice({ index: 0, dataDir, serverUrl, enrolmentToken, recordings, badVersions });
 */
export async function openEvalDevice(o: EvalDeviceOptions): Promise<EvalDevice> {
  const configsApplied = new Set<string>();
  let mode: OperationalMode = 'monitoring-only';
  let touchyNow = false;
  let configNow: string | null = null;
  const inboxOf = (device: LightDevice) => {
    const inbox = new DeviceInbox({
      settingsFile: new ServerSettingsFile(path.join(o.dataDir, 'devices', String(o.index), 'server-settings.json')),
      configMode: 'monitoring-only',
      mode: () => mode,
      setMode: (m) => void (mode = m),
      checkConfig: (p: DeviceConfigPatch) => device.bundle && checkConfigAgainstBundle(CONFIG, p, device.bundle),
      applyItems: () => Promise.resolve([]),
      log: () => {},
      now: Date.now,
      observe: (items, reports) => {
        for (const i of items) {
          const applied = reports.find((r) => r.feedbackId === i.feedbackId)?.status === 'applied';
          if (i.kind !== 'settings' || !applied) continue;
          const ref = i.settings.config && `${i.settings.config.configId}@${i.settings.config.version}`;
          if (ref) configsApplied.add(ref);
          configNow = ref ?? null;
          // Light devices take on new detectors at once (a real device at its next start).
          const touchy = !!ref && o.touchyConfigs.has(ref);
          if (touchy !== touchyNow) device.replay(touchy ? o.recordings.touchy : o.recordings.calm);
          touchyNow = touchy;
        }
      },
    });
    return (items: Parameters<DeviceInbox['apply']>[0]) => inbox.apply(items);
  };
  const device = await LightDevice.open({
    index: o.index,
    dataDir: o.dataDir,
    serverUrl: o.serverUrl,
    enrolmentToken: o.enrolmentToken,
    schedule: deviceSchedule('no-drift', o.index, 7, RECORDED_FRAMES),
    faults: {},
    recording: o.recordings.calm,
    frames: Number.MAX_SAFE_INTEGER,
    syncIntervalMs: 1000,
    recordingFor: (m) => (o.badVersions.has(m.version) ? o.recordings.drift : o.recordings.calm),
    onInbox: inboxOf,
  });
  return { device, configsApplied, configNow: () => configNow };
}

/**
 * Replays frames on every device at `fps` until `stop()`; returns the stopper.
 * @example
 * const stop = playFrames(devices, 4); … await stop();
 */
export function playFrames(devices: readonly EvalDevice[], fps: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      for (const d of devices) await d.device.step();
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / fps - (Date.now() - started))));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
