import { DeviceTimeline, Id } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from './auth.js';

const TimelineQuery = z.strictObject({
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(20_000).default(10_000),
});
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The distance above which the device's newest knn-distance monitor accumulated drift evidence. */
async function driftLevel(ctx: AppContext, deviceId: string): Promise<DeviceTimeline['driftLevel']> {
  const rows = await ctx.db
    .selectFrom('drift_episodes')
    .select(['episode_id', 'statistics', 'thresholds'])
    .where('device_id', '=', deviceId)
    .where('detector_kind', '=', 'knn-distance')
    .orderBy('started_at', 'desc')
    .limit(20)
    .execute();
  for (const r of rows) {
    const mean = r.statistics['referenceMean'];
    const delta = r.thresholds['delta'];
    if (Number.isFinite(mean) && Number.isFinite(delta))
      return { knnDistance: (mean as number) + (delta as number), episodeId: r.episode_id };
  }
  return null;
}

/** `GET /api/v1/devices/:deviceId/timeline`: predictions, drift episodes and resource metrics for charts. */
export function registerDeviceTimelineRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/devices/:deviceId/timeline',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['devices'],
        params: z.strictObject({ deviceId: Id }),
        querystring: TimelineQuery,
        response: { 200: DeviceTimeline },
      },
    },
    async (req): Promise<DeviceTimeline> => {
      const { deviceId } = req.params as { deviceId: string };
      const q = req.query as z.infer<typeof TimelineQuery>;
      const since = q.since ? new Date(q.since) : new Date(0);
      const predictions = await ctx.db
        .selectFrom('prediction_records')
        .select(['seq', 'at', 'label', 'confidence', 'knn_distance', 'latency_ms', 'image_key'])
        .where('device_id', '=', deviceId)
        .where('at', '>=', since)
        .orderBy('seq', 'desc')
        .limit(q.limit)
        .execute();
      const episodes = await ctx.db
        .selectFrom('drift_episodes')
        .select(['episode_id', 'started_at', 'ended_at'])
        .where('device_id', '=', deviceId)
        .orderBy('started_at', 'desc')
        .limit(200)
        .execute();
      const points = await ctx.db
        .selectFrom('metric_points')
        .select(['name', 'unit', 'at', 'value'])
        .where('device_id', '=', deviceId)
        .where('at', '>=', since)
        .orderBy('seq', 'desc')
        .limit(q.limit)
        .execute();
      const byName = new Map<string, DeviceTimeline['metrics'][number]>();
      for (const p of points.reverse()) {
        const series = byName.get(p.name) ?? { name: p.name, unit: p.unit, points: [] };
        series.points.push({ at: new Date(p.at).toISOString(), value: p.value });
        byName.set(p.name, series);
      }
      return {
        schemaVersion: 1,
        deviceId,
        predictions: predictions.reverse().map((p) => ({
          seq: p.seq,
          at: new Date(p.at).toISOString(),
          label: p.label,
          confidence: p.confidence,
          knnDistance: p.knn_distance,
          latencyMs: p.latency_ms,
          hasImage: p.image_key !== null,
        })),
        episodes: episodes.map((e) => ({
          episodeId: e.episode_id,
          startedAt: iso(e.started_at),
          endedAt: iso(e.ended_at),
        })),
        metrics: [...byName.values()],
        driftLevel: await driftLevel(ctx, deviceId),
      };
    },
  );
}
