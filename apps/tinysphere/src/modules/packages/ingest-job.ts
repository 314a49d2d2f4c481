import { TinyMLOpsError } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import type { BatchJobHandler } from '../../storage/job-worker.js';
import { failureIsFinal, type ClaimedJob } from '../../storage/jobs.js';
import { IngestMemoryBudget } from './ingest-memory-budget.js';
import { loadPackage, readStoredPackages, type LoadedPackage, type PackageBlobRef } from './load-package.js';
import { releasePending, storeRuns, writeIngestRows } from './write-ingest-rows.js';
import { packageIn, packageKey, rowKey } from './package-keys.js';

/** One claimed `ingest-package` job and the package it names. */
interface Target {
  readonly job: ClaimedJob;
  readonly deviceId: string;
  readonly packageId: string;
}

/**
 * The `ingest-package` job, run for up to `maxBatch` packages at a time: mark them processing
 * (one statement), read, verify and parse each, store the batch's feature vectors and images in
 * one blob, then write every package's rows and mark them ingested in one transaction. A
 * package that fails is isolated: its job fails (bad content dead-letters at once) while the
 * others of the batch are ingested. Running a job twice is harmless: rows are locked and
 * checked first. Memory is bounded in bytes, not packages: the worker loops of a process share
 * one IngestMemoryBudget, and a batch whose packages would not fit is written in parts.
 * @example
 * new JobWorker(db, { 'ingest-package': createIngestHandler(ctx) }).start();
 */
export function createIngestHandler(ctx: AppContext, maxBatch = 16): BatchJobHandler {
  const budget = new IngestMemoryBudget(ctx.config.ingestMemoryBytes, ctx.metrics.ingestBytesInUse);
  return { maxBatch, batch: (jobs) => ingestBatch(ctx, budget, jobs) };
}

/** Stored bytes read from the blob store at a time, at most (one part of a batch). */
const READ_PART_BYTES = 16 * 1024 * 1024;

async function ingestBatch(
  ctx: AppContext,
  budget: IngestMemoryBudget,
  jobs: readonly ClaimedJob[],
): Promise<Map<number, unknown>> {
  const failures = new Map<number, unknown>();
  const targets = jobs.map((job) => ({
    job,
    deviceId: String(job.payload['deviceId']),
    packageId: String(job.payload['packageId']),
  }));
  const refs = await markProcessing(ctx, targets);
  const live = targets.flatMap((target) => {
    const ref = refs.get(packageKey(target));
    if (ref === 'ingested') return [];
    if (ref) return [{ target, ref }];
    failures.set(target.job.id, new TinyMLOpsError('NOT_FOUND', `package ${packageKey(target)} not found`));
    return [];
  });
  // Claim order (oldest first), so an episode's start is written before its end.
  live.sort((a, b) => a.target.job.id - b.target.job.id);
  const group = new HeldGroup(ctx, budget, failures);
  for (const part of readParts(live)) {
    const stored = await readStoredPackages(
      ctx,
      part.map((l) => l.ref),
    );
    for (const [i, { target }] of part.entries()) {
      // Reading and parsing is CPU work: yield between packages so uploads are not held up.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const bytes = stored[i] as Buffer | Error;
        if (bytes instanceof Error) throw bytes;
        const pkg = await loadPackage(ctx, target.deviceId, target.packageId, bytes);
        for (const { handler, doc } of pkg.parsed) await handler.blobs?.(ctx, pkg.input, doc);
        await group.add({ target, pkg }, bytes.length + 2 * extractedBytes(pkg));
      } catch (err) {
        failures.set(target.job.id, err);
      }
    }
  }
  await group.flush();
  for (const t of targets) {
    if (failures.has(t.job.id)) await markFailed(ctx, t, failures.get(t.job.id));
    else ctx.metrics.jobs.inc({ kind: t.job.kind, outcome: 'done' });
  }
  return failures;
}

/** The live packages of a batch in parts of at most READ_PART_BYTES stored bytes (at least one package each). */
function* readParts<T extends { ref: { size: number } }>(live: readonly T[]): Generator<T[]> {
  let part: T[] = [];
  let bytes = 0;
  for (const l of live) {
    if (part.length > 0 && bytes + l.ref.size > READ_PART_BYTES) {
      yield part;
      [part, bytes] = [[], 0];
    }
    part.push(l);
    bytes += l.ref.size;
  }
  if (part.length > 0) yield part;
}

