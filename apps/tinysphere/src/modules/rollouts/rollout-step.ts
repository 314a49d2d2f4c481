import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { deployableProgress } from './deployable.js';
import { recordChange, type Rollout } from './rollout-store.js';
import { rollBackDevices, startWave, targetDevices } from './rollout-waves.js';
import { evidenceInFlight, gatherEvidence, type DeviceWindow, type Evidence } from './wave-evidence.js';
import { haltReason, judgeWave } from './wave-health.js';

type Tx = Kysely<Database>;

/** What one step did to a rollout. */
export type StepOutcome = 'idle' | 'soaking' | 'promoted' | 'completed' | 'halted';

/**
 * One step of a running rollout (call it with the row locked): updates its current wave's
 * devices (installed, failed, restarts), measures the wave's health against the baseline, halts
 * (and rolls back, if the plan says so) on a breach, and starts the next wave, or completes, once
 * a healthy wave has soaked.
 * @example
 * await ctx.db.transaction().execute(async (tx) => stepRollout(tx, await loadRollout(tx, id, { lock: true }), now));
 */
export async function stepRollout(tx: Tx, r: Rollout, now: Date): Promise<StepOutcome> {
  if (r.state !== 'running') return 'idle';
  const wave = await tx
    .selectFrom('rollout_waves')
    .selectAll()
    .where('rollout_id', '=', r.id)
    .where('wave', '=', r.current_wave)
    .executeTakeFirstOrThrow();
  const devices = await refreshDevices(tx, r, now);
  const inWave = devices.filter((d) => d.wave === r.current_wave);
  const installed = devices.filter((d) => d.installed_at !== null && d.state === 'installed');
  const windows: DeviceWindow[] = installed.map((d) => ({ deviceId: d.device_id, from: new Date(d.installed_at!) }));
  const candidate = {
    ...(await gatherEvidence(tx, windows, now)),
    devices: inWave.length,
    failedInstalls: inWave.filter((d) => d.state === 'failed').length,
    restarts: inWave.reduce((n, d) => n + d.restarts, 0),
  };
  const soaked = wave.soak_until !== null && now >= new Date(wave.soak_until);
  const judgeRates = soaked || candidate.deviceHours >= r.request.thresholds.minDeviceHours;
  const signals = judgeWave(candidate, await baseline(tx, r, devices, now), r.request.thresholds, judgeRates);
  await tx
    .updateTable('rollout_waves')
    .set({ health: JSON.stringify(signals), device_hours: candidate.deviceHours })
    .where('rollout_id', '=', r.id)
    .where('wave', '=', r.current_wave)
    .execute();
  const reason = haltReason(r.current_wave, signals);
  if (reason) {
    await halt(tx, r, reason, now);
    return 'halted';
  }
  // A wave moves on once every device of it has answered (an offline one holds it: promote or abort)
  // and has reported past the soak, everything ingested: a late drift package must count first.
  const waiting = inWave.some((d) => d.state === 'assigned');
  if (!soaked || !r.request.autoPromote || installed.length === 0 || waiting) return 'soaking';
  const reporters = installed.filter((d) => d.wave === r.current_wave).map((d) => d.device_id);
  if ((await evidenceInFlight(tx, reporters, new Date(wave.soak_until!))).length > 0) return 'soaking';
  return promote(tx, r, 'system', now, null);
}

/**
 * Ends the current wave and starts the next one, or completes the rollout after the last.
 * @example
 * await promote(tx, rollout, 'alice', now, 'canary looks fine');
 */
export async function promote(tx: Tx, r: Rollout, actor: string, at: Date, reason: string | null) {
  await tx
    .updateTable('rollout_waves')
    .set({ completed_at: at })
    .where('rollout_id', '=', r.id)
    .where('wave', '=', r.current_wave)
    .execute();
  if (r.current_wave >= r.request.waves.length - 1) {
    await recordChange(tx, r, { actor, action: 'complete', to: 'completed', at, reason });
    return 'completed' as const;
  }
  await recordChange(tx, r, { actor, action: 'promote', to: 'running', at, reason });
  const reached = await startWave(tx, r, r.current_wave + 1, at);
  await recordChange(
    tx,
    { ...r, state: 'running', current_wave: r.current_wave + 1 },
    {
      actor,
      action: 'start-wave',
      to: 'running',
      at,
      reason: `${reached} more devices`,
    },
  );
  return 'promoted' as const;
}

