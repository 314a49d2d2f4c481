import { DeviceSettings, type OperationalMode } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { issueFeedback } from '../feedback/inbox.js';

/** What the rules say for one device, and where it comes from (`config`: no rule, the device's own file). */
export interface DesiredSettings {
  mode: OperationalMode | null;
  source: 'device' | 'group' | 'config';
  group: string | null;
  deviceRule: OperationalMode | null;
  groupRule: OperationalMode | null | undefined;
}

/**
 * Resolves a device's settings: its own rule over its group's rule over nothing.
 * @example
 * const { mode, source } = await desiredSettings(ctx.db, 'dev_abc12345');
 */
export async function desiredSettings(db: Kysely<Database>, deviceId: string): Promise<DesiredSettings | null> {
  const device = await db.selectFrom('devices').select('group_name').where('id', '=', deviceId).executeTakeFirst();
  if (!device) return null;
  const rules = await db
    .selectFrom('settings_rules')
    .select(['target_kind', 'mode'])
    .where((eb) =>
      eb.or([
        eb.and([eb('target_kind', '=', 'device'), eb('target', '=', deviceId)]),
        eb.and([eb('target_kind', '=', 'group'), eb('target', '=', device.group_name ?? '')]),
      ]),
    )
    .execute();
  const ruleOf = (kind: 'device' | 'group') => rules.find((r) => r.target_kind === kind);
  const deviceRule = (ruleOf('device')?.mode ?? null) as OperationalMode | null;
  const group = ruleOf('group');
  const groupRule = group ? ((group.mode ?? null) as OperationalMode | null) : undefined;
  const mode = deviceRule ?? groupRule ?? null;
  const source = deviceRule ? 'device' : groupRule ? 'group' : 'config';
  return { mode, source, group: device.group_name, deviceRule, groupRule };
}

/**
 * Sends the device its resolved settings document when it differs from the one it was last sent
 * (a new revision through its inbox). Returns the revision sent, or null when nothing changed.
 * Call it inside a transaction.
 * @example
 * await reconcileSettings(tx, 'dev_abc12345', ctx.now());
 */
export async function reconcileSettings(tx: Kysely<Database>, deviceId: string, at: Date): Promise<number | null> {
  const desired = await desiredSettings(tx, deviceId);
  if (!desired) return null;
  const sent = await tx
    .selectFrom('device_settings_sent')
    .select(['revision', 'settings'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  const previous = sent ? DeviceSettings.parse(sent.settings) : null;
  if ((previous?.mode ?? null) === desired.mode) return null;
  // Nothing was ever sent and no rule applies: the device runs its own config, nothing to say.
  if (!previous && desired.mode === null) return null;
  const settings: DeviceSettings = {
    schemaVersion: 1,
    revision: (sent?.revision ?? 0) + 1,
    ...(desired.mode ? { mode: desired.mode } : {}),
  };
  const { feedbackId } = await issueFeedback(tx, deviceId, { decision: 'settings', at, payload: { settings } });
  const row = { revision: settings.revision, settings: JSON.stringify(settings), feedback_id: feedbackId };
  await tx
    .insertInto('device_settings_sent')
    .values({ device_id: deviceId, ...row })
    .onConflict((oc) => oc.column('device_id').doUpdateSet(row))
    .execute();
  return settings.revision;
}
