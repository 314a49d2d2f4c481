import path from 'node:path';
import {
  loadBundle,
  loadBundleRuntime,
  readFashionMnist,
  type ImageSet,
  type ModelRuntime,
  type SyncLogger,
} from '@tinymlops/tinylcm';
import type { OperationalMode } from '@tinymlops/contracts';
import { deviceSchedule, type DriftCycle, type FleetScenario } from './fleet-scenarios.js';
import { faultPlan, type FaultProfile } from './faulty-fetch.js';
import { LightDevice } from './light/light-device.js';
import { recordPipeline, type PipelineRecording } from './light/pipeline-recording.js';
import { SimDevice, type SimDeviceStats } from './sim-device.js';

/** Options of {@link Fleet.open}. */
export interface FleetOptions {
  devices: number;
  serverUrl: string;
  scenario: FleetScenario;
  /** Frames per device (`Infinity` runs until stopped). */
  frames: number;
  /** Frames per second per device; 0 runs as fast as the CPU allows. */
  fps: number;
  seed: number;
  dataDir: string;
  bundleDir: string;
  enrolmentToken: string;
  faults: FaultProfile;
  mode?: OperationalMode;
  /** Per-device mode override (the demo runs one device per mode). */
  modeOf?: (index: number) => OperationalMode;
  syncIntervalMs?: number;
  /** Per-device scenario override (the demo gives each device its own). */
  scenarioOf?: (index: number) => FleetScenario;
  /** Options of every device's KNN-distance monitor (default: the library's). */
  monitor?: Record<string, unknown>;
  /** The drift cycle of every device (default `DEFAULT_CYCLE`). */
  cycle?: DriftCycle;
  logger?: SyncLogger;
  /**
   * Light devices added after the `devices` full ones: they replay a recording of the real
   * pipeline's outputs instead of running inference (see LightDevice), default 0.
   */
  lightDevices?: number;
}

/** A full or a light virtual device: what the fleet drives. */
export type VirtualDevice = SimDevice | LightDevice;

/** Frames a stream's recording holds at most; light devices loop over it. */
const RECORDING_FRAMES = 600;

/** The whole fleet's figures. */
export interface FleetSummary {
  devices: SimDeviceStats[];
  total: Omit<SimDeviceStats, 'index' | 'name' | 'deviceId' | 'scenario' | 'model' | 'linkDown' | 'lastError'>;
}

/** Streams longer than this are treated as endless (episodes are planned up to here). */
const ENDLESS_FRAMES = 3_000_000;

/** Recordings made this run, by stream: every light device of a stream replays the same one. */
const recordings = new Map<string, Promise<PipelineRecording>>();

