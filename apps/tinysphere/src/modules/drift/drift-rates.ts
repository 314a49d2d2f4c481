import type { DriftRateSeries } from '@tinymlops/contracts';
import { sql, type RawBuilder } from 'kysely';
import type { AppContext } from '../../app-context.js';

/**
 * Fleet drift aggregates: episodes started and samples captured per time bucket, split by
 * device, by model version, or by predicted class. With `top`, only the `top` keys with the most
 * episodes in the range (ties by key): the Overview's "drift rate per device" needs ten devices,
 * not ten thousand (bucket, device) points, and counting samples for those alone is cheap.
 * @example
 * await driftRates(ctx, 'model', 3600, new Date(Date.now() - 86_400_000));
 * await driftRates(ctx, 'device', 3600, new Date(Date.now() - 7 * 86_400_000), 10);
 */
export async function driftRates(
  ctx: AppContext,
  by: DriftRateSeries['by'],
  bucketSeconds: number,
  since: Date,
  top?: number,
): Promise<DriftRateSeries> {
  const width = sql`make_interval(secs => ${bucketSeconds})`;
  const origin = sql`timestamptz '2000-01-01T00:00:00Z'`;
  const rows =
    by === 'class'
      ? await byClass(ctx, width, origin, since, top)
      : await byEpisode(ctx, by, width, origin, since, top);
  const keys = [...new Set(rows.map((r) => r.key))];
  const names =
    by === 'device' && keys.length > 0
      ? await ctx.db.selectFrom('devices').select(['id', 'name']).where('id', 'in', keys).execute()
      : [];
  return {
    schemaVersion: 1,
    by,
    bucketSeconds,
    ...(by === 'device' ? { labels: Object.fromEntries(names.map((d) => [d.id, d.name])) } : {}),
    points: rows.map((r) => ({
      bucket: new Date(r.bucket).toISOString(),
      key: r.key,
      episodes: r.episodes,
      samples: r.samples,
    })),
  };
}

type RateRow = { bucket: Date; key: string; episodes: number; samples: number };

async function byClass(
  ctx: AppContext,
  width: RawBuilder<unknown>,
  origin: RawBuilder<unknown>,
  since: Date,
  top?: number,
) {
  const episodes = sql`count(DISTINCT device_id || '/' || episode_id)`;
  const topKeys =
    top === undefined
      ? sql``
      : sql`AND predicted_label IN (SELECT predicted_label FROM drift_samples WHERE captured_at >= ${since}
              GROUP BY 1 ORDER BY ${episodes} DESC, 1 LIMIT ${top})`;
  const r = await sql<RateRow>`
    SELECT date_bin(${width}, captured_at, ${origin}) AS bucket, predicted_label AS key,
           ${episodes}::int AS episodes, count(*)::int AS samples
    FROM drift_samples WHERE captured_at >= ${since} ${topKeys}
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(ctx.db);
  return r.rows;
}

async function byEpisode(
  ctx: AppContext,
  by: 'device' | 'model',
  width: RawBuilder<unknown>,
  origin: RawBuilder<unknown>,
  since: Date,
  top?: number,
) {
  const key = by === 'device' ? sql`e.device_id` : sql`coalesce(e.model_id || '@' || e.model_version, 'unknown')`;
  const topKeys =
    top === undefined
      ? sql``
      : sql`AND ${key} IN (SELECT ${key} FROM drift_episodes e WHERE e.started_at >= ${since}
              GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${top})`;
  const r = await sql<RateRow>`
    SELECT date_bin(${width}, e.started_at, ${origin}) AS bucket, ${key} AS key, count(*)::int AS episodes,
           coalesce(sum((SELECT count(*) FROM drift_samples s
                         WHERE s.device_id = e.device_id AND s.episode_id = e.episode_id)), 0)::int AS samples
    FROM drift_episodes e WHERE e.started_at >= ${since} ${topKeys}
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(ctx.db);
  return r.rows;
}
