import {
  AssignmentRequest,
  Id,
  DeploymentStatusList,
  InstallReport,
  ModelAssignment,
  TinyMLOpsError,
  type DeploymentStatus,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { deviceOf, requireDevice, requireRole } from '../devices/auth.js';
import { resolveAlias } from '../models/model-registry.js';
import { resolveAssignment } from './assignment.js';

/** Assignments (/api/v1/deployments) and the device side: poll with ETag, install reports. */
export function registerDeploymentRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/v1/deployments',
    { preValidation: requireRole(ctx, 'engineer'), schema: { tags: ['deployments'], body: AssignmentRequest } },
    async (req, reply) => {
      const body = req.body as AssignmentRequest;
      const version = body.version ?? (await resolveAlias(ctx, body.modelId, body.alias ?? ''));
      const exists = await ctx.db
        .selectFrom('model_versions')
        .select('version')
        .where('model_id', '=', body.modelId)
        .where('version', '=', version)
        .executeTakeFirst();
      if (!exists) throw new TinyMLOpsError('NOT_FOUND', `model version ${body.modelId}@${version} not found`);
      const t = body.target;
      const target = t.kind === 'device' ? t.deviceId : t.kind === 'tag' ? t.tag : t.group;
      if (t.kind === 'device') {
        const d = await ctx.db.selectFrom('devices').select('id').where('id', '=', t.deviceId).executeTakeFirst();
        if (!d) throw new TinyMLOpsError('NOT_FOUND', `device ${t.deviceId} not found`);
      }
      const assignedAt = ctx.now();
      await ctx.db
        .insertInto('assignments')
        .values({ target_kind: t.kind, target, model_id: body.modelId, version, assigned_at: assignedAt })
        .onConflict((oc) =>
          oc
            .columns(['target_kind', 'target'])
            .doUpdateSet({ model_id: body.modelId, version, assigned_at: assignedAt }),
        )
        .execute();
      return reply
        .status(201)
        .send({ schemaVersion: 1, target: t, modelId: body.modelId, version, assignedAt: assignedAt.toISOString() });
    },
  );

  app.get(
    '/api/v1/deployments',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['deployments'],
        querystring: z.strictObject({
          deviceId: Id.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
        }),
        response: { 200: DeploymentStatusList },
      },
    },
    async (req) => {
      const q = req.query as { deviceId?: string; limit: number };
      let query = ctx.db.selectFrom('devices').select(['id', 'model_id', 'model_version']);
      if (q.deviceId) query = query.where('id', '=', q.deviceId);
      const devices = await query.orderBy('id').limit(q.limit).execute();
      const items: DeploymentStatus[] = [];
      for (const d of devices) items.push(await deploymentStatus(ctx, d.id, d.model_id, d.model_version));
      return { schemaVersion: 1, items };
    },
  );

  app.get(
    '/device/v1/assignment',
    {
      preValidation: requireDevice(ctx),
      schema: { tags: ['device'], response: { 200: ModelAssignment, 204: z.null(), 304: z.null() } },
    },
    async (req, reply) => {
      const a = await resolveAssignment(ctx.db, deviceOf(req));
      if (!a) return reply.status(204).send();
      if (req.headers['if-none-match'] === a.etag) return reply.status(304).header('etag', a.etag).send();
      const v = await ctx.db
        .selectFrom('model_versions')
        .select(['bundle_sha256', 'bundle_size'])
        .where('model_id', '=', a.modelId)
        .where('version', '=', a.version)
        .executeTakeFirstOrThrow();
      const body: ModelAssignment = {
        schemaVersion: 1,
        modelId: a.modelId,
        version: a.version,
        bundleSha256: v.bundle_sha256,
        bundleSize: v.bundle_size,
        downloadPath: `/device/v1/models/${a.modelId}/versions/${a.version}/bundle`,
        assignedAt: a.assignedAt.toISOString(),
        // Devices without keys of their own then verify the bundle's signature against these.
        ...(Object.keys(ctx.config.trustedBundleKeys).length ? { trustedKeys: ctx.config.trustedBundleKeys } : {}),
      };
      return reply.header('etag', a.etag).send(body);
    },
  );

  app.post(
    '/device/v1/assignment/report',
    { preValidation: requireDevice(ctx), schema: { tags: ['device'], body: InstallReport } },
    async (req, reply) => {
      const r = req.body as InstallReport;
      const known = await ctx.db
        .selectFrom('model_versions')
        .select('version')
        .where('model_id', '=', r.modelId)
        .where('version', '=', r.version)
        .executeTakeFirst();
      if (!known) throw new TinyMLOpsError('NOT_FOUND', `model version ${r.modelId}@${r.version} not found`);
      const row = {
        device_id: deviceOf(req),
        model_id: r.modelId,
        version: r.version,
        status: r.status,
        message: r.message ?? null,
        at: r.at,
      };
      await ctx.db
        .insertInto('install_reports')
        .values(row)
        .onConflict((oc) =>
          oc
            .columns(['device_id', 'model_id', 'version'])
            .doUpdateSet({ status: r.status, message: row.message, at: r.at }),
        )
        .execute();
      return reply.status(204).send();
    },
  );
}

async function deploymentStatus(
  ctx: AppContext,
  deviceId: string,
  modelId: string | null,
  version: string | null,
): Promise<DeploymentStatus> {
  const a = await resolveAssignment(ctx.db, deviceId);
  const last = await ctx.db
    .selectFrom('install_reports')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const running = modelId && version ? { modelId, version } : null;
  return {
    deviceId,
    assigned: a ? { modelId: a.modelId, version: a.version, via: a.via } : null,
    running,
    lastReport: last
      ? {
          modelId: last.model_id,
          version: last.version,
          status: last.status,
          message: last.message,
          at: new Date(last.at).toISOString(),
        }
      : null,
    inSync: a === null || (running?.modelId === a.modelId && running.version === a.version),
  };
}
