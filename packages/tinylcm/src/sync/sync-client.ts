import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HeartbeatRequest, HeartbeatResponse } from '@tinymlops/contracts';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { DeviceCredentials } from './device-credentials.js';
import { DeviceApi, type ApiResult } from './device-api.js';
import { FeedbackPuller, type FeedbackHandler, type InboxHandler } from './feedback-puller.js';
import { ModelUpdater, type InstallHook, type ModelUpdaterOptions, type UpdateOutcome } from './model-updater.js';
import type { Outbox } from './outbox.js';
import { uploadPending } from './package-uploader.js';
import { silentLogger, type SyncLogger } from './sync-logger.js';
import { readSyncStatus, writeSyncStatus, type SyncStatus } from './sync-status.js';

/** The device's view of itself for the heartbeat; the outbox fields are filled in by the client. */
export type DeviceStatusReport = Omit<HeartbeatRequest, 'schemaVersion' | 'sentAt'>;

/** Options of {@link SyncClient}. */
export interface SyncClientOptions {
  credentials: Pick<DeviceCredentials, 'serverUrl' | 'deviceToken' | 'heartbeatIntervalSeconds'>;
  outbox: Outbox;
  /** Holds the feedback cursor, the assignment state and the bundle staging folder. */
  stateDir: string;
  status: () => DeviceStatusReport;
  /** Applies validated labels (omit to never pull feedback, e.g. in monitoring-only mode). */
  onFeedback?: FeedbackHandler;
  /**
   * Applies the v2 inbox (labels with features, reverts, relabels, settings) and says what it did
   * with each item; replaces `onFeedback`. The inbox is also pulled on the first round (and after
   * `checkInbox()`) even when the heartbeat says nothing waits: the server hands a device the
   * labels shared while it ran another model when it asks.
   */
  onInbox?: InboxHandler;
  /** Installs a verified bundle (omit to never poll model assignments). */
  install?: InstallHook;
  /** Bundle signatures and install reports: see `ModelUpdaterOptions`. */
  models?: Pick<ModelUpdaterOptions, 'trustedKeys' | 'onReport' | 'retry'>;
  /** Time between rounds; defaults to the server's heartbeat interval. */
  intervalMs?: number;
  backoff?: BackoffOptions;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** See `DeviceApiOptions.minBytesPerSecond`. */
  minBytesPerSecond?: number;
  now?: () => number;
  log?: SyncLogger;
}

/** What one round did. */
export interface SyncRound {
  /** False when the round was skipped because the backoff delay has not passed. */
  ran: boolean;
  heartbeat?: HeartbeatResponse;
  uploaded: string[];
  rejected: string[];
  feedbackApplied: number;
  model?: UpdateOutcome;
  /** Why the round stopped early (it will be retried after the backoff delay). */
  error?: string;
  /** The server refused the device token (401/403): the device should enrol again. */
  authFailed?: boolean;
}

/**
 * Opportunistic sync with TinySphere: heartbeat, upload the outbox, pull feedback, poll the model
 * assignment. Runs beside inference and never blocks it: `start()` returns at once, rounds never
 * overlap, and every error is contained, logged and retried with jittered backoff.
 * @example
 * const client = new SyncClient({ credentials, outbox, stateDir, status: () => app.status(),
 *   onFeedback: (items) => app.applyFeedback(items), install: (dir) => app.switchModel(dir) });
 * client.start();
 * // … on shutdown:
 * await client.stop();
 */
export class SyncClient {
  readonly api: DeviceApi;
  private readonly backoff: Backoff;
  private readonly feedback: FeedbackPuller | undefined;
  private readonly updater: ModelUpdater | undefined;
  private readonly log: SyncLogger;
  private intervalMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private round: Promise<SyncRound> | undefined;
  private stopped = true;
  private status: SyncStatus | undefined;
  private stateDirReady = false;
  /** A v2 device asks for its inbox once after starting (see `onInbox`). */
  private inboxCheck = true;

  constructor(private readonly options: SyncClientOptions) {
    const { credentials, stateDir } = options;
    this.log = options.log ?? silentLogger;
    const now = options.now ?? Date.now;
    this.api = new DeviceApi({
      serverUrl: credentials.serverUrl,
      deviceToken: credentials.deviceToken,
      now,
      ...opt('fetch', options.fetch),
      ...opt('timeoutMs', options.timeoutMs),
      ...opt('minBytesPerSecond', options.minBytesPerSecond),
    });
    this.backoff = new Backoff({ now, ...options.backoff });
    this.intervalMs = options.intervalMs ?? credentials.heartbeatIntervalSeconds * 1000;
    const common = { api: this.api, log: this.log };
    const path = join(stateDir, 'feedback-cursor.json');
    if (options.onInbox) this.feedback = new FeedbackPuller({ ...common, path, applyInbox: options.onInbox });
    else if (options.onFeedback) this.feedback = new FeedbackPuller({ ...common, path, apply: options.onFeedback });
    if (options.install)
      this.updater = new ModelUpdater({
        ...common,
        dir: stateDir,
        install: options.install,
        ...options.models,
        now,
        current: () => options.status().model,
      });
  }

