import { rm } from 'node:fs/promises';
import os from 'node:os';
import type { DeviceConfig, EnrolmentRequest } from '@tinymlops/contracts';
import { enrolDevice, saveCredentials, type DeviceCredentials } from '../sync/device-credentials.js';
import type { FeedbackHandler, InboxHandler } from '../sync/feedback-puller.js';
import type { InstallHook } from '../sync/model-updater.js';
import type { Outbox } from '../sync/outbox.js';
import type { PackageParts } from '../sync/package-builder.js';
import { SyncClient, type DeviceStatusReport, type SyncClientOptions, type SyncRound } from '../sync/sync-client.js';
import type { SyncLogger } from '../sync/sync-logger.js';
import type { DeviceDataDir } from './device-data-dir.js';
import type { DevicePackages } from './device-packages.js';

/** Options of {@link DeviceSync}. */
export interface DeviceSyncOptions {
  server: NonNullable<DeviceConfig['server']>;
  dataDir: DeviceDataDir;
  outbox: Outbox;
  /** Where reports become packages; told when the device enrols or loses its credentials. */
  packages: DevicePackages;
  hardwareId: string;
  name?: string | undefined;
  status: () => DeviceStatusReport;
  /** Telemetry gathered since the last round, packaged at the start of each round. */
  drain: () => Promise<PackageParts | null>;
  install: InstallHook;
  /** Bundle signature keys and install reports (see `SyncClientOptions.models`). */
  models?: SyncClientOptions['models'];
  /** Applies validated labels; omit when the mode applies none (then feedback is never pulled). */
  onFeedback?: FeedbackHandler | undefined;
  /** Applies the v2 inbox (labels with features, reverts, relabels, settings); replaces `onFeedback`. */
  onInbox?: InboxHandler | undefined;
  logger: SyncLogger;
  now: () => number;
  fetch?: typeof fetch | undefined;
  /** While the server is unreachable, package telemetry at most this often (default 600 s). */
  offlinePackageSeconds?: number;
}

/**
 * Enrolment and the sync loop of one device: every `syncIntervalSeconds` a round packages the
 * telemetry, then heartbeat, upload, feedback and model assignment (see `SyncClient`). Rounds
 * never overlap and never block the frame path.
 * @example
 * const sync = new DeviceSync({ server, dataDir, outbox, packages, hardwareId, status, drain, install, logger, now });
 * sync.start();
 */
export class DeviceSync {
  #client: SyncClient | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  #round: Promise<SyncRound | undefined> | undefined;
  /** The last round failed: telemetry is packaged every `offlinePackageSeconds`, not every round. */
  #offline = false;
  #packagedAt = Number.NEGATIVE_INFINITY;

  #intervalSeconds: number;

  constructor(private readonly o: DeviceSyncOptions) {
    this.#intervalSeconds = o.server.syncIntervalSeconds;
  }

  /** The device id, once enrolled. */
  get deviceId(): string | undefined {
    return this.o.packages.deviceId;
  }

  /** Pull the inbox on the next round even if nothing is pending (after a model switch). */
  checkInbox(): void {
    this.#client?.checkInbox();
  }

