import {
  DeviceSettingsRule,
  DeviceSettingsView,
  GroupSettingsResult,
  Id,
  TinyMLOpsError,
  type DeliveryStatus,
} from '@tinymlops/contracts';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app-context.js';
import { requireRole } from '../devices/auth.js';
import { desiredSettings, reconcileSettings } from './settings-resolution.js';

const GroupName = z.string().min(1).max(64);

/**
 * Server-controlled device settings (the operational mode): rules per device or group, applied by
 * the device without a restart once it pulls them from its inbox; the view shows what was sent
 * and what the device did with it.
 */
export function registerDeviceSettingsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/api/v1/devices/:deviceId/settings',
    {
      preValidation: requireRole(ctx, 'viewer'),
      schema: { tags: ['settings'], params: z.strictObject({ deviceId: Id }), response: { 200: DeviceSettingsView } },
    },
    async (req) => settingsView(ctx, (req.params as { deviceId: string }).deviceId),
  );
  app.put(
    '/api/v1/settings/devices/:deviceId',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: {
        tags: ['settings'],
        params: z.strictObject({ deviceId: Id }),
        body: DeviceSettingsRule,
        response: { 200: DeviceSettingsView },
      },
    },
    async (req) => {
      const { deviceId } = req.params as { deviceId: string };
      if (!(await desiredSettings(ctx.db, deviceId)))
        throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
      await setRule(ctx, 'device', deviceId, req.body as DeviceSettingsRule);
      return settingsView(ctx, deviceId);
    },
  );
  app.put(
    '/api/v1/settings/groups/:group',
    {
      preValidation: requireRole(ctx, 'engineer'),
      schema: {
        tags: ['settings'],
        params: z.strictObject({ group: GroupName }),
        body: DeviceSettingsRule,
        response: { 200: GroupSettingsResult },
      },
    },
    async (req): Promise<GroupSettingsResult> => {
      const { group } = req.params as { group: string };
      const devices = await setRule(ctx, 'group', group, req.body as DeviceSettingsRule);
      return { schemaVersion: 1, group, devicesUpdated: devices };
    },
  );
}

/** Stores (or clears) a rule and re-sends settings to every device it touches; returns how many got new ones. */
async function setRule(ctx: AppContext, kind: 'device' | 'group', target: string, rule: DeviceSettingsRule) {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    if (rule.mode === null)
      await tx.deleteFrom('settings_rules').where('target_kind', '=', kind).where('target', '=', target).execute();
    else
      await tx
        .insertInto('settings_rules')
        .values({ target_kind: kind, target, mode: rule.mode, updated_at: now })
        .onConflict((oc) => oc.columns(['target_kind', 'target']).doUpdateSet({ mode: rule.mode, updated_at: now }))
        .execute();
    const ids =
      kind === 'device'
        ? [target]
        : (await tx.selectFrom('devices').select('id').where('group_name', '=', target).orderBy('id').execute()).map(
            (d) => d.id,
          );
    let updated = 0;
    for (const id of ids) if ((await reconcileSettings(tx, id, now)) !== null) updated++;
    return updated;
  });
}

async function settingsView(ctx: AppContext, deviceId: string): Promise<DeviceSettingsView> {
  const desired = await desiredSettings(ctx.db, deviceId);
  if (!desired) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
  const row = await ctx.db
    .selectFrom('devices as d')
    .leftJoin('device_settings_sent as s', 's.device_id', 'd.id')
    .leftJoin('feedback as f', (j) => j.onRef('f.device_id', '=', 'd.id').onRef('f.feedback_id', '=', 's.feedback_id'))
    .select(['d.mode', 's.revision', 'f.validated_at', 'f.outcome', 'f.outcome_reason'])
    .where('d.id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return {
    schemaVersion: 1,
    deviceId,
    group: desired.group,
    rules: {
      device: { mode: desired.deviceRule },
      group: desired.groupRule === undefined ? null : { mode: desired.groupRule },
    },
    desired: { mode: desired.mode, source: desired.source },
    reportedMode: (row.mode ?? null) as DeviceSettingsView['reportedMode'],
    delivery:
      row.revision && row.validated_at
        ? {
            revision: row.revision,
            issuedAt: new Date(row.validated_at).toISOString(),
            status: (row.outcome ?? 'queued') as DeliveryStatus,
            reason: row.outcome_reason,
          }
        : null,
  };
}
