import { DeviceConfigPatch, DeviceSettings, type OperationalMode } from '@tinymlops/contracts';
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
  /** The configuration version assigned to the device (by a rollout), if any. */
  config: NonNullable<DeviceSettings['config']> | null;
}

/**
 * Resolves a device's settings: its own rule over its group's rule over nothing, plus the
 * configuration version a rollout assigned it.
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
  const config = await assignedConfig(db, deviceId);
  return { mode, source, group: device.group_name, deviceRule, groupRule, config };
}

async function assignedConfig(db: Kysely<Database>, deviceId: string): Promise<DesiredSettings['config']> {
  const row = await db
    .selectFrom('config_assignments as a')
    .innerJoin('config_versions as v', (j) =>
      j.onRef('v.config_id', '=', 'a.config_id').onRef('v.version', '=', 'a.version'),
    )
    .select(['a.config_id', 'a.version', 'v.config'])
    .where('a.device_id', '=', deviceId)
    .executeTakeFirst();
  if (!row) return null;
  return { configId: row.config_id, version: row.version, settings: DeviceConfigPatch.parse(row.config) };
}

const configKey = (c: DesiredSettings['config'] | undefined) => (c ? `${c.configId}@${c.version}` : null);

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
  const sameConfig = configKey(previous?.config) === configKey(desired.config);
  if ((previous?.mode ?? null) === desired.mode && sameConfig) return null;
  // Nothing was ever sent and no rule applies: the device runs its own config, nothing to say.
  if (!previous && desired.mode === null && !desired.config) return null;
  const settings: DeviceSettings = {
    schemaVersion: 1,
    revision: (sent?.revision ?? 0) + 1,
    ...(desired.mode ? { mode: desired.mode } : {}),
    ...(desired.config ? { config: desired.config } : {}),
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