  /** Packages `parts` into the outbox (see `DevicePackages.enqueue`). */
  enqueue(parts: PackageParts): Promise<void> {
    return this.o.packages.enqueue(parts);
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
    void this.syncOnce().finally(() => this.#next());
  }

  /**
   * Stops the loop, packages the last telemetry and waits for a running round. A round stuck on
   * the network is not waited for longer than `waitMs` (the outbox keeps what it has).
   */
  async stop(waitMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await within(this.#round, waitMs);
    const parts = await this.o.drain();
    if (parts) await this.enqueue(parts);
  }

  /**
   * Changes the time between rounds from now on (a configuration from the server); true when it
   * changed. A round waiting on the old interval is rescheduled on the new one.
   */
  setSyncInterval(seconds: number): boolean {
    if (seconds === this.#intervalSeconds) return false;
    this.#intervalSeconds = seconds;
    if (this.#timer && !this.#stopped && !this.#round) {
      clearTimeout(this.#timer);
      this.#next();
    }
    return true;
  }

  /** The time between rounds in force. */
  get syncIntervalSeconds(): number {
    return this.#intervalSeconds;
  }

  #next(): void {
    if (this.#stopped) return;
    const delay = this.#intervalSeconds * 1000;
    this.#timer = setTimeout(() => void this.syncOnce().finally(() => this.#next()), delay);
    this.#timer.unref?.();
  }

  private async round(): Promise<SyncRound | undefined> {
    // While offline, telemetry keeps accumulating instead of becoming one small package per round:
    // fewer, larger packages cost less CPU and outbox space for the same records. Drift reports
    // are packaged at once either way (they do not wait for a round).
    if (this.#client && !this.#client.ready) return this.#client.syncOnce();
    const now = this.o.now();
    if (!this.#offline || now - this.#packagedAt >= (this.o.offlinePackageSeconds ?? 600) * 1000) {
      this.#packagedAt = now;
      const parts = await this.o.drain();
      if (parts) await this.enqueue(parts);
    }
    const client = await this.client();
    if (!client) return undefined;
    const r = await client.syncOnce();
    this.#offline = r.error !== undefined;
    if (r.authFailed) await this.forgetCredentials();
    return r;
  }

  private async client(): Promise<SyncClient | undefined> {
    if (this.#client) return this.#client;
    const creds = (await this.o.packages.credentials()) ?? (await this.enrol());
    if (!creds) return undefined;
    await this.o.packages.enrolled(creds);
    const { outbox, status, install, models, onFeedback, onInbox, logger, now, fetch } = this.o;
    this.#client = new SyncClient({
      credentials: creds,
      outbox,
      stateDir: this.o.dataDir.sync,
      status,
      install,
      ...(models ? { models } : {}),
      ...(onInbox ? { onInbox } : onFeedback ? { onFeedback } : {}),
      log: logger,
      now,
      ...(fetch ? { fetch } : {}),
    });
    return this.#client;
  }

  private async enrol(): Promise<DeviceCredentials | undefined> {
    const { server, logger, fetch } = this.o;
    if (!server.enrolmentToken) {
      logger.warn('sync: not enrolled and no enrolmentToken in the config; running offline', {});
      return undefined;
    }
    try {
      const request = this.enrolmentRequest(server.enrolmentToken);
      const keyFile = this.o.dataDir.deviceKey;
      const creds = await enrolDevice({ serverUrl: server.url, keyFile, request, ...(fetch ? { fetch } : {}) });
      await saveCredentials(this.o.dataDir.credentials, creds);
      logger.info('sync: enrolled', { deviceId: creds.deviceId });
      return creds;
    } catch (err) {
      logger.warn('sync: enrolment failed; will retry next round', { message: (err as Error).message });
      return undefined;
    }
  }

  private enrolmentRequest(enrolmentToken: string): EnrolmentRequest {
    const platform = {
      arch: process.arch,
      os: process.platform,
      node: process.versions.node,
      hardware: os.hostname().slice(0, 128),
    };
    const name = this.o.name ? { name: this.o.name } : {};
    return { schemaVersion: 1, enrolmentToken, hardwareId: this.o.hardwareId, ...name, platform };
  }

  private async forgetCredentials(): Promise<void> {
    this.o.logger.warn('sync: the server refused the device token; enrolling again next round', {});
    this.#client = undefined;
    this.o.packages.forget();
    await rm(this.o.dataDir.credentials, { force: true });
  }
}

/** Waits for `p`, but no longer than `ms`. */
async function within(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  if (!Number.isFinite(ms)) return void (await p);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([p, late]).finally(() => clearTimeout(timer));
}
