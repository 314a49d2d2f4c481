import { randomUUID } from 'node:crypto';
import { TinyMLOpsError } from '@tinymlops/contracts';
import type { Db } from './database.js';
import {
  claimJobs,
  completeJobs,
  DEFAULT_RETRY,
  failJob,
  failureIsFinal,
  type ClaimedJob,
  type RetryPolicy,
} from './jobs.js';

/** Runs one job kind. Throwing a TinyMLOpsError with a 4xx code dead-letters at once (retrying cannot help). */
export type JobHandler = (job: ClaimedJob) => Promise<void>;

/**
 * Runs up to `maxBatch` claimed jobs of one kind together, so they share round trips and
 * durable writes. Resolves with the error of each job that failed, by job id; every other job
 * of the batch succeeded. One job's failure must not fail the others.
 * @example
 * const h: BatchJobHandler = { maxBatch: 8, batch: async (jobs) => new Map() };
 */
export interface BatchJobHandler {
  readonly maxBatch: number;
  batch(jobs: readonly ClaimedJob[]): Promise<Map<number, unknown>>;
}

/** Options of a worker loop. */
export interface JobWorkerOptions {
  concurrency?: number;
  /** How long to sleep when no job is due. */
  idlePollMs?: number;
  retry?: Partial<RetryPolicy>;
  onError?: (job: ClaimedJob, err: unknown, dead: boolean) => void;
  /** Jobs claimed per round trip; default: the largest `maxBatch` of the batch handlers, else 1. */
  batchSize?: number;
}

/**
 * A loop that claims due jobs and runs their handlers, `concurrency` loops at a time, each
 * claiming a batch (see BatchJobHandler) and completing its successful jobs in one statement. Start one per
 * process (API processes by default, or `tinysphere worker`); all of them share one queue.
 * @example
 * const worker = new JobWorker(db, { 'ingest-package': ingest }, { concurrency: 2 });
 * worker.start(); // … await worker.stop();
 */
export class JobWorker {
  readonly id = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly retry: RetryPolicy;

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, JobHandler | BatchJobHandler>,
    private readonly options: JobWorkerOptions = {},
  ) {
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const n = this.options.concurrency ?? 2;
    this.loops = Array.from({ length: n }, () => this.loop());
  }

  /** Ends the loops after their current job. */
  async stop(): Promise<void> {
    this.running = false;
    for (const w of [...this.waiters]) w();
    await Promise.all(this.loops);
  }

  /**
   * Ends one idle wait early: called when this process has just enqueued jobs. One loop, not
   * all: the others would only race it for the same jobs and claim nothing (a wasted round
   * trip each). A loop that claimed a full batch claims again at once.
   */
  wake(): void {
    const [first] = this.waiters;
    first?.();
  }

  /** Claims and runs one batch of due jobs; resolves false when none was due. Exposed for tests. */
  async runOnce(): Promise<boolean> {
    const jobs = await claimJobs(this.db, this.id, this.batchSize(), this.retry.leaseMs);
    if (jobs.length === 0) return false;
    const failures = new Map<number, unknown>();
    for (const kind of new Set(jobs.map((j) => j.kind))) {
      const failed = await this.runKind(
        kind,
        jobs.filter((j) => j.kind === kind),
      );
      for (const [id, err] of failed) failures.set(id, err);
    }
    await completeJobs(
      this.db,
      jobs.filter((j) => !failures.has(j.id)).map((j) => j.id),
    );
    for (const job of jobs) if (failures.has(job.id)) await this.fail(job, failures.get(job.id));
    return true;
  }

  private batchSize(): number {
    const batches = Object.values(this.handlers).map((h) => (typeof h === 'function' ? 1 : h.maxBatch));
    return this.options.batchSize ?? Math.max(1, ...batches);
  }

  /** Runs the jobs of one kind; resolves with the failures by job id. */
  private async runKind(kind: string, jobs: ClaimedJob[]): Promise<Map<number, unknown>> {
    const handler = this.handlers[kind];
    const failures = new Map<number, unknown>();
    if (handler && typeof handler !== 'function') {
      try {
        return await handler.batch(jobs);
      } catch (err) {
        for (const job of jobs) failures.set(job.id, err);
        return failures;
      }
    }
    for (const job of jobs) {
      try {
        if (!handler) throw new TinyMLOpsError('INTERNAL', `no handler for job kind ${job.kind}`);
        await handler(job);
      } catch (err) {
        failures.set(job.id, err);
      }
    }
    return failures;
  }

  private async fail(job: ClaimedJob, err: unknown): Promise<void> {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const permanent = failureIsFinal(job, err);
    const dead = await failJob(this.db, job, message, {
      permanent,
      backoffMs: this.retry.backoffMs,
      maxBackoffMs: this.retry.maxBackoffMs,
    });
    this.options.onError?.(job, err, dead);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (err) {
        // The database is away; wait and try again rather than crash the process.
        this.options.onError?.({ id: -1, kind: 'claim', payload: {}, attempts: 0, maxAttempts: 0 }, err, false);
      }
      if (!worked && this.running) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.options.idlePollMs ?? 200);
      this.waiters.add(done);
    });
  }
}
