import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InstallReport, ModelRef, type ModelAssignment } from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-write.js';
import { downloadBundle } from './bundle-download.js';
import type { PublicKeyInput } from '../bundle/bundle-signature.js';
import type { ApiResult, DeviceApi } from './device-api.js';
import type { SyncLogger } from './sync-logger.js';

/**
 * Installs a verified bundle from `stagingDir`: load it, switch to it atomically, and roll back
 * (then reject) if it fails to load or run. Implemented by the device app.
 */
export type InstallHook = (stagingDir: string, assignment: ModelAssignment) => Promise<void>;

/** The last failed install of `handled`: retried when assigned again (a new ETag), not before `retryAt`. */
const InstallFailure = z.strictObject({
  /** The ETag of the assignment whose install failed. */
  etag: z.string().optional(),
  /** Failed attempts at this version in a row. */
  attempts: z.number().int().positive(),
  /** Ms since the epoch: a re-assignment before then waits. */
  retryAt: z.number(),
});

/** The local assignment state file (not a wire shape). */
const UpdaterState = z.strictObject({
  schemaVersion: z.literal(1),
  etag: z.string().optional(),
  /** The last assignment acted on (installed or given up on), so it is not downloaded again. */
  handled: ModelRef.optional(),
  /** Set when the install of `handled` failed. */
  failure: InstallFailure.optional(),
  /** A report not yet delivered; sent before anything else on the next poll. */
  pendingReport: InstallReport.optional(),
});
type UpdaterState = z.infer<typeof UpdaterState>;

/** Options of {@link ModelUpdater}. */
export interface ModelUpdaterOptions {
  api: DeviceApi;
  /** Holds `assignment.json` and `staging/`. */
  dir: string;
  install: InstallHook;
  log: SyncLogger;
  /** The model the device runs now, so an assignment of that same version is not reinstalled. */
  current?: () => ModelRef | null;
  /**
   * Wait before retrying a version whose install failed, once it is assigned again: `baseMs`
   * (default 60 s) doubling per failed attempt up to `maxMs` (default 6 h), times a random factor
   * in [0.5, 1) so a fleet re-assigned at once does not download at once.
   */
  retry?: { baseMs?: number; maxMs?: number; random?: () => number };
  /** Keys the device's config trusts; see `BundleDownloadOptions.trustedKeys`. */
  trustedKeys?: Readonly<Record<string, PublicKeyInput>>;
  /** Sees every install report as it is made (the device logs refusals to its telemetry). */
  onReport?: (report: InstallReport) => void;
  now?: () => number;
}

/** What a poll ended in (`deferred`: a failed version was assigned again, its retry delay runs). */
export type UpdateOutcome = 'unchanged' | 'none' | 'current' | 'installed' | 'failed' | 'rolled-back' | 'deferred';

/**
 * Polls the model assignment with its ETag; on a new version: download → verify → install hook →
 * report. A version that failed (verification or install) is not fetched again for the same
 * assignment; when it is assigned again (a new ETag) it is retried, after a delay that doubles
 * with each failed attempt. Network failures are retried on the next poll.
 * @example
 * const updater = new ModelUpdater({ api, dir: stateDir, log, install: (dir) => app.switchModel(dir) });
 * await updater.poll();
 */
export class ModelUpdater {
  private state: UpdaterState | undefined;

  constructor(private readonly options: ModelUpdaterOptions) {}

  /** The ETag of the assignment last handled, or undefined. */
  async etag(): Promise<string | undefined> {
    return (await this.load()).etag;
  }

  /** One poll (and install, when a new version is assigned). */
  async poll(): Promise<ApiResult<UpdateOutcome>> {
    const sent = await this.flushReport();
    if (!sent.ok) return sent;
    const r = await this.options.api.assignment((await this.load()).etag);
    if (!r.ok) return r;
    if (r.value.state === 'none') {
      // Forget the old ETag, so it matches the heartbeat's `assignmentEtag: null` and polling stops.
      const { etag: _old, ...rest } = await this.load();
      await this.save(rest);
    }
    if (r.value.state !== 'assigned') return { ok: true, status: r.status, value: r.value.state };
    const { assignment, etag } = r.value;
    const ref = { modelId: assignment.modelId, version: assignment.version };
    // Skip what the device already tried (a broken bundle is not fetched again and again; a new
    // assignment, with a new ETag, is, once its retry delay has passed) and what it already runs.
    const state = await this.load();
    const same = (m: ModelRef | null | undefined) => m?.modelId === ref.modelId && m.version === ref.version;
    const failure = same(state.handled) ? state.failure : undefined;
    if (failure && failure.etag !== etag && this.now() < failure.retryAt) {
      // The etag is not saved: the next heartbeat still differs, so the next round asks again.
      return { ok: true, status: 200, value: 'deferred' };
    }
    if (same(state.handled) && (!failure || failure.etag === etag)) {
      await this.save({ ...state, ...(etag ? { etag } : {}) });
      return { ok: true, status: 200, value: 'current' };
    }
    if (same(this.options.current?.())) {
      // Already running it (shipped with the device, or installed just before a crash): say so once.
      await this.save({
        ...state,
        ...(etag ? { etag } : {}),
        handled: ref,
        pendingReport: this.report(assignment, 'installed'),
      });
      const sent = await this.flushReport();
      return sent.ok ? { ok: true, status: 200, value: 'current' } : sent;
    }
    return this.install(assignment, etag);
  }

