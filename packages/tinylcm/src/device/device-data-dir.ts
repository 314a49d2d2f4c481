import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { outboxLayout, type OutboxLayout } from '../sync/outbox.js';

/**
 * Every path a device writes, under one data folder (`dataDir` in `device.json`). The device, its
 * `status` command and the tests all take their paths from here, so the layout is written down once.
 *
 * ```
 * credentials.json      device id + token (0600), written after enrolment
 * device-key            the device's secret (0600): re-enrolling the same hardwareId must prove it
 * models/               installed bundles <id>@<version>/ and current.json (the active one)
 * outbox/               packages/ waiting for upload, rejected/, journal.ndjson
 * sync/                 feedback cursor, assignment state, bundle staging, sync-status.json
 * state/                adaptive state snapshots (rollback)
 * adaptation.jsonl      adaptation events; adaptation.sent: how far they were handed to the outbox
 * guard-watch.json      the adaptation guard's watch (autonomous mode)
 * quarantine.jsonl      pending drift samples since the last state snapshot (survive a restart)
 * server-settings.json  the settings document the server sent last (its mode wins over device.json)
 * log/                  the local data log (JSONL segments + sampled frames)
 * telemetry-seq.json    next sequence numbers of metrics, logs and predictions
 * ```
 * @example
 * const dir = new DeviceDataDir('/var/lib/tinylcm');
 * await dir.create();
 * const outbox = await Outbox.open(dir.outbox, { budgetBytes });
 */
export class DeviceDataDir {
  /** Absolute path of the data folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /**
   * The data folder a config names, resolved against the config file's folder.
   * @example
   * DeviceDataDir.of({ dataDir: './tinylcm-data' }, '/etc/tinylcm').root; // '/etc/tinylcm/tinylcm-data'
   */
  static of(config: { dataDir: string }, baseDir: string): DeviceDataDir {
    return new DeviceDataDir(path.resolve(baseDir, config.dataDir));
  }

  /** Creates the data folder (sub-folders are created by the component that owns them). */
  async create(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  /** Device id and token, mode 0600. */
  get credentials(): string {
    return this.#at('credentials.json');
  }

  /** The device's secret key, made at first enrolment; the server binds the hardwareId to it. */
  get deviceKey(): string {
    return this.#at('device-key');
  }

  /** Installed bundles and the `current.json` pointer (see `ModelStore`). */
  get models(): string {
    return this.#at('models');
  }

  /** The outbox folder (see `Outbox`). */
  get outbox(): string {
    return this.#at('outbox');
  }

  /** The outbox's package folder, rejected copies and journal. */
  get outboxParts(): OutboxLayout {
    return outboxLayout(this.outbox);
  }

  /** The sync client's state: feedback cursor, assignment state, staging, sync-status.json. */
  get sync(): string {
    return this.#at('sync');
  }

  /** Adaptive state snapshots (see `StateStore`). */
  get state(): string {
    return this.#at('state');
  }

  /** Adaptation events, one JSON line each (see `AdaptationTracker`). */
  get adaptationLog(): string {
    return this.#at('adaptation.jsonl');
  }

  /** The last adaptation event seq handed to the outbox. */
  get adaptationSent(): string {
    return this.#at('adaptation.sent');
  }

  /** The adaptation guard's watch file (autonomous mode). */
  get guardWatch(): string {
    return this.#at('guard-watch.json');
  }

  /** Pending quarantined samples not yet in a state snapshot (see `PendingJournal`). */
  get pendingSamples(): string {
    return this.#at('quarantine.jsonl');
  }

  /** The server-controlled settings last received (see `ServerSettingsFile`). */
  get serverSettings(): string {
    return this.#at('server-settings.json');
  }

  /** The local data log (see `DataLogger`). */
  get log(): string {
    return this.#at('log');
  }

  /** Next telemetry sequence numbers (see `TelemetryReporter`). */
  get telemetrySeq(): string {
    return this.#at('telemetry-seq.json');
  }

  /** Every top-level path above: nothing else is ever written under {@link root}. */
  paths(): string[] {
    const { credentials, models, outbox, sync, state, adaptationLog, adaptationSent, guardWatch, log } = this;
    return [
      credentials,
      this.deviceKey,
      models,
      outbox,
      sync,
      state,
      adaptationLog,
      adaptationSent,
      guardWatch,
      log,
      this.telemetrySeq,
      this.pendingSamples,
      this.serverSettings,
    ];
  }

  #at(name: string): string {
    return path.join(this.root, name);
  }
}
