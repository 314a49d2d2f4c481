import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { enqueueJob } from '../../storage/jobs.js';
import { FIELD_METRICS_JOB } from './field-runs.js';
import { pollSources } from './registry-poller.js';

/** A running schedule; `stop()` clears its timers. */
export interface MlflowSchedule {
  stop(): void;
}

/**
 * Starts the MLflow timers of an API process: polls the sources' aliases every `pollSeconds`
 * (first after one second), and queues a field-metrics round every `fieldMetricsSeconds`. Polling
 * is idempotent, so several API processes may poll; the field-metrics job is queued only when none
 * is waiting, so a round runs once however many processes there are. Timers do not keep the
 * process alive.
 * @example
 * const schedule = startMlflowSchedule(ctx, (msg, err) => log.warn({ err }, msg));
 */
export function startMlflowSchedule(ctx: AppContext, warn: (msg: string, err?: unknown) => void): MlflowSchedule {
  const c = ctx.config.mlflow;
  const timers: NodeJS.Timeout[] = [];
  if (!c) return { stop: () => undefined };
  const poll = () =>
    pollSources(ctx).then(
      (r) => r.errors.forEach((e) => warn(`MLflow poll: ${e}`)),
      (err: unknown) => warn('MLflow poll failed', err),
    );
  if (c.pollSeconds > 0 && c.sources.length > 0) {
    timers.push(setTimeout(poll, 1000), setInterval(poll, c.pollSeconds * 1000));
  }
  if (c.fieldMetricsSeconds > 0) {
    const queue = () => queueFieldMetrics(ctx).catch((err: unknown) => warn('queueing field metrics failed', err));
    timers.push(setInterval(queue, c.fieldMetricsSeconds * 1000));
  }
  for (const t of timers) t.unref();
  return { stop: () => timers.forEach((t) => clearInterval(t)) };
}

/**
 * Queues one field-metrics round unless one is already queued or running (checked under an
 * advisory lock, so concurrent API processes queue it once).
 * @example
 * await queueFieldMetrics(ctx); // true when queued
 */
export async function queueFieldMetrics(ctx: Pick<AppContext, 'db' | 'jobEnqueued'>): Promise<boolean> {
  const queued = await ctx.db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(7362)`.execute(tx);
    const waiting = await tx
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', FIELD_METRICS_JOB)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    if (waiting) return false;
    await enqueueJob(tx, FIELD_METRICS_JOB, {}, 3);
    return true;
  });
  if (queued) ctx.jobEnqueued();
  return queued;
}
