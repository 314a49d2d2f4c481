import { TinyMLOpsError } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../testing/database-engines.js';
import type { OpenDatabase } from './open-database.js';
import { JobWorker, type BatchJobHandler } from './job-worker.js';
import { claimJobs, enqueueJob } from './jobs.js';

describe.each(databaseEngines())('jobs on $name', (engine) => {
  let d: OpenDatabase;
  beforeAll(async () => {
    d = await engine.open();
  });
  afterAll(() => d.close());

  it('two claimers never take the same job (SKIP LOCKED)', async () => {
    for (let i = 0; i < 20; i++) await enqueueJob(d.db, 'noop', { i });
    const [a, b] = await Promise.all([claimJobs(d.db, 'a', 15), claimJobs(d.db, 'b', 15)]);
    const ids = [...a, ...b].map((j) => j.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    await d.db.updateTable('jobs').set({ status: 'done' }).execute();
  });

  it('batch workers running at once never hand the same job to two batches', async () => {
    for (let i = 0; i < 40; i++) await enqueueJob(d.db, 'batched', { i });
    const seen: number[] = [];
    const handler: BatchJobHandler = {
      maxBatch: 8,
      batch: async (jobs) => {
        seen.push(...jobs.map((j) => j.payload['i'] as number));
        return new Map();
      },
    };
    const workers = [0, 1, 2].map(() => new JobWorker(d.db, { batched: handler }));
    await Promise.all(
      workers.map(async (w) => {
        while (await w.runOnce());
      }),
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const left = await d.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', 'batched')
      .where('status', '!=', 'done')
      .execute();
    expect(left).toEqual([]);
  });

  it('a batch completes its good jobs and fails only the ones its handler reports (or all, if it throws)', async () => {
    for (let i = 0; i < 3; i++) await enqueueJob(d.db, 'mixed', { i });
    const w = new JobWorker(
      d.db,
      {
        mixed: {
          maxBatch: 8,
          batch: async (jobs) =>
            new Map(
              jobs
                .filter((j) => j.payload['i'] === 1)
                .map((j) => [j.id, new TinyMLOpsError('INVALID_ARCHIVE', 'bad one')]),
            ),
        },
      },
      { retry: { backoffMs: 0 } },
    );
    expect(await w.runOnce()).toBe(true);
    const rows = await d.db
      .selectFrom('jobs')
      .select(['payload', 'status'])
      .where('kind', '=', 'mixed')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'dead', 'done']);
    await enqueueJob(d.db, 'throwing', {});
    const t = new JobWorker(
      d.db,
      { throwing: { maxBatch: 4, batch: async () => Promise.reject(new Error('database away')) } },
      { retry: { backoffMs: 60_000 } },
    );
    expect(await t.runOnce()).toBe(true);
    const thrown = await d.db.selectFrom('jobs').selectAll().where('kind', '=', 'throwing').executeTakeFirstOrThrow();
    expect(thrown).toMatchObject({ status: 'queued', attempts: 1, last_error: 'Error: database away' });
  });

  it('retries with backoff, then dead-letters keeping the error', async () => {
    await enqueueJob(d.db, 'flaky', {}, 2);
    let calls = 0;
    const failing = new JobWorker(
      d.db,
      { flaky: async () => Promise.reject(new Error(`boom ${++calls}`)) },
      { retry: { backoffMs: 0 } },
    );
    expect(await failing.runOnce()).toBe(true);
    const after1 = await d.db.selectFrom('jobs').selectAll().where('kind', '=', 'flaky').executeTakeFirstOrThrow();
    expect(after1).toMatchObject({ status: 'queued', attempts: 1, last_error: 'Error: boom 1' });
    expect(await failing.runOnce()).toBe(true);
    const after2 = await d.db.selectFrom('jobs').selectAll().where('kind', '=', 'flaky').executeTakeFirstOrThrow();
    expect(after2).toMatchObject({ status: 'dead', attempts: 2, last_error: 'Error: boom 2' });
    expect(await failing.runOnce()).toBe(false);
  });

  it('dead-letters at once on a permanent (4xx) error and completes successful jobs', async () => {
    await enqueueJob(d.db, 'bad', {});
    await enqueueJob(d.db, 'good', {});
    const seen: string[] = [];
    const w = new JobWorker(d.db, {
      bad: async () => Promise.reject(new TinyMLOpsError('INVALID_ARCHIVE', 'broken')),
      good: async () => void seen.push('good'),
    });
    while (await w.runOnce());
    const rows = await d.db
      .selectFrom('jobs')
      .select(['kind', 'status', 'attempts', 'last_error'])
      .where('kind', 'in', ['bad', 'good'])
      .orderBy('kind')
      .execute();
    expect(rows).toEqual([
      { kind: 'bad', status: 'dead', attempts: 1, last_error: 'TinyMLOpsError: broken' },
      { kind: 'good', status: 'done', attempts: 1, last_error: null },
    ]);
    expect(seen).toEqual(['good']);
  });

  it('a started worker picks up jobs and stops cleanly', async () => {
    const done: number[] = [];
    const w = new JobWorker(
      d.db,
      { tick: async (j) => void done.push(j.payload['n'] as number) },
      { concurrency: 2, idlePollMs: 20 },
    );
    w.start();
    for (let n = 0; n < 5; n++) await enqueueJob(d.db, 'tick', { n });
    w.wake();
    await expect.poll(() => done.length, { timeout: 10_000 }).toBe(5);
    await w.stop();
    expect(done.sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
