import {
  HealthSignal,
  RolloutRequest,
  TinyMLOpsError,
  type RolloutAuditEntry,
  type RolloutState,
  type RolloutView,
} from '@tinymlops/contracts';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/database.js';
import type { RolloutsTable } from '../../storage/rollout-tables.js';
import type { DeployableRef } from './deployable.js';

type Tx = Kysely<Database>;
export type RolloutRow = Selectable<RolloutsTable>;

/** A rollout row with its plan parsed. */
export interface Rollout extends RolloutRow {
  readonly request: RolloutRequest;
  readonly deployable: DeployableRef;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/**
 * Loads a rollout; with `lock`, holds its row until the transaction ends so two processes (or a
 * tick and an operator) never change it at once.
 * @example
 * const r = await loadRollout(tx, 'ro_abc12345', { lock: true });
 */
export async function loadRollout(tx: Tx, id: string, o: { lock?: boolean } = {}): Promise<Rollout> {
  let q = tx.selectFrom('rollouts').selectAll().where('id', '=', id);
  if (o.lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new TinyMLOpsError('NOT_FOUND', `rollout ${id} not found`);
  return toRollout(row);
}

/** Parses a stored row. */
export function toRollout(row: RolloutRow): Rollout {
  const request = RolloutRequest.parse(row.plan);
  return { ...row, request, deployable: { kind: row.kind, id: row.deployable_id, version: row.version } };
}

/**
 * Records one state change (and the new state on the row).
 * @example
 * await recordChange(tx, r, { actor: 'alice', action: 'pause', to: 'paused', at: now });
 */
export async function recordChange(
  tx: Tx,
  r: Pick<RolloutRow, 'id' | 'state' | 'current_wave'>,
  c: { actor: string; action: string; to: RolloutState; at: Date; reason?: string | null; from?: RolloutState | null },
): Promise<void> {
  const last = await tx
    .selectFrom('rollout_audit')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('rollout_id', '=', r.id)
    .executeTakeFirst();
  await tx
    .insertInto('rollout_audit')
    .values({
      rollout_id: r.id,
      seq: Number(last?.seq ?? 0) + 1,
      at: c.at,
      actor: c.actor,
      action: c.action,
      from_state: c.from === undefined ? r.state : c.from,
      to_state: c.to,
      wave: r.current_wave,
      reason: c.reason ?? null,
    })
    .execute();
  await tx.updateTable('rollouts').set({ state: c.to, updated_at: c.at }).where('id', '=', r.id).execute();
}

/** The audit trail of a rollout, oldest first. */
export async function auditTrail(db: Tx, id: string): Promise<RolloutAuditEntry[]> {
  const rows = await db.selectFrom('rollout_audit').selectAll().where('rollout_id', '=', id).orderBy('seq').execute();
  return rows.map((a) => ({
    seq: a.seq,
    at: iso(a.at)!,
    actor: a.actor,
    action: a.action,
    fromState: a.from_state as RolloutState | null,
    toState: a.to_state as RolloutState,
    wave: a.wave,
    reason: a.reason,
  }));
}

/** The summary of a rollout (list rows and the head of the view). */
export function rolloutSummary(r: Rollout): Omit<RolloutView, 'schemaVersion' | 'waves'> {
  return {
    id: r.id,
    plan: r.request,
    version: r.version,
    state: r.state,
    currentWave: r.current_wave,
    haltReason: r.halt_reason,
    createdAt: iso(r.created_at)!,
    createdBy: r.created_by,
    updatedAt: iso(r.updated_at)!,
  };
}

const Previous = z.strictObject({ id: z.string(), version: z.string() }).nullable();

/**
 * A rollout as the dashboard shows it: its waves, each wave's devices and their state, and the
 * health last measured against the baseline.
 * @example
 * const view = await rolloutView(db, 'ro_abc12345');
 */
export async function rolloutView(db: Tx, id: string): Promise<RolloutView> {
  const r = await loadRollout(db, id);
  const waves = await db.selectFrom('rollout_waves').selectAll().where('rollout_id', '=', id).orderBy('wave').execute();
  const devices = await db
    .selectFrom('rollout_devices as rd')
    .innerJoin('devices as d', 'd.id', 'rd.device_id')
    .select(['rd.device_id', 'rd.wave', 'rd.state', 'rd.message', 'rd.previous', 'd.name'])
    .where('rd.rollout_id', '=', id)
    .orderBy('rd.device_id')
    .execute();
  return {
    schemaVersion: 1,
    ...rolloutSummary(r),
    waves: waves.map((w) => ({
      index: w.wave,
      plannedDevices: w.planned_devices,
      startedAt: iso(w.started_at),
      soakUntil: iso(w.soak_until),
      completedAt: iso(w.completed_at),
      deviceHours: Math.round(w.device_hours * 1000) / 1000,
      health: z.array(HealthSignal).parse(w.health),
      devices: devices
        .filter((d) => d.wave === w.wave)
        .map((d) => {
          const p = Previous.parse(d.previous);
          return {
            deviceId: d.device_id,
            name: d.name,
            state: d.state,
            message: d.message,
            previous: p ? `${p.id}@${p.version}` : null,
          };
        }),
    })),
  };
}
