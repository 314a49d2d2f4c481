import {
  ApiTokenRequest,
  ApiTokenResponse,
  DeviceListPage,
  DeviceSummary,
  DeviceUpdate,
  EnrolmentRequest,
  EnrolmentResponse,
  EnrolmentTokenRequest,
  EnrolmentTokenResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  Id,
  TinyMLOpsError,
} from '@tinymlops/contracts';
import type { FastifyInstance, LogLevel } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { limitEnrolments, rejectDeviceToken, requireDeviceTokenShape, requireRole } from './auth.js';
import { toDeviceSummary } from './device-view.js';
import { enrolDevice } from './enrolment.js';
import { createHeartbeatRecorder } from './heartbeat.js';
import { createApiToken, createEnrolmentToken } from './tokens.js';

const DeviceListQuery = z.strictObject({
  offset: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  group: z.string().optional(),
  tag: z.string().optional(),
  online: z.enum(['true', 'false']).optional(),
  q: z.string().max(128).optional(),
});
const DeviceParams = z.strictObject({ deviceId: Id });

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/**
 * Heartbeats come by the thousand per second and are counted in /metrics; at the default level
 * (info) two request log lines each would cost a quarter of the server's CPU per heartbeat, so
 * at info their route logs at warn; at any other level it logs like the rest of the server.
 */
function heartbeatLogLevel(app: FastifyInstance): LogLevel {
  const level = LOG_LEVELS.find((l) => l === app.log.level) ?? 'info';
  return level === 'info' ? 'warn' : level;
}

/** Device enrolment and heartbeat (/device/v1), device management and tokens (/api/v1). */
export function registerDeviceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const heartbeats = createHeartbeatRecorder(ctx, { rateLimit: app.deviceGate.rateLimit });
  app.post(
    '/device/v1/enrol',
    {
      onRequest: limitEnrolments(ctx),
      schema: { tags: ['device'], body: EnrolmentRequest, response: { 201: EnrolmentResponse } },
    },
    async (req, reply) => reply.status(201).send(await enrolDevice(ctx, req.body as EnrolmentRequest)),
  );
  app.post(
    '/device/v1/heartbeat',
    {
      preValidation: requireDeviceTokenShape(ctx),
      logLevel: heartbeatLogLevel(app),
      schema: { tags: ['device'], body: HeartbeatRequest, response: { 200: HeartbeatResponse } },
    },
    async (req) =>
      heartbeats.record(req.headers.authorization, req.body as HeartbeatRequest).catch((err: unknown) => {
        throw err instanceof TinyMLOpsError ? rejectDeviceToken(req, ctx, err) : err;
      }),
  );
  app.get(
    '/api/v1/devices',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['devices'], querystring: DeviceListQuery, response: { 200: DeviceListPage } },
    },
    async (req) => listDevices(ctx, req.query as z.infer<typeof DeviceListQuery>),
  );
  app.get(
    '/api/v1/devices/:deviceId',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['devices'], params: DeviceParams, response: { 200: DeviceSummary } },
    },
    async (req) => getDevice(ctx, (req.params as { deviceId: string }).deviceId),
  );
  app.patch(
    '/api/v1/devices/:deviceId',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: { tags: ['devices'], params: DeviceParams, body: DeviceUpdate, response: { 200: DeviceSummary } },
    },
    async (req) => updateDevice(ctx, (req.params as { deviceId: string }).deviceId, req.body as DeviceUpdate),
  );
  app.post(
    '/api/v1/enrolment-tokens',
    {
      preValidation: requireRole(ctx, 'admin'),
      schema: { tags: ['access'], body: EnrolmentTokenRequest, response: { 201: EnrolmentTokenResponse } },
    },
    async (req, reply) => {
      const body = req.body as EnrolmentTokenRequest;
      return reply
        .status(201)
        .send(
          await createEnrolmentToken(ctx.db, { uses: body.uses, expiresInSeconds: body.expiresInSeconds }, ctx.now()),
        );
    },
  );
  app.post(
    '/api/v1/api-tokens',
    {
      preValidation: requireRole(ctx, 'admin'),
      schema: { tags: ['access'], body: ApiTokenRequest, response: { 201: ApiTokenResponse } },
    },
    async (req, reply) => {
      const body = req.body as ApiTokenRequest;
      return reply.status(201).send(await createApiToken(ctx.db, body.name, body.role));
    },
  );
}

async function listDevices(ctx: AppContext, q: z.infer<typeof DeviceListQuery>): Promise<DeviceListPage> {
  const now = ctx.now();
  const cutoff = new Date(now.getTime() - ctx.config.offlineAfterSeconds * 1000);
  let base = ctx.db.selectFrom('devices');
  if (q.group) base = base.where('group_name', '=', q.group);
  if (q.tag) base = base.where(sql<boolean>`tags @> ${JSON.stringify([q.tag])}::jsonb`);
  if (q.q)
    base = base.where((eb) =>
      eb.or([
        eb('name', 'ilike', `%${escapeLike(q.q ?? '')}%`),
        eb('hardware_id', 'ilike', `%${escapeLike(q.q ?? '')}%`),
      ]),
    );
  if (q.online === 'true') base = base.where('last_seen_at', '>=', cutoff);
  if (q.online === 'false')
    base = base.where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', cutoff)]));
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('enrolled_at', 'desc')
    .orderBy('id')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return {
    schemaVersion: 1,
    items: rows.map((r) => toDeviceSummary(r, now, ctx.config.offlineAfterSeconds)),
    total: Number(total.n),
    offset: q.offset,
    limit: q.limit,
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

async function getDevice(ctx: AppContext, deviceId: string): Promise<DeviceSummary> {
  const row = await ctx.db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirst();
  if (!row) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
  return toDeviceSummary(row, ctx.now(), ctx.config.offlineAfterSeconds);
}

async function updateDevice(ctx: AppContext, deviceId: string, u: DeviceUpdate): Promise<DeviceSummary> {
  const set = {
    ...(u.name !== undefined ? { name: u.name } : {}),
    ...(u.tags !== undefined ? { tags: JSON.stringify(u.tags) } : {}),
    ...(u.group !== undefined ? { group_name: u.group } : {}),
    ...(u.location !== undefined ? { location: u.location === null ? null : JSON.stringify(u.location) } : {}),
  };
  if (Object.keys(set).length > 0) {
    const r = await ctx.db.updateTable('devices').set(set).where('id', '=', deviceId).executeTakeFirst();
    if (r.numUpdatedRows === 0n) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
  }
  return getDevice(ctx, deviceId);
}
