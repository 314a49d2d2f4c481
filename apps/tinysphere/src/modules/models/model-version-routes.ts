import { BundleManifest, ModelVersionDetail, TinyMLOpsError, Version } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { listVersions } from './model-registry.js';

/** `GET /api/v1/models/:modelId/versions/:version`: a version with its bundle manifest (files and hashes). */
export function registerModelVersionRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/models/:modelId/versions/:version',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['models'],
        params: z.strictObject({ modelId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/), version: Version }),
        response: { 200: ModelVersionDetail },
      },
    },
    async (req): Promise<ModelVersionDetail> => {
      const p = req.params as { modelId: string; version: string };
      const row = await ctx.db
        .selectFrom('model_versions')
        .select('manifest')
        .where('model_id', '=', p.modelId)
        .where('version', '=', p.version)
        .executeTakeFirst();
      const summary = (await listVersions(ctx, p.modelId)).find((v) => v.version === p.version);
      if (!row || !summary) throw new TinyMLOpsError('NOT_FOUND', `model version ${p.modelId}@${p.version} not found`);
      return { schemaVersion: 1, version: summary, manifest: BundleManifest.parse(row.manifest) };
    },
  );
}
