import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/** What {@link sweepUnreferencedBlobs} deleted (or, in a dry run, would delete). */
export interface SweepResult {
  blobs: number;
  bytes: number;
  /** Up to 20 of the keys, for the operator to look at. */
  sample: string[];
  /** Files of interrupted writes deleted from the store's scratch space (the filesystem's `.tmp/`); 0 in a dry run. */
  scratch: number;
}

/**
 * Every blob key a row points at: package archives not yet pruned, the batch blobs of drift
 * samples and prediction images, state snapshots and model bundles.
 */
async function referencedKeys(ctx: Pick<AppContext, 'db'>): Promise<Set<string>> {
  const r = await sql<{ key: string }>`
    SELECT blob_key AS key FROM packages WHERE archive_pruned_at IS NULL
    UNION SELECT features_key FROM drift_samples
    UNION SELECT image_key FROM drift_samples WHERE image_key IS NOT NULL
    UNION SELECT image_key FROM prediction_records WHERE image_key IS NOT NULL
    UNION SELECT blob_key FROM state_snapshots
    UNION SELECT bundle_key FROM model_versions`.execute(ctx.db);
  return new Set(r.rows.map((row) => row.key));
}

/**
 * Deletes blobs that no row points at and that were last written before `olderThan`: what a
 * write leaves behind when its rows never commit (a crash between the durable blob and the
 * commit, a batch whose transaction failed and was retried with a new blob) and the archives of
 * an interrupted `prune-archives`. The store is listed BEFORE the rows are read, so a blob whose
 * row commits meanwhile is seen as referenced; the age cut-off (hours, not seconds) leaves alone
 * the blobs of writes still in flight, whose rows have not committed yet. Unreferenced byte
 * ranges inside a referenced segment (a replay's bytes) stay: the segment is still needed. The
 * store's scratch files of interrupted writes older than the cut-off go too.
 * @example
 * await sweepUnreferencedBlobs(ctx, new Date(Date.now() - 86_400_000), { dryRun: true }); // { blobs, bytes, sample }
 */
export async function sweepUnreferencedBlobs(
  ctx: Pick<AppContext, 'db' | 'blobs'>,
  olderThan: Date,
  options: { dryRun?: boolean } = {},
): Promise<SweepResult> {
  const listed = await ctx.blobs.list('');
  const referenced = await referencedKeys(ctx);
  const orphans = listed.filter((b) => b.modifiedAt < olderThan && !referenced.has(b.key));
  if (!options.dryRun) for (const b of orphans) await ctx.blobs.delete(b.key);
  const scratch = options.dryRun ? 0 : ((await ctx.blobs.sweepScratch?.(olderThan)) ?? 0);
  return {
    blobs: orphans.length,
    bytes: orphans.reduce((n, b) => n + b.size, 0),
    sample: orphans.slice(0, 20).map((b) => b.key),
    scratch,
  };
}
