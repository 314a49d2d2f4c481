import { DEVICE_TABLE_SORTS, DeviceTablePage, OPERATIONAL_MODES, DEVICE_STATUSES } from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from './auth.js';
import { toDeviceSummary } from './device-view.js';

const TableQuery = z.strictObject({
  q: z.string().max(128).optional(),
  connectivity: z.enum(['online', 'offline']).optional(),
  status: z.enum(DEVICE_STATUSES).optional(),
  mode: z.enum(OPERATIONAL_MODES).optional(),
  model: z.string().max(140).optional(),
  sort: z.enum(DEVICE_TABLE_SORTS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const ORDER = {
  name: sql`d.name`,
  lastSeen: sql`d.last_seen_at`,
  model: sql`d.model_id || '@' || d.model_version`,
  mode: sql`d.mode`,
  status: sql`d.status`,
  drift: sql`drift`,
} as const;

/** `GET /api/v1/fleet/devices`: the dashboard's device table (search, filters, sort, drift rate). */
export function registerDeviceTableRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/fleet/devices',
    {
      preHandler: requireRole(ctx, 'viewer'),
      schema: { tags: ['devices'], querystring: TableQuery, response: { 200: DeviceTablePage } },
    },
    async (req): Promise<DeviceTablePage> => {
      const q = req.query as z.infer<typeof TableQuery>;
      const now = ctx.now();
      const cutoff = new Date(now.getTime() - ctx.config.offlineAfterSeconds * 1000);
      const since = new Date(now.getTime() - 7 * 86_400_000);
      const like = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
      const where = sql.join(
        [
          sql`true`,
          like ? sql`(d.name ILIKE ${like} OR d.hardware_id ILIKE ${like} OR d.id ILIKE ${like})` : null,
          q.connectivity === 'online' ? sql`d.last_seen_at >= ${cutoff}` : null,
          q.connectivity === 'offline' ? sql`(d.last_seen_at IS NULL OR d.last_seen_at < ${cutoff})` : null,
          q.status ? sql`d.status = ${q.status}` : null,
          q.mode ? sql`d.mode = ${q.mode}` : null,
          q.model ? sql`d.model_id || '@' || d.model_version = ${q.model}` : null,
        ].filter((p) => p !== null),
        sql` AND `,
      );
      const dir = q.dir === 'asc' ? sql`ASC NULLS LAST` : sql`DESC NULLS LAST`;
      const rows = await sql<Record<string, unknown> & { drift: number; total: number }>`
        SELECT d.*, count(*) OVER ()::int AS total,
               (SELECT count(*)::int FROM drift_episodes e WHERE e.device_id = d.id AND e.started_at >= ${since}) AS drift
        FROM devices d WHERE ${where}
        ORDER BY ${ORDER[q.sort]} ${dir}, d.id
        OFFSET ${q.offset} LIMIT ${q.limit}`.execute(ctx.db);
      const total = rows.rows[0]?.total ?? (q.offset > 0 ? await countAll(ctx, where) : 0);
      return {
        schemaVersion: 1,
        items: rows.rows.map((r) => ({
          device: toDeviceSummary(r as never, now, ctx.config.offlineAfterSeconds),
          driftEpisodes7d: r.drift,
        })),
        total,
        offset: q.offset,
        limit: q.limit,
      };
    },
  );
}

async function countAll(ctx: AppContext, where: ReturnType<typeof sql.join>): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM devices d WHERE ${where}`.execute(ctx.db);
  return r.rows[0]?.n ?? 0;
}