  /** Pull the inbox on the next round even if the heartbeat says nothing waits (after a model switch). */
  checkInbox(): void {
    this.inboxCheck = this.feedback?.v2 === true;
  }

  /** False while a backoff delay runs: a round started now would be skipped. */
  get ready(): boolean {
    return this.backoff.ready();
  }

  /** Runs one round now (or reports it skipped during a backoff). Never throws; never overlaps another round. */
  syncOnce(): Promise<SyncRound> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  /** Starts rounds every interval (longer during backoff). Returns immediately. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops scheduling and waits for a running round to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.syncOnce().then(() => {
        if (!this.stopped) this.schedule(Math.max(this.intervalMs, this.backoff.remainingMs));
      });
    }, delayMs);
    this.timer.unref?.(); // a pending sync must never keep the device process alive
  }

  private async runRound(): Promise<SyncRound> {
    const round: SyncRound = { ran: false, uploaded: [], rejected: [], feedbackApplied: 0 };
    if (!this.backoff.ready()) return round;
    round.ran = true;
    try {
      if (!this.stateDirReady) await mkdir(this.options.stateDir, { recursive: true });
      this.stateDirReady = true;
      const failure = await this.steps(round);
      if (failure) this.fail(round, failure);
      else this.backoff.succeeded();
    } catch (err) {
      this.fail(round, { ok: false, kind: 'retry', message: (err as Error).message });
    }
    await this.saveStatus(round);
    return round;
  }

  private async saveStatus(round: SyncRound): Promise<void> {
    const at = new Date((this.options.now ?? Date.now)()).toISOString();
    const previous = this.status ?? (await readSyncStatus(this.options.stateDir));
    const stats = this.options.outbox.stats();
    this.status = {
      schemaVersion: 1,
      lastRoundAt: at,
      ...(round.error ? opt('lastSuccessAt', previous?.lastSuccessAt) : { lastSuccessAt: at }),
      ...opt('lastError', round.error),
      consecutiveFailures: round.error ? (previous?.consecutiveFailures ?? 0) + 1 : 0,
      outbox: { bytes: stats.bytes, packages: stats.packages, droppedPackages: stats.dropped.packages },
    };
    // A full disk must not turn into a failed round: the status file is informative only.
    await writeSyncStatus(this.options.stateDir, this.status).catch((err: Error) =>
      this.log.warn('sync: cannot save sync status', { message: err.message }),
    );
  }

  /** The round's steps in order; returns the failure that ended it early, if any. */
  private async steps(round: SyncRound): Promise<Extract<ApiResult<never>, { ok: false }> | undefined> {
    const hb = await this.api.heartbeat(this.heartbeatRequest());
    if (!hb.ok && hb.kind !== 'permanent') return hb;
    if (hb.ok) {
      round.heartbeat = hb.value;
      if (this.options.intervalMs === undefined) this.intervalMs = hb.value.nextHeartbeatSeconds * 1000;
    } else this.log.warn('sync: heartbeat refused', { status: hb.status, message: hb.message });
    const up = await uploadPending(this.options.outbox, this.api, this.log);
    round.uploaded = up.acked;
    round.rejected = up.rejected;
    if (up.failure) return up.failure;
    if (this.feedback && (await this.feedbackWaits(round.heartbeat))) {
      const r = await this.feedback.pull();
      if (!r.ok) return r;
      round.feedbackApplied = r.value;
      this.inboxCheck = false;
    }
    if (this.updater && (await this.assignmentChanged(round.heartbeat))) {
      const r = await this.updater.poll();
      if (!r.ok) return r;
      round.model = r.value;
    }
    return undefined;
  }

  private async feedbackWaits(hb: HeartbeatResponse | undefined): Promise<boolean> {
    const cursor = await this.feedback?.state();
    if (this.inboxCheck && this.feedback?.v2) return true;
    return !hb || hb.feedbackPending > 0 || (cursor !== undefined && cursor.acked < cursor.applied);
  }

  private async assignmentChanged(hb: HeartbeatResponse | undefined): Promise<boolean> {
    return !hb || hb.assignmentEtag !== ((await this.updater?.etag()) ?? null);
  }

  private fail(round: SyncRound, failure: Extract<ApiResult<never>, { ok: false }>): void {
    const delay = this.backoff.failed(failure.retryAfterMs);
    round.error = failure.message;
    if (failure.kind === 'auth') round.authFailed = true;
    this.log.warn('sync: round failed, backing off', {
      message: failure.message,
      status: failure.status,
      kind: failure.kind,
      delayMs: delay,
    });
  }

  private heartbeatRequest(): HeartbeatRequest {
    const status = this.options.status();
    const stats = this.options.outbox.stats();
    const metrics = {
      ...status.metrics,
      outboxBytes: stats.bytes,
      outboxPackages: stats.packages,
      droppedPackages: stats.dropped.packages,
    };
    return { schemaVersion: 1, sentAt: new Date((this.options.now ?? Date.now)()).toISOString(), ...status, metrics };
  }
}

/** `{ key: value }` when value is defined, `{}` otherwise (exactOptionalPropertyTypes forbids `key: undefined`). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
