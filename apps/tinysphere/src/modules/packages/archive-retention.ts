import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/** What {@link pruneIngestedArchives} deleted (or, in a dry run, would delete). */
export interface PruneResult {
  blobs: number;
  packages: number;
  bytes: number;
}

/**
 * Deletes the raw archives of packages that were ingested before `olderThan`. A blob shared by
 * several packages (a segment of one upload group) goes only when every package in it qualifies.
 * The rows stay, with `archive_pruned_at`; what ingestion extracted (samples, images, features,
 * telemetry) is not touched. Packages that are queued, processing or failed keep their archive,
 * so they can still be ingested or inspected. Rows are marked before their blobs are deleted, so
 * an interruption can leave an unreferenced blob, never a row pointing at a missing one.
 * @example
 * await pruneIngestedArchives(ctx, new Date(Date.now() - 30 * 86_400_000)); // { blobs, packages, bytes }
 */
export async function pruneIngestedArchives(
  ctx: Pick<AppContext, 'db' | 'blobs' | 'now'>,
  olderThan: Date,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<PruneResult> {
  const candidates = await sql<{ blob_key: string; packages: number; bytes: number }>`
    SELECT blob_key, count(*)::int AS packages, sum(coalesce(blob_length, size))::float8 AS bytes
    FROM packages GROUP BY blob_key
    HAVING bool_and(status = 'ingested' AND received_at < ${olderThan} AND archive_pruned_at IS NULL)
    ORDER BY min(received_at) LIMIT ${options.limit ?? 10_000}`.execute(ctx.db);
  const keys = candidates.rows.map((r) => r.blob_key);
  const result = {
    blobs: keys.length,
    packages: candidates.rows.reduce((s, r) => s + r.packages, 0),
    bytes: candidates.rows.reduce((s, r) => s + r.bytes, 0),
  };
  if (options.dryRun || keys.length === 0) return result;
  await ctx.db
    .updateTable('packages')
    .set({ archive_pruned_at: ctx.now() })
    .where('blob_key', 'in', keys)
    .where('archive_pruned_at', 'is', null)
    .execute();
  for (const key of keys) await ctx.blobs.delete(key);
  return result;
}
