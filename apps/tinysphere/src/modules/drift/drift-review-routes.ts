import {
  DELIVERY_STATUSES,
  DriftSampleDetail,
  FeedbackStatusList,
  Id,
  TinyMLOpsError,
  type DeliveryStatus,
  type Neighbour,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { SAMPLE_DELIVERY, toDriftSampleSummary } from './drift-sample-view.js';

/** Review views: one sample with its neighbours (and exemplar images), and feedback delivery per device. */
export function registerDriftReviewRoutes(app: FastifyInstance, ctx: AppContext): void {
  const viewer = requireRole(ctx, 'viewer');
  app.get(
    '/api/v1/drift/samples/:deviceId/:sampleId',
    {
      preHandler: viewer,
      schema: {
        tags: ['drift'],
        params: z.strictObject({ deviceId: Id, sampleId: Id }),
        response: { 200: DriftSampleDetail },
      },
    },
    async (req): Promise<DriftSampleDetail> => {
      const p = req.params as { deviceId: string; sampleId: string };
      const r = await ctx.db
        .selectFrom('drift_samples')
        .selectAll()
        .select(SAMPLE_DELIVERY)
        .where('device_id', '=', p.deviceId)
        .where('sample_id', '=', p.sampleId)
        .executeTakeFirst();
      if (!r) throw new TinyMLOpsError('NOT_FOUND', `drift sample ${p.deviceId}/${p.sampleId} not found`);
      const neighbours = ((r.neighbours as Neighbour[] | null) ?? []).slice(0, 8);
      const exemplars = new Map<string, { deviceId: string; sampleId: string } | null>();
      for (const label of new Set(neighbours.map((n) => n.label))) {
        const e = await ctx.db
          .selectFrom('drift_samples')
          .select(['device_id', 'sample_id'])
          .where('status', '=', 'labelled')
          .where('label', '=', label)
          .where('image_key', 'is not', null)
          .orderBy('validated_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        exemplars.set(label, e ? { deviceId: e.device_id, sampleId: e.sample_id } : null);
      }
      return {
        schemaVersion: 1,
        sample: toDriftSampleSummary(r),
        neighbours: neighbours.map((n) => ({ ...n, exemplar: exemplars.get(n.label) ?? null })),
      };
    },
  );
  app.get(
    '/api/v1/drift/feedback-status',
    { preHandler: viewer, schema: { tags: ['drift'], response: { 200: FeedbackStatusList } } },
    async (): Promise<FeedbackStatusList> => {
      type Row = { id: string; name: string; issued: number; acked: number; last: Date | string | null };
      const rows = await sql<Row & Record<DeliveryStatus, number>>`
        SELECT d.id, d.name, d.feedback_cursor AS issued, d.feedback_acked AS acked, max(f.validated_at) AS last,
          count(*) FILTER (WHERE f.outcome IS NULL)::int AS queued,
          count(*) FILTER (WHERE f.outcome = 'acknowledged')::int AS acknowledged,
          count(*) FILTER (WHERE f.outcome = 'applied')::int AS applied,
          count(*) FILTER (WHERE f.outcome = 'merged')::int AS merged,
          count(*) FILTER (WHERE f.outcome = 'rejected')::int AS rejected,
          count(*) FILTER (WHERE f.outcome = 'superseded')::int AS superseded
        FROM devices d JOIN feedback f ON f.device_id = d.id
        WHERE d.feedback_cursor > 0
        GROUP BY d.id
        ORDER BY d.feedback_cursor - d.feedback_acked DESC, d.id LIMIT 500`.execute(ctx.db);
      return {
        schemaVersion: 1,
        items: rows.rows.map((r) => ({
          deviceId: r.id,
          name: r.name,
          issued: r.issued,
          acknowledged: r.acked,
          lastValidatedAt: r.last === null ? null : new Date(r.last).toISOString(),
          byStatus: Object.fromEntries(DELIVERY_STATUSES.map((k) => [k, r[k]])) as Record<DeliveryStatus, number>,
        })),
      };
    },
  );
}
