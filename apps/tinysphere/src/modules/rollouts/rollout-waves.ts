import type { RolloutTarget } from '@tinymlops/contracts';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { assignDeployable, restoreDeployable, type PreviousAssignment } from './deployable.js';
import type { Rollout } from './rollout-store.js';
import { rolloutOrder } from './wave-plan.js';

type Tx = Kysely<Database>;

/**
 * The ids of the devices a target covers, sorted.
 * @example
 * await targetDevices(db, { kind: 'group', group: 'shelf' });
 */
export async function targetDevices(db: Tx, t: RolloutTarget): Promise<string[]> {
  let q = db.selectFrom('devices').select('id');
  if (t.kind === 'group') q = q.where('group_name', '=', t.group);
  if (t.kind === 'tag') q = q.where(sql<boolean>`tags ? ${t.tag}`);
  return (await q.orderBy('id').execute()).map((d) => d.id);
}

/**
 * Starts wave `wave`: gives the next devices in the rollout's order the new version, up to the
 * wave's cumulative size (the last wave: every device the target covers now, newcomers too).
 * Returns how many devices it reached.
 * @example
 * await startWave(tx, rollout, 1, now);
 */
export async function startWave(tx: Tx, r: Rollout, wave: number, at: Date): Promise<number> {
  const planned = await tx
    .selectFrom('rollout_waves')
    .select('planned_devices')
    .where('rollout_id', '=', r.id)
    .where('wave', '=', wave)
    .executeTakeFirstOrThrow();
  const reached = new Set(
    (await tx.selectFrom('rollout_devices').select('device_id').where('rollout_id', '=', r.id).execute()).map(
      (d) => d.device_id,
    ),
  );
  const last = wave === r.request.waves.length - 1;
  const order = rolloutOrder(r.id, await targetDevices(tx, r.request.target));
  const want = last ? order.length : planned.planned_devices;
  const next = order.filter((id) => !reached.has(id)).slice(0, Math.max(0, want - reached.size));
  for (const deviceId of next) {
    const previous = await assignDeployable(tx, r.deployable, deviceId, at);
    await tx
      .insertInto('rollout_devices')
      .values({
        rollout_id: r.id,
        device_id: deviceId,
        wave,
        state: 'assigned',
        message: null,
        previous: JSON.stringify(previous),
        assigned_at: at,
        installed_at: null,
        last_uptime: null,
      })
      .execute();
  }
  const soakUntil = new Date(at.getTime() + r.request.soakSeconds * 1000);
  await tx
    .updateTable('rollout_waves')
    .set({ started_at: at, soak_until: soakUntil, planned_devices: reached.size + next.length })
    .where('rollout_id', '=', r.id)
    .where('wave', '=', wave)
    .execute();
  await tx.updateTable('rollouts').set({ current_wave: wave, updated_at: at }).where('id', '=', r.id).execute();
  return next.length;
}

/**
 * Sends every device the rollout reached back to what it ran before; returns how many.
 * @example
 * await rollBackDevices(tx, rollout, now);
 */
export async function rollBackDevices(tx: Tx, r: Rollout, at: Date): Promise<number> {
  const devices = await tx
    .selectFrom('rollout_devices')
    .select(['device_id', 'previous'])
    .where('rollout_id', '=', r.id)
    .where('state', '!=', 'rolled-back')
    .execute();
  for (const d of devices) {
    await restoreDeployable(tx, r.deployable.kind, d.device_id, d.previous as PreviousAssignment, at);
    await tx
      .updateTable('rollout_devices')
      .set({ state: 'rolled-back' })
      .where('rollout_id', '=', r.id)
      .where('device_id', '=', d.device_id)
      .execute();
  }
  return devices.length;
}
