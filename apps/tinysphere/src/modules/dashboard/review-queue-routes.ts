import { Id, ReviewClassList, ReviewQueuePage, ValidationUndoResult } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { SAMPLE_DELIVERY, toDriftSampleSummary } from '../drift/drift-sample-view.js';
import { undoValidation } from './validation-undo.js';

const QueueQuery = z.strictObject({
  deviceId: Id.optional(),
  group: z.string().min(1).max(64).optional(),
  modelId: z.string().min(1).max(64).optional(),
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
type QueueQuery = z.infer<typeof QueueQuery>;

/**
 * The review queue across episodes (oldest pending sample first, filtered by device, group or
 * model), the class list people label with, and undo of a validation.
 */
export function registerReviewQueueRoutes(app: FastifyInstance, ctx: AppContext): void {
  const viewer = requireRole(ctx, 'viewer');
  app.get(
    '/api/v1/drift/review-queue',
    { preHandler: viewer, schema: { tags: ['drift'], querystring: QueueQuery, response: { 200: ReviewQueuePage } } },
    async (req): Promise<ReviewQueuePage> => reviewQueue(ctx, req.query as QueueQuery),
  );
  app.get(
    '/api/v1/drift/classes',
    { preHandler: viewer, schema: { tags: ['drift'], response: { 200: ReviewClassList } } },
    async (): Promise<ReviewClassList> => ({ schemaVersion: 1, items: await reviewClasses(ctx) }),
  );
  app.delete(
    '/api/v1/drift/samples/:deviceId/:sampleId/validation',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: {
        tags: ['drift'],
        params: z.strictObject({ deviceId: Id, sampleId: Id }),
        response: { 200: ValidationUndoResult },
      },
    },
    async (req) => {
      const p = req.params as { deviceId: string; sampleId: string };
      return undoValidation(ctx, p.deviceId, p.sampleId);
    },
  );
}

async function reviewQueue(ctx: AppContext, q: QueueQuery): Promise<ReviewQueuePage> {
  let query = ctx.db
    .selectFrom('drift_samples')
    .innerJoin('devices as d', 'd.id', 'drift_samples.device_id')
    .leftJoin('drift_episodes as e', (j) =>
      j.onRef('e.device_id', '=', 'drift_samples.device_id').onRef('e.episode_id', '=', 'drift_samples.episode_id'),
    )
    .where('drift_samples.status', '=', 'pending');
  if (q.deviceId) query = query.where('drift_samples.device_id', '=', q.deviceId);
  if (q.group) query = query.where('d.group_name', '=', q.group);
  if (q.modelId) query = query.where('e.model_id', '=', q.modelId);
  const [rows, total] = await Promise.all([
    query
      .selectAll('drift_samples')
      .select(SAMPLE_DELIVERY)
      .select(['d.name as device_name', 'd.group_name', 'e.model_id as ep_model', 'e.model_version as ep_version'])
      .orderBy('drift_samples.captured_at')
      .orderBy('drift_samples.sample_id')
      .offset(q.offset)
      .limit(q.limit)
      .execute(),
    queueTotal(ctx, q),
  ]);
  return {
    schemaVersion: 1,
    items: rows.map((r) => ({
      sample: toDriftSampleSummary(r),
      deviceName: r.device_name,
      group: r.group_name,
      model: r.ep_model && r.ep_version ? { modelId: r.ep_model, version: r.ep_version } : null,
    })),
    total,
    offset: q.offset,
    limit: q.limit,
  };
}

/** The queue's length, joining devices or episodes only when a filter needs them (a count over the fleet). */
async function queueTotal(ctx: AppContext, q: QueueQuery): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM drift_samples s
    ${q.group ? sql`JOIN devices d ON d.id = s.device_id AND d.group_name = ${q.group}` : sql``}
    ${q.modelId ? sql`JOIN drift_episodes e ON e.device_id = s.device_id AND e.episode_id = s.episode_id AND e.model_id = ${q.modelId}` : sql``}
    WHERE s.status = 'pending' ${q.deviceId ? sql`AND s.device_id = ${q.deviceId}` : sql``}`.execute(ctx.db);
  return r.rows[0]?.n ?? 0;
}

async function reviewClasses(ctx: AppContext): Promise<ReviewClassList['items']> {
  const [used, models] = await Promise.all([
    sql<{ label: string; n: number }>`SELECT label, count(*)::int AS n FROM drift_samples
      WHERE status = 'labelled' AND label IS NOT NULL GROUP BY label`.execute(ctx.db),
    sql<{ label: string }>`SELECT DISTINCT jsonb_array_elements_text(manifest::jsonb -> 'labels') AS label
      FROM model_versions`.execute(ctx.db),
  ]);
  const byLabel = new Map<string, ReviewClassList['items'][number]>();
  for (const m of models.rows) byLabel.set(m.label, { label: m.label, sources: ['model'], validatedSamples: 0 });
  for (const u of used.rows) {
    const known = byLabel.get(u.label);
    if (known) byLabel.set(u.label, { ...known, sources: ['model', 'validated'], validatedSamples: u.n });
    else byLabel.set(u.label, { label: u.label, sources: ['validated'], validatedSamples: u.n });
  }
  return [...byLabel.values()].sort(
    (a, b) => b.validatedSamples - a.validatedSamples || a.label.localeCompare(b.label),
  );
}
