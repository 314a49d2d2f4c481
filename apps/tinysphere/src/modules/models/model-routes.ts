import { AliasName, AliasRequest, ModelVersionList, ModelVersionSummary, TinyMLOpsError, Version } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { mediaTypeOf } from '../../http/input-guard.js';
import { deviceOf, requireDevice, requireRole } from '../devices/auth.js';
import { resolveAssignment } from '../deployments/assignment.js';
import { listVersions, registerBundle, setAlias } from './model-registry.js';

const ModelId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** Model registry (/api/v1/models) and bundle download for devices. */
export function registerModelRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/api/v1/models/bundles',
    { preValidation: requireRole(ctx, 'engineer'), bodyLimit: ctx.config.maxBundleBytes, schema: {
        tags: ['models'],
        summary: 'Register a model bundle',
        description: 'The body is the bundle archive itself (tar.gz, as `tinysphere bundle build` writes it), sent as Content-Type: application/gzip; answers the registered version.',
        consumes: ['application/gzip', 'application/x-gzip'],
        response: { 201: ModelVersionSummary },
      } },
    async (req, reply) => {
      const type = mediaTypeOf(req.headers['content-type']);
      if (type !== 'application/gzip' && type !== 'application/x-gzip') throw new TinyMLOpsError('UNSUPPORTED_MEDIA_TYPE', 'bundles are uploaded as Content-Type: application/gzip');
      const bytes = await collect(req.body as Readable, ctx.config.maxBundleBytes);
      return reply.status(201).send(await registerBundle(ctx, bytes));
    },
  );
  app.get('/api/v1/models', { preValidation: requireRole(ctx, 'viewer'), schema: { tags: ['models'] } }, async () => {
    const rows = await ctx.db.selectFrom('models').select(['id', 'created_at']).orderBy('id').execute();
    return { schemaVersion: 1, items: rows.map((r) => ({ modelId: r.id, createdAt: new Date(r.created_at).toISOString() })) };
  });
  app.get(
    '/api/v1/models/:modelId/versions',
    { preValidation: requireRole(ctx, 'viewer'), schema: { tags: ['models'], params: z.strictObject({ modelId: ModelId }), response: { 200: ModelVersionList } } },
    async (req) => ({ schemaVersion: 1 as const, items: await listVersions(ctx, (req.params as { modelId: string }).modelId) }),
  );
  app.put(
    '/api/v1/models/:modelId/aliases/:alias',
    { preValidation: requireRole(ctx, 'engineer'), schema: { tags: ['models'], params: z.strictObject({ modelId: ModelId, alias: AliasName }), body: AliasRequest } },
    async (req, reply) => {
      const p = req.params as { modelId: string; alias: string };
      await setAlias(ctx, p.modelId, p.alias, (req.body as AliasRequest).version);
      return reply.status(204).send();
    },
  );
  app.get(
    '/device/v1/models/:modelId/versions/:version/bundle',
    { preValidation: requireDevice(ctx), schema: { tags: ['device'], params: z.strictObject({ modelId: ModelId, version: Version }) } },
    async (req, reply) => {
      const p = req.params as { modelId: string; version: string };
      const deviceId = deviceOf(req);
      if (!(await mayDownload(ctx, deviceId, p.modelId, p.version))) throw new TinyMLOpsError('NOT_FOUND', `bundle ${p.modelId}@${p.version} not found`);
      const v = await ctx.db.selectFrom('model_versions').select(['bundle_key', 'bundle_sha256', 'bundle_size']).where('model_id', '=', p.modelId).where('version', '=', p.version).executeTakeFirst();
      const stream = v ? await ctx.blobs.get(v.bundle_key) : null;
      if (!v || !stream) throw new TinyMLOpsError('NOT_FOUND', `bundle ${p.modelId}@${p.version} not found`);
      return reply.type('application/gzip').header('x-content-sha256', v.bundle_sha256).header('content-length', v.bundle_size).send(stream);
    },
  );
}

/**
 * A device may download only the bundle assigned to it now. Install reports are the device's own
 * claims and grant nothing (a forged "installed" report must not unlock another model); a device
 * rolls back to the bundle it keeps on its own disk, never by downloading one.
 */
async function mayDownload(ctx: AppContext, deviceId: string, modelId: string, version: string): Promise<boolean> {
  const a = await resolveAssignment(ctx.db, deviceId);
  return a !== null && a.modelId === modelId && a.version === version;
}

async function collect(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    size += (c as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new TinyMLOpsError('PAYLOAD_TOO_LARGE', `bundle exceeds ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