  private report(assignment: ModelAssignment, status: InstallReport['status'], message?: string): InstallReport {
    return {
      schemaVersion: 1,
      modelId: assignment.modelId,
      version: assignment.version,
      status,
      ...(message ? { message: message.slice(0, 2048) } : {}),
      at: new Date(this.now()).toISOString(),
    };
  }

  private async install(assignment: ModelAssignment, etag: string | undefined): Promise<ApiResult<UpdateOutcome>> {
    const staging = join(this.options.dir, 'staging');
    const { trustedKeys } = this.options;
    const download = await downloadBundle(this.options.api, assignment, staging, trustedKeys ? { trustedKeys } : {});
    if (!download.ok && download.kind === 'retry') return { ok: false, kind: 'retry', message: download.message };
    let status: 'installed' | 'failed' | 'rolled-back' = 'failed';
    let message = download.ok ? undefined : download.message;
    if (download.ok) {
      try {
        await this.options.install(download.dir, assignment);
        status = 'installed';
      } catch (err) {
        status = 'rolled-back';
        message = `install failed: ${(err as Error).message}`;
      }
    }
    if (message) this.options.log.warn('sync: model update not installed', { ...assignment, status, message });
    await rm(staging, { recursive: true, force: true });
    const handled = { modelId: assignment.modelId, version: assignment.version };
    const pendingReport = this.report(assignment, status, message);
    this.options.onReport?.(pendingReport);
    const failure = status === 'installed' ? {} : { failure: await this.nextFailure(handled, etag) };
    await this.save({ schemaVersion: 1, ...(etag ? { etag } : {}), handled, ...failure, pendingReport });
    const sent = await this.flushReport();
    return sent.ok ? { ok: true, status: 200, value: status } : sent;
  }

  /** The failure record after one more failed attempt at `ref`, with its retry delay. */
  private async nextFailure(ref: ModelRef, etag: string | undefined): Promise<z.infer<typeof InstallFailure>> {
    const state = await this.load();
    const sameVersion = state.handled?.modelId === ref.modelId && state.handled.version === ref.version;
    const attempts = (sameVersion ? (state.failure?.attempts ?? 0) : 0) + 1;
    const { baseMs = 60_000, maxMs = 6 * 3_600_000, random = Math.random } = this.options.retry ?? {};
    const delay = Math.min(maxMs, baseMs * 2 ** (attempts - 1)) * (0.5 + random() / 2);
    const context = { ...ref, attempts, retryInMs: Math.round(delay) };
    this.options.log.warn('sync: a failed version is retried when it is assigned again', context);
    return { ...(etag ? { etag } : {}), attempts, retryAt: this.now() + delay };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async flushReport(): Promise<ApiResult<void>> {
    const state = await this.load();
    if (!state.pendingReport) return { ok: true, status: 200, value: undefined };
    const r = await this.options.api.report(state.pendingReport);
    if (r.ok || r.kind === 'permanent') {
      if (!r.ok) this.options.log.warn('sync: install report refused', { message: r.message });
      const { pendingReport: _sent, ...rest } = state;
      await this.save(rest);
      return { ok: true, status: 200, value: undefined };
    }
    return r;
  }

  private async load(): Promise<UpdaterState> {
    if (this.state) return this.state;
    const text = await readFile(join(this.options.dir, 'assignment.json'), 'utf8').catch(() => undefined);
    const parsed = UpdaterState.safeParse(text === undefined ? undefined : safeJson(text));
    if (text !== undefined && !parsed.success)
      this.options.log.warn('sync: assignment state unreadable, starting fresh');
    this.state = parsed.success ? parsed.data : { schemaVersion: 1 };
    return this.state;
  }

  private async save(state: UpdaterState): Promise<void> {
    this.state = state;
    await mkdir(this.options.dir, { recursive: true });
    await writeFileAtomic(join(this.options.dir, 'assignment.json'), `${JSON.stringify(state)}\n`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
