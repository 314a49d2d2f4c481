import { TinyMLOpsError } from '@tinymlops/contracts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './database.js';

/** A job as a worker sees it after claiming it. */
export interface ClaimedJob {
  readonly id: number;
  readonly kind: string;
  readonly payload: Record<string, unknown>;
  /** Attempts so far, including this one. */
  readonly attempts: number;
  readonly maxAttempts: number;
}

/** Retry policy of the queue. */
export interface RetryPolicy {
  /** Attempts before a job is dead-lettered. */
  maxAttempts: number;
  /** Delay before the 2nd attempt; doubles after each further failure, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A running job whose worker has not finished it within this time is claimed again. */
  leaseMs: number;
}

/**
 * Ten attempts over about four minutes (1, 2, 4 … 32 s, then a minute apart): a blob store or a
 * database away for a few minutes (a restart, a failover) must not dead-letter packages that were
 * accepted. Bad content is dead-lettered at once (a 4xx), so this only delays real faults. A job
 * whose worker died (SIGKILL) is claimed again after a minute; running one twice is harmless.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, backoffMs: 1_000, maxBackoffMs: 60_000, leaseMs: 60_000 };

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Adds a job; call it inside the transaction that writes the rows the job works on, so both
 * commit or neither does.
 * @example
 * await db.transaction().execute(async (tx) => { await insertPackage(tx, p); await enqueueJob(tx, 'ingest-package', { … }); });
 */
export async function enqueueJob(
  db: Executor,
  kind: string,
  payload: Record<string, unknown>,
  maxAttempts = DEFAULT_RETRY.maxAttempts,
): Promise<void> {
  await db
    .insertInto('jobs')
    .values({ kind, payload: JSON.stringify(payload), status: 'queued', max_attempts: maxAttempts, run_at: new Date() })
    .execute();
}

/**
 * Claims up to `limit` due jobs for `workerId`. `FOR UPDATE SKIP LOCKED` lets any number of
 * workers in any number of processes claim concurrently without taking the same job twice.
 */
export async function claimJobs(
  db: Executor,
  workerId: string,
  limit: number,
  leaseMs = DEFAULT_RETRY.leaseMs,
): Promise<ClaimedJob[]> {
  const leaseSeconds = Math.ceil(leaseMs / 1000);
  const r = await sql<{
    id: string | number;
    kind: string;
    payload: Record<string, unknown>;
    attempts: number;
    max_attempts: number;
  }>`
    UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_at = now(), locked_by = ${workerId}
    WHERE id IN (
      SELECT id FROM jobs
      WHERE (status = 'queued' AND run_at <= now())
         OR (status = 'running' AND locked_at < now() - make_interval(secs => ${leaseSeconds}))
      ORDER BY run_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING id, kind, payload, attempts, max_attempts`.execute(db);
  return r.rows.map((j) => ({
    id: Number(j.id),
    kind: j.kind,
    payload: j.payload,
    attempts: j.attempts,
    maxAttempts: j.max_attempts,
  }));
}

/**
 * Marks several jobs done in one statement (one round trip for a whole claimed batch).
 * @example
 * await completeJobs(db, claimed.map((j) => j.id));
 */
export async function completeJobs(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('jobs')
    .set({ status: 'done', finished_at: new Date(), last_error: null })
    .where('id', 'in', ids)
    .execute();
}

/**
 * Whether `err` makes this run of `job` permanent: a 4xx TinyMLOpsError (bad content, which
 * retrying cannot mend) or its last attempt. The one rule for the queue and the handlers that
 * record the failure on their own rows.
 * @example
 * if (failureIsFinal(job, err)) await markPackageFailed(…);
 */
export function failureIsFinal(job: ClaimedJob, err: unknown): boolean {
  return (err instanceof TinyMLOpsError && err.status < 500) || job.attempts >= job.maxAttempts;
}

/**
 * Records a failure: the job is retried after an exponential backoff, or dead-lettered (kept,
 * with its error) once it has used its attempts or when the error is `permanent`.
 * @returns whether the job is now dead.
 */
export async function failJob(
  db: Executor,
  job: ClaimedJob,
  error: string,
  options: { permanent?: boolean; backoffMs?: number; maxBackoffMs?: number } = {},
): Promise<boolean> {
  const dead = options.permanent === true || job.attempts >= job.maxAttempts;
  const base = (options.backoffMs ?? DEFAULT_RETRY.backoffMs) * 2 ** (job.attempts - 1);
  const delay = Math.min(base, options.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs);
  await db
    .updateTable('jobs')
    .set(
      dead
        ? { status: 'dead', last_error: error, finished_at: new Date(), locked_by: null }
        : { status: 'queued', last_error: error, run_at: new Date(Date.now() + delay), locked_by: null },
    )
    .where('id', '=', job.id)
    .execute();
  return dead;
}