function extractedBytes(pkg: LoadedPackage): number {
  let n = 0;
  for (const b of pkg.input.entries.values()) n += b.length;
  return n;
}

/**
 * The loaded packages of a batch waiting to be written, and the budget bytes they hold. Adding
 * one that does not fit writes those held first (so a loop never waits while holding bytes).
 */
class HeldGroup {
  private items: { target: Target; pkg: LoadedPackage }[] = [];
  private held = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly budget: IngestMemoryBudget,
    private readonly failures: Map<number, unknown>,
  ) {}

  async add(item: { target: Target; pkg: LoadedPackage }, cost: number): Promise<void> {
    if (!this.budget.tryTake(cost)) {
      await this.flush();
      await this.budget.take(cost);
    }
    this.items.push(item);
    this.held += cost;
  }

  async flush(): Promise<void> {
    const [items, held] = [this.items, this.held];
    [this.items, this.held] = [[], 0];
    try {
      await writeBatch(this.ctx, items, this.failures);
    } finally {
      this.budget.give(held);
    }
  }
}

/**
 * Stores and commits the batch (the blob is written while the rows are); if the transaction
 * fails, each package is retried alone so one bad package cannot fail the rest.
 */
async function writeBatch(
  ctx: AppContext,
  loaded: readonly { target: Target; pkg: LoadedPackage }[],
  failures: Map<number, unknown>,
): Promise<void> {
  if (loaded.length === 0) return;
  const { staged, durable } = storeRuns(
    ctx,
    loaded.map((l) => l.pkg),
  );
  try {
    await writeIngestRows(ctx, staged, durable);
  } catch (err) {
    const notStored = await durable.then(
      () => null,
      (e: unknown) => e ?? err,
    );
    if (notStored !== null || staged.length === 1) {
      for (const { target } of loaded) failures.set(target.job.id, notStored ?? err);
      return;
    }
    for (const [i, one] of staged.entries()) {
      await writeIngestRows(ctx, [one], durable).catch((e: unknown) => failures.set(loaded[i]!.target.job.id, e));
    }
  }
}

/**
 * Marks the batch's packages processing and returns where each is stored, in one statement;
 * 'ingested' for a package already ingested (nothing to do), absent for an unknown one.
 */
async function markProcessing(ctx: AppContext, targets: readonly Target[]) {
  const rows = await ctx.db
    .updateTable('packages')
    .set({ status: 'processing' })
    .where(packageIn(targets))
    .where('status', '!=', 'ingested')
    .returning(['device_id', 'package_id', 'blob_key', 'blob_offset', 'blob_length', 'size'])
    .execute();
  const refs = new Map<string, (PackageBlobRef & { size: number }) | 'ingested'>(rows.map((r) => [rowKey(r), r]));
  const rest = targets.filter((t) => !refs.has(packageKey(t)));
  if (rest.length === 0) return refs;
  const ingested = await ctx.db
    .selectFrom('packages')
    .select(['device_id', 'package_id'])
    .where(packageIn(rest))
    .where('status', '=', 'ingested')
    .execute();
  for (const r of ingested) refs.set(`${r.device_id}/${r.package_id}`, 'ingested');
  return refs;
}

/** Records the error on the package once its job will not be retried (bad content, or out of attempts). */
async function markFailed(ctx: AppContext, t: Target, err: unknown): Promise<void> {
  if (!failureIsFinal(t.job, err)) return;
  await ctx.db.transaction().execute(async (tx) => {
    const failed = await tx
      .updateTable('packages')
      .set({ status: 'failed', error: err instanceof Error ? err.message : String(err) })
      .where('device_id', '=', t.deviceId)
      .where('package_id', '=', t.packageId)
      .where('status', 'not in', ['ingested', 'failed'])
      .returning('size')
      .executeTakeFirst();
    if (failed) await releasePending(tx, [{ deviceId: t.deviceId, bytes: failed.size }]);
  });
}
