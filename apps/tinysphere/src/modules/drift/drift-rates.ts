import type { DriftRateSeries } from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';

/**
 * Fleet drift aggregates: episodes started and samples captured per time bucket, split by
 * device, by model version, or by predicted class.
 * @example
 * await driftRates(ctx, 'model', 3600, new Date(Date.now() - 86_400_000));
 */
export async function driftRates(
  ctx: AppContext,
  by: DriftRateSeries['by'],
  bucketSeconds: number,
  since: Date,
): Promise<DriftRateSeries> {
  const width = sql`make_interval(secs => ${bucketSeconds})`;
  const origin = sql`timestamptz '2000-01-01T00:00:00Z'`;
  const rows =
    by === 'class'
      ? await sql<{ bucket: Date; key: string; episodes: number; samples: number }>`
          SELECT date_bin(${width}, captured_at, ${origin}) AS bucket, predicted_label AS key,
                 count(DISTINCT device_id || '/' || episode_id)::int AS episodes, count(*)::int AS samples
          FROM drift_samples WHERE captured_at >= ${since}
          GROUP BY 1, 2 ORDER BY 1, 2`.execute(ctx.db)
      : await sql<{ bucket: Date; key: string; episodes: number; samples: number }>`
          SELECT date_bin(${width}, e.started_at, ${origin}) AS bucket,
                 ${by === 'device' ? sql`e.device_id` : sql`coalesce(e.model_id || '@' || e.model_version, 'unknown')`} AS key,
                 count(*)::int AS episodes,
                 coalesce(sum((SELECT count(*) FROM drift_samples s WHERE s.device_id = e.device_id AND s.episode_id = e.episode_id)), 0)::int AS samples
          FROM drift_episodes e WHERE e.started_at >= ${since}
          GROUP BY 1, 2 ORDER BY 1, 2`.execute(ctx.db);
  const keys = [...new Set(rows.rows.map((r) => r.key))];
  const names =
    by === 'device' && keys.length > 0
      ? await ctx.db.selectFrom('devices').select(['id', 'name']).where('id', 'in', keys).execute()
      : [];
  return {
    schemaVersion: 1,
    by,
    bucketSeconds,
    ...(by === 'device' ? { labels: Object.fromEntries(names.map((d) => [d.id, d.name])) } : {}),
    points: rows.rows.map((r) => ({
      bucket: new Date(r.bucket).toISOString(),
      key: r.key,
      episodes: r.episodes,
      samples: r.samples,
    })),
  };
}
