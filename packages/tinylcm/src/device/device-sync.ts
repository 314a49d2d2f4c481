import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DeviceConfig } from '@tinymlops/contracts';
import { enrolDevice, loadCredentials, saveCredentials, type DeviceCredentials } from '../sync/device-credentials.js';
import type { FeedbackHandler } from '../sync/feedback-puller.js';
import type { InstallHook } from '../sync/model-updater.js';
import type { Outbox } from '../sync/outbox.js';
import { buildPackage, packageIdFor, type PackageParts } from '../sync/package-builder.js';
import { SyncClient, type DeviceStatusReport, type SyncRound } from '../sync/sync-client.js';
import type { SyncLogger } from '../sync/sync-logger.js';

/** Options of {@link DeviceSync}. */
export interface DeviceSyncOptions {
  server: NonNullable<DeviceConfig['server']>;
  dataDir: string;
  outbox: Outbox;
  hardwareId: string;
  name?: string | undefined;
  status: () => DeviceStatusReport;
  /** Telemetry gathered since the last round, packaged at the start of each round. */
  drain: () => Promise<PackageParts | null>;
  install: (stagingDir: string) => Promise<void>;
  /** Applies validated labels; omit when the mode applies none (then feedback is never pulled). */
  onFeedback?: FeedbackHandler | undefined;
  logger: SyncLogger;
  now: () => number;
  fetch?: typeof fetch;
  /** Most reports held in memory while the device has never reached the server (default 200). */
  maxUnenrolled?: number;
}

/**
 * Enrolment, packaging and the sync loop of one device. Until the device has enrolled (it may boot
 * offline) finished reports wait in memory, bounded, and are packaged once it has an id; after
 * that every report becomes a package in the on-disk outbox at once.
 * @example
 * const sync = new DeviceSync({ server, dataDir, outbox, hardwareId, status, drain, install, logger, now: Date.now });
 * sync.start();
 */
export class DeviceSync {
  #credentials: DeviceCredentials | undefined;
  #client: SyncClient | undefined;
  #waiting: PackageParts[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  #round: Promise<SyncRound | undefined> | undefined;

  constructor(private readonly o: DeviceSyncOptions) {}

  private get credentialsFile(): string {
    return path.join(this.o.dataDir, 'credentials.json');
  }

  /** The device id, once enrolled. */
  get deviceId(): string | undefined {
    return this.#credentials?.deviceId;
  }

  /** Packages `parts` into the outbox now (or holds them until the device has enrolled). */
  async enqueue(parts: PackageParts): Promise<void> {
    const creds = this.#credentials ?? (await this.loadCredentials());
    if (!creds) {
      if (this.#waiting.length >= (this.o.maxUnenrolled ?? 200)) this.#waiting.shift();
      this.#waiting.push(parts);
      return;
    }
    const seq = this.o.outbox.reserveSequence();
    const pkg = await buildPackage({ packageId: packageIdFor(creds.deviceId, seq), deviceId: creds.deviceId, createdAt: new Date(this.o.now()), parts }); // prettier-ignore
    await this.o.outbox.enqueue(pkg);
  }

  /** One round: enrol if needed, package telemetry, then heartbeat/upload/feedback/model. */
  syncOnce(): Promise<SyncRound | undefined> {
    this.#round ??= this.round().finally(() => (this.#round = undefined));
    return this.#round;
  }

  /** Runs rounds every `syncIntervalSeconds` without ever blocking the caller. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = () => {
      this.#timer = setTimeout(() => void this.syncOnce().finally(() => !this.#stopped && tick()), this.o.server.syncIntervalSeconds * 1000); // prettier-ignore
      this.#timer.unref?.();
    };
    void this.syncOnce().finally(() => !this.#stopped && tick());
  }

  /** Stops the loop, packages the last telemetry and waits for a running round. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#round;
    const parts = await this.o.drain();
    if (parts) await this.enqueue(parts);
  }

  private async round(): Promise<SyncRound | undefined> {
    // While the backoff runs (offline), telemetry keeps accumulating instead of becoming one small
    // package per tick: fewer, larger packages cost less CPU and outbox space for the same records.
    if (this.#client && !this.#client.ready) return this.#client.syncOnce();
    const parts = await this.o.drain();
    if (parts) await this.enqueue(parts);
    const client = await this.client();
    if (!client) return undefined;
    const r = await client.syncOnce();
    if (r.authFailed) await this.forgetCredentials();
    return r;
  }

  private async client(): Promise<SyncClient | undefined> {
    if (this.#client) return this.#client;
    const creds = (await this.loadCredentials()) ?? (await this.enrol());
    if (!creds) return undefined;
    for (const parts of this.#waiting.splice(0)) await this.enqueue(parts);
    const install: InstallHook = (dir) => this.o.install(dir);
    this.#client = new SyncClient({ credentials: creds, outbox: this.o.outbox, stateDir: path.join(this.o.dataDir, 'sync'), status: this.o.status, install, ...(this.o.onFeedback ? { onFeedback: this.o.onFeedback } : {}), log: this.o.logger, now: this.o.now, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) }); // prettier-ignore
    return this.#client;
  }

  private async loadCredentials(): Promise<DeviceCredentials | undefined> {
    this.#credentials ??= await loadCredentials(this.credentialsFile);
    return this.#credentials;
  }

  private async enrol(): Promise<DeviceCredentials | undefined> {
    const token = this.o.server.enrolmentToken;
    if (!token) {
      this.o.logger.warn('sync: not enrolled and no enrolmentToken in the config; running offline', {});
      return undefined;
    }
    try {
      const creds = await enrolDevice({ serverUrl: this.o.server.url, keyFile: path.join(this.o.dataDir, 'device-key'), request: { schemaVersion: 1, enrolmentToken: token, hardwareId: this.o.hardwareId, ...(this.o.name ? { name: this.o.name } : {}), platform: { arch: process.arch, os: process.platform, node: process.versions.node, hardware: os.hostname().slice(0, 128) } }, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) }); // prettier-ignore
      await saveCredentials(this.credentialsFile, creds);
      this.#credentials = creds;
      this.o.logger.info('sync: enrolled', { deviceId: creds.deviceId });
      return creds;
    } catch (err) {
      this.o.logger.warn('sync: enrolment failed; will retry next round', { message: (err as Error).message });
      return undefined;
    }
  }

  private async forgetCredentials(): Promise<void> {
    this.o.logger.warn('sync: the server refused the device token; enrolling again next round', {});
    this.#client = undefined;
    this.#credentials = undefined;
    await rm(this.credentialsFile, { force: true });
  }
}
