import { FleetOverview } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';

async function deviceNames(ctx: AppContext, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom('devices').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

type EventRow = {
  at: Date | string;
  kind: FleetOverview['recentEvents'][number]['kind'];
  device_id: string;
  subject: string;
};

const OverviewQuery = z.strictObject({
  /** Start of the drift-rate series (default: 7 days before the current bucket). */
  since: z.iso.datetime({ offset: true }).optional(),
  bucketSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3600),
});

/** `GET /api/v1/overview`: the dashboard's landing numbers in one round trip (drift rate over `since`). */
export function registerOverviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/overview',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: { tags: ['metrics'], querystring: OverviewQuery, response: { 200: FleetOverview } },
    },
    async (req): Promise<FleetOverview> => {
      const q = req.query as z.infer<typeof OverviewQuery>;
      const now = ctx.now();
      const onlineCut = new Date(now.getTime() - 2 * ctx.config.heartbeatIntervalSeconds * 1000);
      const staleCut = new Date(now.getTime() - ctx.config.offlineAfterSeconds * 1000);
      // Pending samples per episode are kept by triggers (migration 010): no scan of drift_samples.
      const counts = await sql<Record<string, number>>`
        SELECT (SELECT count(*)::int FROM devices) AS total,
               (SELECT count(*)::int FROM devices WHERE last_seen_at >= ${onlineCut}) AS online,
               (SELECT count(*)::int FROM devices WHERE last_seen_at < ${onlineCut} AND last_seen_at >= ${staleCut}) AS stale,
               (SELECT count(*)::int FROM drift_episodes WHERE ended_at IS NULL) AS open_episodes,
               (SELECT count(*)::int FROM drift_pending_counts) AS awaiting,
               (SELECT coalesce(sum(pending), 0)::int FROM drift_pending_counts) AS pending_samples,
               (SELECT count(*)::int FROM jobs WHERE status = 'queued') AS queued,
               (SELECT count(*)::int FROM jobs WHERE status = 'running') AS running,
               (SELECT count(*)::int FROM jobs WHERE status = 'dead') AS dead,
               (SELECT count(*)::int FROM packages WHERE status = 'failed') AS failed`.execute(ctx.db);
      const c = counts.rows[0] ?? {};
      const n = (k: string) => Number(c[k] ?? 0);
      const events = await sql<EventRow>`
        (SELECT started_at AS at, 'drift-start' AS kind, device_id, detector_name AS subject FROM drift_episodes
          WHERE started_at IS NOT NULL ORDER BY started_at DESC LIMIT 20)
        UNION ALL (SELECT ended_at, 'drift-end', device_id, detector_name FROM drift_episodes
          WHERE ended_at IS NOT NULL ORDER BY ended_at DESC LIMIT 20)
        UNION ALL (SELECT enrolled_at, 'enrolled', id, name FROM devices ORDER BY enrolled_at DESC LIMIT 20)
        UNION ALL (SELECT received_at, 'package-failed', device_id, coalesce(error, package_id) FROM packages
          WHERE status = 'failed' ORDER BY received_at DESC LIMIT 20)
        UNION ALL (SELECT validated_at, 'validated', device_id, decision || coalesce(': ' || label, '') FROM feedback
          WHERE source_device_id IS NULL AND decision IN ('label', 'new-class', 'false-alarm')
          ORDER BY validated_at DESC LIMIT 20)
        ORDER BY at DESC LIMIT 20`.execute(ctx.db);
      const names = await deviceNames(ctx, [...new Set(events.rows.map((e) => e.device_id))]);
      const byModel = await sql<{ model_id: string | null; model_version: string | null; n: number }>`
        SELECT model_id, model_version, count(*)::int AS n FROM devices
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 50`.execute(ctx.db);
      const step = q.bucketSeconds * 1000;
      const since = q.since ? new Date(q.since) : new Date(Math.floor(now.getTime() / step) * step - 7 * 86_400_000);
      const rate = await sql<{ bucket: Date | string; episodes: number }>`
        SELECT date_bin(make_interval(secs => ${q.bucketSeconds}), started_at, timestamptz '2000-01-01T00:00:00Z') AS bucket,
          count(*)::int AS episodes FROM drift_episodes
        WHERE started_at >= ${since} GROUP BY 1 ORDER BY 1`.execute(ctx.db);
      return {
        schemaVersion: 1,
        generatedAt: now.toISOString(),
        devices: {
          total: n('total'),
          online: n('online'),
          stale: n('stale'),
          offline: n('total') - n('online') - n('stale'),
        },
        drift: {
          openEpisodes: n('open_episodes'),
          episodesAwaitingValidation: n('awaiting'),
          pendingSamples: n('pending_samples'),
        },
        ingestion: {
          queuedJobs: n('queued'),
          runningJobs: n('running'),
          deadJobs: n('dead'),
          failedPackages: n('failed'),
        },
        driftRate: {
          bucketSeconds: q.bucketSeconds,
          since: since.toISOString(),
          points: rate.rows.map((p) => ({ bucket: new Date(p.bucket).toISOString(), episodes: p.episodes })),
        },
        recentEvents: events.rows.map((e) => ({
          at: new Date(e.at).toISOString(),
          kind: e.kind,
          deviceId: e.device_id,
          deviceName: names.get(e.device_id) ?? e.device_id,
          subject: e.subject,
        })),
        fleetByModel: byModel.rows.map((m) => ({
          model: m.model_id && m.model_version ? { modelId: m.model_id, version: m.model_version } : null,
          devices: m.n,
        })),
      };
    },
  );
}
