import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DeviceConfig } from '@tinymlops/contracts';
import {
  DeviceDataDir,
  DevicePackages,
  DeviceSync,
  DriftReporter,
  EpisodeIds,
  OperationalMonitor,
  Outbox,
  silentLogger,
  TelemetryReporter,
  type InboxHandler,
  type LoadedBundle,
  type SyncLogger,
  type SyncRound,
} from '@tinymlops/tinylcm';
import { FaultyFetch, type FaultPlan } from '../faulty-fetch.js';
import { SyncLoop } from '../sync-loop.js';
import type { DeviceSchedule } from '../fleet-scenarios.js';
import type { SimDeviceStats } from '../sim-device.js';
import type { PipelineRecording } from './pipeline-recording.js';

/** Options of {@link LightDevice.open}. */
export interface LightDeviceOptions {
  index: number;
  /** The fleet's data folder; this device lives in `<dataDir>/devices/<index>`. */
  dataDir: string;
  serverUrl: string;
  enrolmentToken: string;
  schedule: DeviceSchedule;
  faults: FaultPlan;
  /** What it replays (shared by every light device of its stream). */
  recording: PipelineRecording;
  /** Frames to replay (the recording loops, from an offset of its own). */
  frames: number;
  syncIntervalMs?: number;
  outboxBudgetBytes?: number;
  logger?: SyncLogger;
  now?: () => number;
  /** What to replay once the server installed `model` (a rollout's good or bad version); default: the same. */
  recordingFor?: (model: { modelId: string; version: string }) => PipelineRecording | undefined;
  /** Applies the server's v2 inbox (settings, configuration versions); default: none pulled. */
  onInbox?: (device: LightDevice) => InboxHandler;
}

/**
 * A light virtual device: instead of running inference it replays a recording of a real
 * device's pipeline outputs (features, predictions, drift events, timings), and does everything
 * else as a real device does, with TinyLCM's own parts: the DriftReporter and TelemetryReporter
 * turn the replayed results into packages, the Outbox keeps them, and DeviceSync enrols,
 * heartbeats, uploads, polls assignments and reports installs over the device protocol. A few
 * hundred KB instead of a model runtime and pipeline state per device.
 * @example
 * const d = await LightDevice.open({ index: 0, dataDir, serverUrl, enrolmentToken, schedule, faults: {}, recording, frames: 600 });
 * while (await d.step()) {}
 * await d.close({ finalSync: true });
 */
export class LightDevice {
  episodesStarted = 0;
  episodesEnded = 0;
  /** Every model version this device ran (`id@version`). */
  readonly modelsRun = new Set<string>();
  /** The bundle the server installed last, once it installed one. */
  bundle: LoadedBundle | undefined;
  #model: { modelId: string; version: string };
  #recording: PipelineRecording;
  #processed = 0;
  /** Names the replayed episodes as a device's EpisodeIds names its detector set's. */
  readonly #episodes = new EpisodeIds();
  #inEpisode = false;
  readonly #sync: SyncLoop;
  readonly #started: number;

  private constructor(
    readonly o: LightDeviceOptions,
    readonly net: FaultyFetch,
    readonly outbox: Outbox,
    readonly sync: DeviceSync,
    private readonly drift: DriftReporter,
    private readonly telemetry: TelemetryReporter,
    private readonly ops: OperationalMonitor,
    private readonly now: () => number,
  ) {
    this.#sync = new SyncLoop(() => this.sync.syncOnce(), o.syncIntervalMs ?? 2000);
    this.#model = o.recording.model;
    this.#recording = o.recording;
    this.modelsRun.add(`${this.#model.modelId}@${this.#model.version}`);
    this.#started = now();
  }