/** Halts a rollout, and rolls back every device it reached when its plan says so. */
export async function halt(tx: Tx, r: Rollout, reason: string, at: Date): Promise<void> {
  await tx.updateTable('rollouts').set({ halt_reason: reason }).where('id', '=', r.id).execute();
  await recordChange(tx, r, { actor: 'system', action: 'halt', to: 'halted', at, reason });
  if (!r.request.rollbackOnHalt) return;
  const n = await rollBackDevices(tx, r, at);
  await recordChange(
    tx,
    { ...r, state: 'halted' },
    {
      actor: 'system',
      action: 'rollback',
      to: 'halted',
      at,
      reason: `${n} devices sent back to their previous version`,
    },
  );
}

/** Reads the rollout's devices after folding in install reports, settings outcomes and restarts. */
async function refreshDevices(tx: Tx, r: Rollout, now: Date) {
  const rows = await tx
    .selectFrom('rollout_devices as rd')
    .innerJoin('devices as d', 'd.id', 'rd.device_id')
    .select([
      'rd.device_id',
      'rd.wave',
      'rd.state',
      'rd.assigned_at',
      'rd.installed_at',
      'rd.restarts',
      'rd.last_uptime',
      'd.uptime_seconds',
    ])
    .where('rd.rollout_id', '=', r.id)
    .execute();
  const waiting = rows.filter((d) => d.state === 'assigned').map((d) => d.device_id);
  const progress = await deployableProgress(tx, r.deployable, waiting);
  for (const d of rows) {
    const p = progress.get(d.device_id);
    // A device program that started again reports a smaller uptime than last time.
    const restarted = d.last_uptime !== null && d.uptime_seconds !== null && d.uptime_seconds < d.last_uptime;
    const changes = {
      ...(p && p.state !== 'assigned'
        ? { state: p.state, message: p.message, installed_at: clampTime(p.at, new Date(d.assigned_at), now) }
        : {}),
      ...(d.uptime_seconds !== null ? { last_uptime: d.uptime_seconds } : {}),
      ...(restarted ? { restarts: d.restarts + 1 } : {}),
    };
    if (Object.keys(changes).length === 0) continue;
    await tx
      .updateTable('rollout_devices')
      .set(changes)
      .where('rollout_id', '=', r.id)
      .where('device_id', '=', d.device_id)
      .execute();
    Object.assign(d, changes);
  }
  return rows;
}

/** A device-reported time, kept between the assignment and now (device clocks are not trusted further). */
function clampTime(at: Date | null, from: Date, to: Date): Date {
  const t = at?.getTime() ?? to.getTime();
  return new Date(Math.min(to.getTime(), Math.max(from.getTime(), t)));
}

/**
 * The baseline: the target's devices the rollout has not reached, over the current wave's time;
 * or (when there are none, or the plan asks for it) the wave's own devices over an equally long
 * window (at least an hour) before the rollout started.
 */
async function baseline(
  tx: Tx,
  r: Rollout,
  devices: { device_id: string; wave: number }[],
  now: Date,
): Promise<Evidence | null> {
  const waveStart = await tx
    .selectFrom('rollout_waves')
    .select('started_at')
    .where('rollout_id', '=', r.id)
    .where('wave', '=', r.current_wave)
    .executeTakeFirstOrThrow();
  if (r.request.baseline === 'rest-of-fleet') {
    const reached = new Set(devices.map((d) => d.device_id));
    const rest = (await targetDevices(tx, r.request.target)).filter((id) => !reached.has(id));
    const from = new Date(waveStart.started_at ?? now);
    const e = await gatherEvidence(
      tx,
      rest.map((deviceId) => ({ deviceId, from })),
      now,
    );
    if (e.deviceHours > 0) return e;
  }
  const created = new Date(r.created_at);
  const span = Math.max(r.request.soakSeconds, 3600) * 1000;
  const from = new Date(created.getTime() - span);
  const own = devices.filter((d) => d.wave === r.current_wave).map((d) => ({ deviceId: d.device_id, from }));
  const e = await gatherEvidence(tx, own, created);
  return e.deviceHours > 0 ? e : null;
}
