import {
  ConfigId,
  ConfigVersion,
  ConfigVersionList,
  ConfigVersionRequest,
  DeviceConfigPatch,
  TinyMLOpsError,
  Version,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import type { ConfigVersionsTable } from '../../storage/rollout-tables.js';
import { requireRole } from '../devices/auth.js';

type ConfigRow = Selectable<ConfigVersionsTable>;

/**
 * Configuration versions (/api/v1/configs): immutable, schema-checked sets of the settings the
 * server may change on a device. A version reaches devices only through a rollout.
 */
export function registerConfigVersionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const params = z.strictObject({ configId: ConfigId });
  app.post(
    '/api/v1/configs/:configId/versions',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['configs'], params, body: ConfigVersionRequest, response: { 201: ConfigVersion } },
    },
    async (req, reply) => {
      const { configId } = req.params as { configId: string };
      const body = req.body as ConfigVersionRequest;
      const row = {
        config_id: configId,
        version: body.version,
        description: body.description ?? null,
        config: JSON.stringify(body.config),
        created_at: ctx.now(),
        created_by: req.person?.name ?? null,
      };
      const inserted = await ctx.db
        .insertInto('config_versions')
        .values(row)
        .onConflict((oc) => oc.columns(['config_id', 'version']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted)
        throw new TinyMLOpsError('CONFLICT', `config ${configId}@${body.version} exists; versions are immutable`);
      return reply.status(201).send(configView(inserted));
    },
  );
  app.get(
    '/api/v1/configs',
    { preValidation: requireRole(ctx, 'viewer'), schema: { tags: ['configs'], response: { 200: ConfigVersionList } } },
    async () => {
      const rows = await ctx.db
        .selectFrom('config_versions')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('config_id')
        .limit(500)
        .execute();
      return {
        schemaVersion: 1,
        items: rows.map((r) => {
          const { schemaVersion: _, ...item } = configView(r);
          return item;
        }),
      };
    },
  );
  app.get(
    '/api/v1/configs/:configId/versions/:version',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: {
        tags: ['configs'],
        params: params.extend({ version: Version }),
        response: { 200: ConfigVersion },
      },
    },
    async (req) => {
      const { configId, version } = req.params as { configId: string; version: string };
      const row = await findConfigVersion(ctx, configId, version);
      if (!row) throw new TinyMLOpsError('NOT_FOUND', `config ${configId}@${version} not found`);
      return configView(row);
    },
  );
}

/**
 * One stored configuration version, or undefined.
 * @example
 * const row = await findConfigVersion(ctx, 'shelf-cameras', '1.1.0');
 */
export function findConfigVersion(ctx: Pick<AppContext, 'db'>, configId: string, version: string) {
  return ctx.db
    .selectFrom('config_versions')
    .selectAll()
    .where('config_id', '=', configId)
    .where('version', '=', version)
    .executeTakeFirst();
}

function configView(r: ConfigRow): ConfigVersion {
  return {
    schemaVersion: 1,
    configId: r.config_id,
    version: r.version,
    description: r.description,
    config: DeviceConfigPatch.parse(r.config),
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
  };
}
