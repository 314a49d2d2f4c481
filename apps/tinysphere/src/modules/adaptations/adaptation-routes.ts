import {
  AdaptationDetail,
  AdaptationList,
  AdaptationReviewRequest,
  AdaptationReviewResult,
  Id,
  TinyMLOpsError,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { adaptationSamples } from './adaptation-samples.js';
import { reviewAdaptation } from './adaptation-review.js';
import { listAdaptations } from './adaptation-view.js';

const Params = z.strictObject({ deviceId: Id, seq: z.coerce.number().int().nonnegative() });

/**
 * Adaptations made on devices, for people to validate (seed §4.3.2): the list with state
 * versions, one adaptation with the samples behind it, and accept / relabel / revert.
 */
export function registerAdaptationRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/adaptations',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['adaptations'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: AdaptationList },
      },
    },
    async (req): Promise<AdaptationList> => {
      const q = req.query as { deviceId?: string; limit: number };
      const items = await listAdaptations(ctx.db, q);
      if (!q.deviceId) return { schemaVersion: 1, items, stateVersions: [] };
      const versions = await ctx.db
        .selectFrom('state_snapshots')
        .select(['state_version', 'created_at', 'reason', 'parent_version'])
        .where('device_id', '=', q.deviceId)
        .orderBy('state_version', 'desc')
        .limit(q.limit)
        .execute();
      const stateVersions = versions.map((v) => ({
        stateVersion: v.state_version,
        createdAt: new Date(v.created_at).toISOString(),
        reason: v.reason,
        parentVersion: v.parent_version,
      }));
      return { schemaVersion: 1, items, stateVersions };
    },
  );
  app.get(
    '/api/v1/adaptations/:deviceId/:seq',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['adaptations'], params: Params, response: { 200: AdaptationDetail } },
    },
    async (req): Promise<AdaptationDetail> => {
      const p = req.params as z.infer<typeof Params>;
      const [adaptation] = await listAdaptations(ctx.db, { ...p, limit: 1 });
      if (!adaptation) throw new TinyMLOpsError('NOT_FOUND', `adaptation ${p.deviceId}/${p.seq} not found`);
      return { schemaVersion: 1, adaptation, samples: await adaptationSamples(ctx.db, adaptation) };
    },
  );
  app.post(
    '/api/v1/adaptations/:deviceId/:seq/review',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: {
        tags: ['adaptations'],
        params: Params,
        body: AdaptationReviewRequest,
        response: { 200: AdaptationReviewResult },
      },
    },
    async (req) => {
      const p = req.params as z.infer<typeof Params>;
      const body = req.body as AdaptationReviewRequest;
      return reviewAdaptation(ctx, p.deviceId, p.seq, body, req.person?.name ?? 'unknown');
    },
  );
}
