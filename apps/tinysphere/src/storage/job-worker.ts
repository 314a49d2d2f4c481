import { randomUUID } from 'node:crypto';
import { TinyMLOpsError } from '@tinymlops/contracts';
import type { Db } from './database.js';
import { claimJobs, completeJob, DEFAULT_RETRY, failJob, type ClaimedJob, type RetryPolicy } from './jobs.js';

/** Runs one job kind. Throwing a TinyMLOpsError with a 4xx code dead-letters at once (retrying cannot help). */
export type JobHandler = (job: ClaimedJob) => Promise<void>;

/** Options of a worker loop. */
export interface JobWorkerOptions {
  concurrency?: number;
  /** How long to sleep when no job is due. */
  idlePollMs?: number;
  retry?: Partial<RetryPolicy>;
  onError?: (job: ClaimedJob, err: unknown, dead: boolean) => void;
}

/**
 * A loop that claims due jobs and runs their handlers, `concurrency` at a time. Start one per
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
    private readonly handlers: Record<string, JobHandler>,
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
    this.wake();
    await Promise.all(this.loops);
  }

  /** Ends idle waits early: called when this process has just enqueued a job. */
  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Claims and runs one job; resolves false when none was due. Exposed for tests. */
  async runOnce(): Promise<boolean> {
    const [job] = await claimJobs(this.db, this.id, 1, this.retry.leaseMs);
    if (!job) return false;
    const handler = this.handlers[job.kind];
    try {
      if (!handler) throw new TinyMLOpsError('INTERNAL', `no handler for job kind ${job.kind}`);
      await handler(job);
      await completeJob(this.db, job.id);
    } catch (err) {
      const permanent = err instanceof TinyMLOpsError && err.status < 500;
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const dead = await failJob(this.db, job, message, { permanent, backoffMs: this.retry.backoffMs });
      this.options.onError?.(job, err, dead);
    }
    return true;
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
