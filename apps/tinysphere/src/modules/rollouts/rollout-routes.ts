import { Id, RolloutAction, RolloutAuditList, RolloutList, RolloutRequest, RolloutView } from '@tinymlops/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { applyRolloutAction, createRollout } from './rollout-engine.js';
import { auditTrail, rolloutSummary, rolloutView, toRollout } from './rollout-store.js';

const params = z.strictObject({ id: Id });
const actor = (req: FastifyRequest) => req.person?.name ?? 'unknown';

/**
 * Staged rollouts (/api/v1/rollouts) of a model or configuration version: start one, watch its
 * waves and health, pause, resume, abort, promote or roll it back; every change is audited.
 */
export function registerRolloutRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/v1/rollouts',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['rollouts'], body: RolloutRequest, response: { 201: RolloutView } },
    },
    async (req, reply) => {
      const id = await createRollout(ctx, req.body as RolloutRequest, actor(req));
      return reply.status(201).send(await rolloutView(ctx.db, id));
    },
  );
  app.get(
    '/api/v1/rollouts',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['rollouts'],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: RolloutList },
      },
    },
    async (req) => {
      const { limit } = req.query as { limit: number };
      const rows = await ctx.db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
      return { schemaVersion: 1, items: rows.map((r) => rolloutSummary(toRollout(r))) };
    },
  );
  app.get(
    '/api/v1/rollouts/:id',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['rollouts'], params, response: { 200: RolloutView } },
    },
    async (req) => rolloutView(ctx.db, (req.params as { id: string }).id),
  );
  app.get(
    '/api/v1/rollouts/:id/audit',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['rollouts'], params, response: { 200: RolloutAuditList } },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      await rolloutView(ctx.db, id); // 404 for an unknown rollout, not an empty trail
      return { schemaVersion: 1, items: await auditTrail(ctx.db, id) };
    },
  );
  app.post(
    '/api/v1/rollouts/:id/actions',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['rollouts'], params, body: RolloutAction, response: { 200: RolloutView } },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      await applyRolloutAction(ctx, id, req.body as RolloutAction, actor(req));
      return rolloutView(ctx.db, id);
    },
  );
}
