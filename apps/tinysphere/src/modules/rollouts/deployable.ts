import { DeviceSettings } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { reconcileSettings } from '../device-settings/settings-resolution.js';

/** What a rollout puts on a device: a model version or a configuration version. */
export interface DeployableRef {
  kind: 'model' | 'config';
  /** The model id or the config id. */
  id: string;
  version: string;
}

/** The device's own assignment before the rollout reached it (null: it had none of its own). */
export type PreviousAssignment = { id: string; version: string } | null;

/** How far one device got with the new version. */
export interface DeviceProgress {
  state: 'assigned' | 'installed' | 'failed';
  message: string | null;
  /** When the device says it happened (its clock; the caller clamps it), null when unknown. */
  at: Date | null;
}

type Tx = Kysely<Database>;

/**
 * Gives one device the new version (a device-level assignment, which wins over group and tag
 * ones) and returns what it had of its own before, for a rollback.
 * @example
 * const previous = await assignDeployable(tx, { kind: 'model', id: 'm', version: '2.0.0' }, deviceId, now);
 */
export async function assignDeployable(tx: Tx, d: DeployableRef, deviceId: string, at: Date) {
  const previous = await ownAssignment(tx, d.kind, deviceId);
  await setOwnAssignment(tx, d.kind, deviceId, { id: d.id, version: d.version }, at);
  return previous;
}

/**
 * Puts back what a device had before the rollout (its own assignment, or none so its group's
 * or tag's applies again).
 * @example
 * await restoreDeployable(tx, 'model', deviceId, previous, now);
 */
export async function restoreDeployable(
  tx: Tx,
  kind: DeployableRef['kind'],
  deviceId: string,
  p: PreviousAssignment,
  at: Date,
) {
  await setOwnAssignment(tx, kind, deviceId, p, at);
}

async function ownAssignment(tx: Tx, kind: DeployableRef['kind'], deviceId: string): Promise<PreviousAssignment> {
  if (kind === 'model') {
    const r = await tx
      .selectFrom('assignments')
      .select(['model_id', 'version'])
      .where('target_kind', '=', 'device')
      .where('target', '=', deviceId)
      .executeTakeFirst();
    return r ? { id: r.model_id, version: r.version } : null;
  }
  const r = await tx
    .selectFrom('config_assignments')
    .select(['config_id', 'version'])
    .where('device_id', '=', deviceId)
    .executeTakeFirst();
  return r ? { id: r.config_id, version: r.version } : null;
}

async function setOwnAssignment(
  tx: Tx,
  kind: DeployableRef['kind'],
  deviceId: string,
  to: PreviousAssignment,
  at: Date,
) {
  if (kind === 'model') {
    const own = tx.deleteFrom('assignments').where('target_kind', '=', 'device').where('target', '=', deviceId);
    if (!to) return void (await own.execute());
    const row = { model_id: to.id, version: to.version, assigned_at: at };
    await tx
      .insertInto('assignments')
      .values({ target_kind: 'device', target: deviceId, ...row })
      .onConflict((oc) => oc.columns(['target_kind', 'target']).doUpdateSet(row))
      .execute();
    return;
  }
  if (!to) await tx.deleteFrom('config_assignments').where('device_id', '=', deviceId).execute();
  else {
    const row = { config_id: to.id, version: to.version, assigned_at: at };
    await tx
      .insertInto('config_assignments')
      .values({ device_id: deviceId, ...row })
      .onConflict((oc) => oc.column('device_id').doUpdateSet(row))
      .execute();
  }
  // A configuration travels in the device's settings document: send the new one now.
  await reconcileSettings(tx, deviceId, at);
}

/**
 * Where each device stands with the new version: a model is installed once the device reports
 * it (or runs it), failed when it reported a failed or rolled-back install; a configuration is
 * installed once the device applied its settings document, failed when it rejected it.
 * @example
 * const progress = await deployableProgress(db, ref, ['dev_a', 'dev_b']);
 */
export async function deployableProgress(db: Tx, d: DeployableRef, deviceIds: readonly string[]) {
  const out = new Map<string, DeviceProgress>();
  if (deviceIds.length === 0) return out;
  if (d.kind === 'model') {
    const running = await db
      .selectFrom('devices')
      .select(['id', 'model_id', 'model_version'])
      .where('id', 'in', deviceIds)
      .execute();
    const reports = await db
      .selectFrom('install_reports')
      .select(['device_id', 'status', 'message', 'at'])
      .where('device_id', 'in', deviceIds)
      .where('model_id', '=', d.id)
      .where('version', '=', d.version)
      .execute();
    for (const r of running)
      if (r.model_id === d.id && r.model_version === d.version)
        out.set(r.id, { state: 'installed', message: null, at: null });
    for (const r of reports) {
      const at = new Date(r.at);
      if (r.status === 'installed') out.set(r.device_id, { state: 'installed', message: null, at });
      else if ((r.status === 'failed' || r.status === 'rolled-back') && !out.has(r.device_id))
        out.set(r.device_id, { state: 'failed', message: r.message ?? r.status, at });
    }
    return out;
  }
  const rows = await db
    .selectFrom('device_settings_sent as s')
    .innerJoin('feedback as f', (j) =>
      j.onRef('f.device_id', '=', 's.device_id').onRef('f.feedback_id', '=', 's.feedback_id'),
    )
    .select(['s.device_id', 's.settings', 'f.outcome', 'f.outcome_reason', 'f.outcome_at'])
    .where('s.device_id', 'in', deviceIds)
    .execute();
  for (const r of rows) {
    const sent = DeviceSettings.parse(r.settings).config;
    if (sent?.configId !== d.id || sent.version !== d.version || !r.outcome) continue;
    const at = r.outcome_at ? new Date(r.outcome_at) : null;
    if (r.outcome === 'applied' || r.outcome === 'merged')
      out.set(r.device_id, { state: 'installed', message: r.outcome_reason, at });
    else if (r.outcome === 'rejected')
      out.set(r.device_id, { state: 'failed', message: r.outcome_reason ?? 'rejected', at });
  }
  return out;
}