async function openLight(o: FleetOptions, i: number, frames: number, set: ImageSet, runtime: ModelRuntime) {
  const schedule = deviceSchedule(o.scenarioOf?.(i) ?? o.scenario, i, o.seed, frames, o.cycle);
  const key = `${path.resolve(o.dataDir)}:${schedule.stream}`;
  let recording = recordings.get(key);
  if (!recording) {
    const cacheDir = path.join(o.dataDir, 'recordings');
    const workDir = path.join(o.dataDir, 'recording-work');
    recording = recordPipeline({
      bundleDir: o.bundleDir,
      runtime,
      set,
      schedule,
      frames: Math.min(frames, RECORDING_FRAMES),
      workDir,
      cacheDir,
    });
    recordings.set(key, recording);
  }
  return LightDevice.open({
    index: i,
    dataDir: o.dataDir,
    serverUrl: o.serverUrl,
    enrolmentToken: o.enrolmentToken,
    schedule,
    faults: faultPlan(o.faults, i),
    recording: await recording,
    frames,
    ...(o.syncIntervalMs ? { syncIntervalMs: o.syncIntervalMs } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
}

/**
 * N virtual devices in one process sharing one model runtime (and any number of light ones). Frames go through the devices in
 * turn (the shared runtime runs one frame at a time), paced to `fps` per device; each device
 * syncs on its own loop, so a device that is offline never slows the others.
 * @example
 * const fleet = await Fleet.open({ devices: 3, serverUrl, scenario: 'mixed', frames: 600, fps: 0, seed: 1, dataDir, bundleDir, enrolmentToken, faults: 'none' });
 * await fleet.run((done, total) => bar.update(done, total));
 * console.log(fleet.summary().total);
 * await fleet.close();
 */
export class Fleet {
  #stopped = false;
  #wake: (() => void) | undefined;

  private constructor(
    readonly options: FleetOptions,
    readonly devices: VirtualDevice[],
    private readonly runtime: ModelRuntime,
  ) {}

  static async open(o: FleetOptions): Promise<Fleet> {
    const set = await readFashionMnist();
    const runtime = await loadBundleRuntime(await loadBundle(o.bundleDir));
    const frames = Math.min(o.frames, ENDLESS_FRAMES);
    const devices: VirtualDevice[] = [];
    try {
      const total = o.devices + (o.lightDevices ?? 0);
      for (let i = o.devices; i < total; i++) devices.push(await openLight(o, i, frames, set, runtime));
      for (let i = 0; i < o.devices; i++) {
        const schedule = deviceSchedule(o.scenarioOf?.(i) ?? o.scenario, i, o.seed, frames, o.cycle);
        const mode = o.modeOf?.(i) ?? o.mode;
        devices.push(
          await SimDevice.open({
            index: i,
            dataDir: o.dataDir,
            bundleDir: o.bundleDir,
            serverUrl: o.serverUrl,
            enrolmentToken: o.enrolmentToken,
            schedule,
            faults: faultPlan(o.faults, i),
            set,
            frames,
            runtime,
            ...(mode ? { mode } : {}),
            ...(o.monitor ? { monitor: o.monitor } : {}),
            ...(o.syncIntervalMs ? { syncIntervalMs: o.syncIntervalMs } : {}),
            ...(o.logger ? { logger: o.logger } : {}),
          }),
        );
      }
    } catch (err) {
      for (const d of devices) await d.close();
      runtime.dispose();
      throw err;
    }
    // Full ones first, as the fleet's indices go.
    devices.sort((a, b) => a.o.index - b.o.index);
    return new Fleet(o, devices, runtime);
  }

  /** Starts every device's sync loop and runs the frames; resolves when done or stopped. */
  async run(onProgress?: (framesDone: number) => void): Promise<void> {
    for (const d of this.devices) d.startSync();
    const tickMs = this.options.fps > 0 ? 1000 / this.options.fps : 0;
    let done = 0;
    let next = performance.now();
    while (!this.#stopped) {
      let any = false;
      for (const d of this.devices) {
        if (this.#stopped) break;
        if (!(await d.step())) continue;
        any = true;
        done++;
      }
      onProgress?.(done);
      if (!any) break;
      next += tickMs;
      const wait = next - performance.now();
      if (wait > 0) await this.sleep(wait);
      else {
        next = performance.now(); // behind schedule: do not try to catch up in a burst
        await new Promise(setImmediate); // let the sync loops' timers and sockets run between frames
      }
    }
  }

  /** Asks `run` to return after the frame in progress. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  /** Per-device and total figures. */
  summary(): FleetSummary {
    const devices = this.devices.map((d) => d.stats());
    const sum = (k: keyof FleetSummary['total']) => devices.reduce((a, d) => a + d[k], 0);
    return {
      devices,
      total: {
        frames: sum('frames'),
        episodesStarted: sum('episodesStarted'),
        episodesEnded: sum('episodesEnded'),
        packagesSent: sum('packagesSent'),
        packagesAcked: sum('packagesAcked'),
        packagesDropped: sum('packagesDropped'),
        packagesPending: sum('packagesPending'),
        packagesRejected: sum('packagesRejected'),
      },
    };
  }

  /**
   * Stops the devices: each flushes its telemetry into the outbox and, with `finalSync`, tries one
   * last round to upload it (what is left stays in the outbox for the next start).
   */
  async close(options: { finalSync?: boolean } = {}): Promise<void> {
    this.stop();
    await Promise.all(this.devices.map((d) => d.close(options)));
    this.runtime.dispose();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.#wake = () => (clearTimeout(t), resolve());
    });
  }
}