  static async open(o: LightDeviceOptions): Promise<LightDevice> {
    const now = o.now ?? Date.now;
    const logger = o.logger ?? silentLogger;
    const net = new FaultyFetch(o.faults, o.schedule.seed, now);
    const dataDir = new DeviceDataDir(path.join(o.dataDir, 'devices', String(o.index)));
    await dataDir.create();
    const outbox = await Outbox.open(dataDir.outbox, {
      budgetBytes: o.outboxBudgetBytes ?? 50 * 1024 * 1024,
      log: logger,
      now,
    });
    const telemetry = await TelemetryReporter.open({ seqFile: dataDir.telemetrySeq, now });
    const ref: { device?: LightDevice } = {};
    const packages = new DevicePackages({ outbox, credentialsFile: dataDir.credentials, now });
    const drift = new DriftReporter({ now, emit: (d) => packages.enqueue({ drift: d }) });
    // Replayed timings, not this process's: the monitor reports what the recorded device measured.
    const ops = new OperationalMonitor({ windowSize: 64, cpuMicros: () => 0, rssBytes: () => 0 });
    const server: NonNullable<DeviceConfig['server']> = {
      url: o.serverUrl,
      enrolmentToken: o.enrolmentToken,
      syncIntervalSeconds: 3600,
      allowInsecureHttp: true,
    };
    const hardwareId = `fleet-sim-${createHash('sha256').update(path.resolve(o.dataDir)).digest('hex').slice(0, 8)}-${o.index}`;
    const sync = new DeviceSync({
      server,
      dataDir,
      outbox,
      packages,
      hardwareId,
      name: `light-${o.index}-${o.schedule.stream}`,
      logger,
      now,
      fetch: net.fetch,
      status: () => ref.device!.status(),
      drain: () => telemetry.drain(ops.metrics()),
      install: async (dir) => ref.device!.install(dir),
      onInbox: o.onInbox && ((items) => o.onInbox!(ref.device!)(items)),
    });
    ref.device = new LightDevice(o, net, outbox, sync, drift, telemetry, ops, now);
    return ref.device;
  }

  /** The server's id for this device, once it has enrolled. */
  get deviceId(): string | undefined {
    return this.sync.deviceId;
  }

  /**
   * Replays `recording` from the next frame on: what the device's pipeline would output after
   * a change the recording stands for (e.g. a configuration's drift detectors).
   */
  replay(recording: PipelineRecording): void {
    this.#recording = recording;
  }

  /** Replays the next recorded frame; false when `frames` have been replayed. */
  async step(): Promise<boolean> {
    if (this.#processed >= this.o.frames) return false;
    const rec = this.#recording.frames;
    const { frame, result } = rec[(this.o.index * 37 + this.#processed) % rec.length]!;
    this.ops.end(this.ops.begin(), result.timings.totalMs);
    this.telemetry.observe(result, frame);
    await this.drift.observe(result, frame, this.#episodes.of(result));
    this.#inEpisode = result.drift.inEpisode;
    for (const e of result.driftEvents) {
      if (e.phase === 'start') this.episodesStarted++;
      else if (e.phase === 'end') this.episodesEnded++;
    }
    this.#processed++;
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

  /** Stops the sync loop, packages the last telemetry and (with `finalSync`) tries to deliver it. */
  async close(options: { finalSync?: boolean } = {}): Promise<void> {
    await this.#sync.stop();
    await this.sync.stop();
    if (options.finalSync) await this.syncOnce();
    await this.outbox.close();
  }

  /** A model switch as far as a device without a model goes: it reports what it was given. */
  private async install(stagingDir: string): Promise<void> {
    const { loadBundle } = await import('@tinymlops/tinylcm');
    this.bundle = await loadBundle(stagingDir);
    const { id, version } = this.bundle.manifest;
    this.#model = { modelId: id, version };
    this.modelsRun.add(`${id}@${version}`);
    this.#recording = this.o.recordingFor?.(this.#model) ?? this.#recording;
  }

  private status() {
    const m = this.ops.metrics();
    const stats = this.outbox.stats();
    return {
      status: 'ok' as const,
      mode: 'monitoring-only' as const,
      model: this.#model,
      stateVersion: 0,
      uptimeSeconds: Math.max(0, (this.now() - this.#started) / 1000),
      metrics: {
        framesProcessed: this.#processed,
        ...(m.frames ? { inferenceMsP50: m.latencyMs.p50, inferenceMsP95: m.latencyMs.p95 } : {}),
        driftActive: this.#inEpisode,
        outboxBytes: stats.bytes,
        outboxPackages: stats.packages,
        droppedPackages: stats.dropped.packages,
      },
    };
  }

  stats(): SimDeviceStats {
    const out = this.outbox.stats();
    return {
      index: this.o.index,
      name: `light-${this.o.index}`,
      deviceId: this.sync.deviceId,
      scenario: `${this.o.schedule.scenario} (light)`,
      model: `${this.#model.modelId}@${this.#model.version}`,
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
