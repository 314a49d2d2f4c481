import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/** What {@link pruneArchives} deleted (or, in a dry run, would delete). */
export interface PruneResult {
  blobs: number;
  packages: number;
  bytes: number;
  /** Of `packages`, those that had failed for good (garbage), and their bytes. */
  failed: { packages: number; bytes: number };
}

/** Cut-offs of {@link pruneArchives}: packages received before them lose their raw archive. */
export interface PruneCutoffs {
  /** Ingested packages (what ingestion extracted stays); null: none. */
  ingestedBefore: Date | null;
  /** Packages that failed for good (garbage, or out of attempts); null: none. */
  failedBefore: Date | null;
}

/**
 * Deletes the raw archives of packages that were ingested, or failed for good, before their
 * cut-off. A blob shared by several packages (a segment of one upload group) goes only when every
 * package in it qualifies. The rows stay, with `archive_pruned_at` (a device's replay is still
 * answered as a duplicate); what ingestion extracted is not touched. Queued and processing
 * packages keep their archive. Rows are marked, and their devices' stored-bytes counters lowered,
 * in one transaction before the blobs are deleted, so an interruption can leave an unreferenced
 * blob (swept later), never a row pointing at a missing one.
 * @example
 * await pruneArchives(ctx, { ingestedBefore: daysAgo(30), failedBefore: daysAgo(7) }); // { blobs, packages, bytes }
 */
export async function pruneArchives(
  ctx: Pick<AppContext, 'db' | 'blobs' | 'now'>,
  cut: PruneCutoffs,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<PruneResult> {
  const never = new Date(0);
  const candidates = await sql<{
    blob_key: string;
    packages: number;
    bytes: number;
    failed_packages: number;
    failed_bytes: number;
  }>`
    SELECT blob_key, count(*)::int AS packages, sum(coalesce(blob_length, size))::float8 AS bytes,
           count(*) FILTER (WHERE status = 'failed')::int AS failed_packages,
           coalesce(sum(coalesce(blob_length, size)) FILTER (WHERE status = 'failed'), 0)::float8 AS failed_bytes
    FROM packages GROUP BY blob_key
    HAVING bool_and(archive_pruned_at IS NULL AND (
      (status = 'ingested' AND received_at < ${cut.ingestedBefore ?? never}) OR
      (status = 'failed' AND received_at < ${cut.failedBefore ?? never})))
    ORDER BY min(received_at) LIMIT ${options.limit ?? 10_000}`.execute(ctx.db);
  const keys = candidates.rows.map((r) => r.blob_key);
  const total = (k: 'packages' | 'bytes' | 'failed_packages' | 'failed_bytes') =>
    candidates.rows.reduce((s, r) => s + r[k], 0);
  const result: PruneResult = {
    blobs: keys.length,
    packages: total('packages'),
    bytes: total('bytes'),
    failed: { packages: total('failed_packages'), bytes: total('failed_bytes') },
  };
  if (options.dryRun || keys.length === 0) return result;
  await ctx.db.transaction().execute(async (tx) => {
    await sql`
      WITH pruned AS (
        UPDATE packages SET archive_pruned_at = ${ctx.now()}
        WHERE blob_key IN (${sql.join(keys)}) AND archive_pruned_at IS NULL
        RETURNING device_id, size),
      per_device AS (SELECT device_id, sum(size) AS bytes FROM pruned GROUP BY device_id)
      UPDATE device_usage u SET stored_bytes = greatest(0, u.stored_bytes - per_device.bytes)
      FROM per_device WHERE u.device_id = per_device.device_id`.execute(tx);
  });
  for (const key of keys) await ctx.blobs.delete(key);
  return result;
}

/**
 * Deletes the raw archives of packages ingested before `olderThan` (`tinysphere admin
 * prune-archives`); see {@link pruneArchives}.
 * @example
 * await pruneIngestedArchives(ctx, new Date(Date.now() - 30 * 86_400_000)); // { blobs, packages, bytes }
 */
export function pruneIngestedArchives(
  ctx: Pick<AppContext, 'db' | 'blobs' | 'now'>,
  olderThan: Date,
  options: { dryRun?: boolean; limit?: number } = {},
): Promise<PruneResult> {
  return pruneArchives(ctx, { ingestedBefore: olderThan, failedBefore: null }, options);
}
