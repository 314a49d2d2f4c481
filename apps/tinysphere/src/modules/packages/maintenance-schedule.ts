import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { pruneArchives, type PruneResult } from './archive-retention.js';
import { sweepUnreferencedBlobs, type SweepResult } from './unreferenced-blobs.js';

/** When the schedule runs and what it keeps; 0 turns a part off. */
export interface MaintenanceConfig {
  /** Time between runs (in every process that runs the schedule; each task runs in one of them). */
  maintenanceIntervalMs: number;
  /** Raw archives of ingested packages are pruned this long after they arrived. */
  archiveRetentionMs: number;
  /** Raw archives of packages that failed for good (garbage) are pruned this long after they arrived. */
  failedRetentionMs: number;
  /** Blobs no row points at are deleted once they are this old (longer than any write in flight). */
  sweepAfterMs: number;
}

/** What one run did; a task is absent when it was off, or another process ran it this interval. */
export interface MaintenanceRun {
  prune?: PruneResult;
  sweep?: SweepResult;
}

/**
 * The server's own schedule for what operators used to run from cron: prune the raw archives of
 * ingested packages past retention and of failed (garbage) packages past theirs, and sweep blobs
 * no row points at. Each task is claimed per interval in `maintenance_runs`, so of several API and
 * worker processes only one runs it. A failed run (database away) is logged and tried again at
 * the next interval; it never stops the process.
 * @example
 * const schedule = new MaintenanceSchedule(ctx, (msg, err) => log.warn({ err }, msg));
 * schedule.start(); … await schedule.stop();
 */
export class MaintenanceSchedule {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<MaintenanceRun> | undefined;

  constructor(
    private readonly ctx: Pick<AppContext, 'db' | 'blobs' | 'now' | 'metrics' | 'config'>,
    private readonly warn: (msg: string, err: unknown) => void,
  ) {}

  /** Runs now and then every interval (no-op when the interval is 0). */
  start(): void {
    const every = this.ctx.config.maintenanceIntervalMs;
    if (every <= 0 || this.timer) return;
    const tick = (delay: number) => {
      this.timer = setTimeout(() => void this.runOnce().finally(() => this.timer && tick(every)), delay);
      this.timer.unref();
    };
    tick(0);
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run of every task that is on and due (`force`: due or not, claimed or not). */
  runOnce(options: { force?: boolean } = {}): Promise<MaintenanceRun> {
    this.running ??= this.run(options.force === true).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(force: boolean): Promise<MaintenanceRun> {
    const c = this.ctx.config;
    const now = this.ctx.now();
    const ago = (ms: number) => (ms > 0 ? new Date(now.getTime() - ms) : null);
    const out: MaintenanceRun = {};
    if (c.archiveRetentionMs > 0 || c.failedRetentionMs > 0) {
      const cut = { ingestedBefore: ago(c.archiveRetentionMs), failedBefore: ago(c.failedRetentionMs) };
      const prune = await this.task('prune-archives', force, () => pruneArchives(this.ctx, cut));
      if (prune) {
        out.prune = prune;
        this.count('failed', prune.failed.packages, prune.failed.bytes);
        this.count('ingested', prune.packages - prune.failed.packages, prune.bytes - prune.failed.bytes);
      }
    }
    const sweepBefore = ago(c.sweepAfterMs);
    if (sweepBefore) {
      const sweep = await this.task('sweep-blobs', force, () => sweepUnreferencedBlobs(this.ctx, sweepBefore));
      if (sweep) out.sweep = sweep;
    }
    return out;
  }

  private async task<T>(name: string, force: boolean, work: () => Promise<T>): Promise<T | undefined> {
    try {
      if (!force && !(await this.claim(name))) return undefined;
      const result = await work();
      this.ctx.metrics.maintenance.inc({ task: name, outcome: 'done' });
      return result;
    } catch (err) {
      this.ctx.metrics.maintenance.inc({ task: name, outcome: 'failed' });
      this.warn(`maintenance: ${name} failed; will try again at the next interval`, err);
      return undefined;
    }
  }

  private count(status: 'ingested' | 'failed', packages: number, bytes: number): void {
    this.ctx.metrics.prunedArchives.inc({ status }, packages);
    this.ctx.metrics.prunedBytes.inc({ status }, bytes);
  }

  /** Claims `task` for this interval; false when another process (or an earlier run) has it. */
  private async claim(task: string): Promise<boolean> {
    const now = this.ctx.now();
    const due = new Date(now.getTime() - this.ctx.config.maintenanceIntervalMs * 0.9);
    const r = await sql<{ task: string }>`
      INSERT INTO maintenance_runs AS m (task, started_at) VALUES (${task}, ${now})
      ON CONFLICT (task) DO UPDATE SET started_at = excluded.started_at WHERE m.started_at <= ${due}
      RETURNING task`.execute(this.ctx.db);
    return r.rows.length > 0;
  }
}
