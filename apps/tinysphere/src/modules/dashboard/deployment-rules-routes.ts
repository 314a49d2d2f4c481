import { AssignmentRuleList, DeploymentTarget, TargetMatch, TinyMLOpsError } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';

const TargetParams = z.strictObject({ kind: z.enum(['device', 'tag', 'group']), target: z.string().min(1).max(64) });
type TargetParams = z.infer<typeof TargetParams>;

const toTarget = (kind: TargetParams['kind'], target: string): DeploymentTarget =>
  kind === 'device' ? { kind, deviceId: target } : kind === 'tag' ? { kind, tag: target } : { kind, group: target };

/** Devices a rule reaches, as `resolveAssignment` matches them (`d` is the devices row). */
const MATCHES = (kind: RawBuilder<unknown> | string, target: RawBuilder<unknown> | string) => sql<boolean>`(
  (${kind} = 'device' AND d.id = ${target}) OR (${kind} = 'group' AND d.group_name = ${target})
  OR (${kind} = 'tag' AND d.tags ? ${target}))`;

/**
 * Assignment rules as people manage them: list (with the devices each matches now), remove, and
 * preview how many devices a target would reach before deploying to it.
 */
export function registerDeploymentRuleRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/deployments/rules',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: { tags: ['deployments'], response: { 200: AssignmentRuleList } },
    },
    async (): Promise<AssignmentRuleList> => {
      const rows = await sql<{
        kind: TargetParams['kind'];
        target: string;
        model_id: string;
        version: string;
        at: Date | string;
        n: number;
      }>`
        SELECT a.target_kind AS kind, a.target, a.model_id, a.version, a.assigned_at AS at,
          (SELECT count(*)::int FROM devices d WHERE ${MATCHES(sql.ref('a.target_kind'), sql.ref('a.target'))}) AS n
        FROM assignments a ORDER BY a.assigned_at DESC LIMIT 1000`.execute(ctx.db);
      return {
        schemaVersion: 1,
        items: rows.rows.map((r) => ({
          target: toTarget(r.kind, r.target),
          modelId: r.model_id,
          version: r.version,
          assignedAt: new Date(r.at).toISOString(),
          matchedDevices: r.n,
        })),
      };
    },
  );
  app.get(
    '/api/v1/deployments/target-match',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: { tags: ['deployments'], querystring: TargetParams, response: { 200: TargetMatch } },
    },
    async (req): Promise<TargetMatch> => {
      const q = req.query as TargetParams;
      const rows = await sql<{ name: string; n: number }>`
        SELECT d.name, count(*) OVER ()::int AS n FROM devices d WHERE ${MATCHES(q.kind, q.target)}
        ORDER BY d.name LIMIT 20`.execute(ctx.db);
      return {
        schemaVersion: 1,
        target: toTarget(q.kind, q.target),
        matchedDevices: rows.rows[0]?.n ?? 0,
        sample: rows.rows.map((r) => r.name),
      };
    },
  );
  app.delete(
    '/api/v1/deployments/rules/:kind/:target',
    { preValidation: requireRole(ctx, 'engineer'), schema: { tags: ['deployments'], params: TargetParams } },
    async (req, reply) => {
      const p = req.params as TargetParams;
      const r = await ctx.db
        .deleteFrom('assignments')
        .where('target_kind', '=', p.kind)
        .where('target', '=', p.target)
        .executeTakeFirst();
      if (r.numDeletedRows === 0n)
        throw new TinyMLOpsError('NOT_FOUND', `no assignment rule for ${p.kind} ${p.target}`);
      return reply.status(204).send();
    },
  );
}
