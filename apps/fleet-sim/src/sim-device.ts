import { createHash } from 'node:crypto';
import path from 'node:path';
import { DeviceConfig, type OperationalMode } from '@tinymlops/contracts';
import { EdgeDevice, scenarioStream, type ImageSet, type ScenarioFrame } from '@tinymlops/tinylcm';
import type { ModelRuntime, SyncLogger, SyncRound } from '@tinymlops/tinylcm';
import type { DeviceSchedule } from './fleet-scenarios.js';
import { FaultyFetch, type FaultPlan } from './faulty-fetch.js';
import { SyncLoop } from './sync-loop.js';

/** Options of {@link SimDevice.open}. */
export interface SimDeviceOptions {
  index: number;
  /** The fleet's data folder; this device lives in `<dataDir>/devices/<index>`. */
  dataDir: string;
  bundleDir: string;
  serverUrl: string;
  enrolmentToken: string;
  schedule: DeviceSchedule;
  faults: FaultPlan;
  set: ImageSet;
  /** Frames in the stream (the schedule repeats; the demo passes a very large number). */
  frames: number;
  mode?: OperationalMode;
  syncIntervalMs?: number;
  runtime?: ModelRuntime;
  logger?: SyncLogger;
  outboxBudgetBytes?: number;
  /** Options of the KNN-distance drift monitor (default: the library's). */
  monitor?: Record<string, unknown>;
  /** The device's clock (tests move it forward to skip a backoff delay). */
  now?: () => number;
}

/** One device's figures for the summary. */
export interface SimDeviceStats {
  index: number;
  name: string;
  deviceId: string | undefined;
  scenario: string;
  model: string;
  frames: number;
  episodesStarted: number;
  episodesEnded: number;
  packagesSent: number;
  packagesAcked: number;
  packagesDropped: number;
  packagesPending: number;
  packagesRejected: number;
  linkDown: boolean;
  lastError: string | undefined;
}

/**
 * A virtual device: a real {@link EdgeDevice} fed a scenario stream, behind a faulty network, with
 * its own sync loop so the fleet can count every package the server acknowledged.
 * @example
 * const d = await SimDevice.open({ index: 0, dataDir, bundleDir, serverUrl, enrolmentToken, schedule, faults: {}, set, frames: 600 });
 * while (await d.step()) {}
 * await d.close();
 */
export class SimDevice {
  episodesStarted = 0;
  episodesEnded = 0;
  #frames: Iterator<ScenarioFrame>;
  #processed = 0;
  readonly #sync: SyncLoop;

  private constructor(
    readonly o: SimDeviceOptions,
    readonly device: EdgeDevice,
    readonly net: FaultyFetch,
  ) {
    this.#sync = new SyncLoop(
      () => this.device.sync?.syncOnce() ?? Promise.resolve(undefined),
      o.syncIntervalMs ?? 2000,
    );
    const { set, schedule, frames } = o;
    this.#frames = scenarioStream(set, {
      scenario: schedule.stream,
      frames,
      seed: schedule.seed,
      episodes: schedule.episodes,
    }).frames[Symbol.iterator]();
  }

  static async open(o: SimDeviceOptions): Promise<SimDevice> {
    const net = new FaultyFetch(o.faults, o.schedule.seed, o.now);
    const dataDir = path.join(o.dataDir, 'devices', String(o.index));
    const config = DeviceConfig.parse({
      schemaVersion: 1,
      name: `sim-${o.index}-${o.schedule.stream}`,
      mode: o.mode ?? 'monitoring-only',
      dataDir,
      model: { bundle: o.bundleDir },
      source: { type: 'dataset', name: 'fashion-mnist-sample', scenario: o.schedule.stream, seed: o.schedule.seed },
      // A simulator aims at whatever server it is pointed to (a test box on the LAN): plain HTTP is its choice.
      server: { url: o.serverUrl, enrolmentToken: o.enrolmentToken, syncIntervalSeconds: 1, allowInsecureHttp: true },
      ...(o.monitor ? { drift: { detectors: [{ kind: 'knn-distance', options: o.monitor }] } } : {}),
      ...(o.outboxBudgetBytes ? { outbox: { budgetBytes: o.outboxBudgetBytes } } : {}),
    });
    // The hardware id includes the data folder, so two fleets on one server never share devices.
    const hardwareId = `fleet-sim-${createHash('sha256').update(path.resolve(o.dataDir)).digest('hex').slice(0, 8)}-${o.index}`;
    const device = await EdgeDevice.open({
      config,
      baseDir: process.cwd(),
      hardwareId,
      fetch: net.fetch,
      ...(o.now ? { now: o.now } : {}),
      ...(o.runtime ? { runtime: o.runtime } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
    return new SimDevice(o, device, net);
  }

  /** The server's id for this device, once it has enrolled. */
  get deviceId(): string | undefined {
    return this.device.sync?.deviceId;
  }

  /** Processes the next frame; false when the stream is over. */
  async step(): Promise<boolean> {
    const next = this.#frames.next();
    if (next.done) return false;
    const f = next.value;
    const r = await this.device.process({ data: f.pixels, width: f.width, height: f.height, channels: 1 });
    this.#processed++;
    for (const e of r.driftEvents) {
      if (e.phase === 'start') this.episodesStarted++;
      else this.episodesEnded++;
    }
    return true;
  }

  /** What the server acknowledged of this device's packages. */
  get acked(): ReadonlySet<string> {
    return this.#sync.acked;
  }

  /** The last sync round that ran. */
  get lastRound(): SyncRound | undefined {
    return this.#sync.lastRound;
  }

  /** One sync round now (enrols first if needed); records what the server acknowledged. */
  syncOnce(): Promise<SyncRound | undefined> {
    return this.#sync.once();
  }

  /** Starts the background sync loop (a round every `syncIntervalMs`, default 2 s). */
  startSync(): void {
    this.#sync.start();
  }

  /** Stops the sync loop, flushes the last telemetry into the outbox and closes the device. */
  async close(options: { finalSync?: boolean } = {}): Promise<void> {
    await this.#sync.stop();
    if (options.finalSync) {
      await this.device.sync?.stop(); // packages the last telemetry …
      await this.syncOnce(); // … and tries to deliver it now rather than on the next start
    }
    await this.device.close();
  }

  stats(): SimDeviceStats {
    const out = this.device.outbox.stats();
    const m = this.device.pipeline.bundle.manifest;
    return {
      index: this.o.index,
      name: this.device.config.name ?? String(this.o.index),
      deviceId: this.device.sync?.deviceId,
      scenario: `${this.o.schedule.scenario}${this.o.schedule.stream === this.o.schedule.scenario ? '' : ` (${this.o.schedule.stream})`}`,
      model: `${m.id}@${m.version}`,
      frames: this.#processed,
      episodesStarted: this.episodesStarted,
      episodesEnded: this.episodesEnded,
      packagesSent: this.net.counters.packagesSent.size,
      packagesAcked: this.acked.size,
      packagesDropped: out.dropped.packages,
      packagesPending: out.packages,
      packagesRejected: out.rejected,
      linkDown: this.net.linkDown,
      lastError: this.lastRound?.error,
    };
  }
}
