import { Id } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';

const SeriesQuery = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  deviceId: Id.optional(),
  bucketSeconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(300),
  since: z.iso.datetime({ offset: true }).optional(),
});

/** Fleet metrics for people: a metric's time series (avg/min/max per bucket) and a fleet overview. */
export function registerMetricsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/metrics/series',
    { preValidation: requireRole(ctx, 'viewer'), schema: { tags: ['metrics'], querystring: SeriesQuery } },
    async (req) => {
      const q = req.query as z.infer<typeof SeriesQuery>;
      const since = q.since ? new Date(q.since) : new Date(ctx.now().getTime() - 86_400_000);
      const r = await sql<{ bucket: Date; avg: number; min: number; max: number; n: number }>`
      SELECT date_bin(make_interval(secs => ${q.bucketSeconds}), at, timestamptz '2000-01-01T00:00:00Z') AS bucket,
             avg(value) AS avg, min(value) AS min, max(value) AS max, count(*)::int AS n
      FROM metric_points
      WHERE name = ${q.name} AND at >= ${since} ${q.deviceId ? sql`AND device_id = ${q.deviceId}` : sql``}
      GROUP BY 1 ORDER BY 1`.execute(ctx.db);
      return {
        schemaVersion: 1,
        name: q.name,
        points: r.rows.map((p) => ({
          bucket: new Date(p.bucket).toISOString(),
          avg: Number(p.avg),
          min: Number(p.min),
          max: Number(p.max),
          n: p.n,
        })),
      };
    },
  );
  app.get(
    '/api/v1/metrics/fleet',
    { preValidation: requireRole(ctx, 'viewer'), schema: { tags: ['metrics'] } },
    async () => {
      const cutoff = new Date(ctx.now().getTime() - ctx.config.offlineAfterSeconds * 1000);
      const r = await sql<{
        devices: number;
        online: number;
        drift_active: number;
        pending_samples: number;
        packages_failed: number;
        jobs_dead: number;
      }>`
      SELECT (SELECT count(*)::int FROM devices) AS devices,
             (SELECT count(*)::int FROM devices WHERE last_seen_at >= ${cutoff}) AS online,
             (SELECT count(*)::int FROM devices WHERE (metrics->>'driftActive')::boolean) AS drift_active,
             (SELECT count(*)::int FROM drift_samples WHERE status = 'pending') AS pending_samples,
             (SELECT count(*)::int FROM packages WHERE status = 'failed') AS packages_failed,
             (SELECT count(*)::int FROM jobs WHERE status = 'dead') AS jobs_dead`.execute(ctx.db);
      const row = r.rows[0];
      return {
        schemaVersion: 1,
        devices: row?.devices ?? 0,
        online: row?.online ?? 0,
        driftActive: row?.drift_active ?? 0,
        pendingSamples: row?.pending_samples ?? 0,
        packagesFailed: row?.packages_failed ?? 0,
        deadJobs: row?.jobs_dead ?? 0,
      };
    },
  );
}
