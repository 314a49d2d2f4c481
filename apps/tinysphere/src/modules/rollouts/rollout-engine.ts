import { randomBytes } from 'node:crypto';
import { ROLLOUT_ACTION_STATES, TinyMLOpsError, type RolloutAction, type RolloutRequest } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { resolveAlias } from '../models/model-registry.js';
import { findConfigVersion } from '../configs/config-version-routes.js';
import { loadRollout, recordChange, toRollout } from './rollout-store.js';
import { promote, stepRollout, type StepOutcome } from './rollout-step.js';
import { rollBackDevices, startWave, targetDevices } from './rollout-waves.js';
import { cumulativeWaveSizes } from './wave-plan.js';

type Ctx = Pick<AppContext, 'db' | 'now'>;

/**
 * Starts a rollout: checks the version exists and no other active rollout of the same kind
 * covers any of the target's devices, plans the waves and starts the first.
 * @example
 * const id = await createRollout(ctx, RolloutRequest.parse({ deployable, target: { kind: 'all' } }), 'alice');
 */
export async function createRollout(ctx: Ctx & Pick<AppContext, 'config'>, req: RolloutRequest, actor: string) {
  const d = req.deployable;
  const version =
    d.kind === 'model' ? (d.version ?? (await resolveAlias(ctx as AppContext, d.modelId, d.alias ?? ''))) : d.version;
  const id = d.kind === 'model' ? d.modelId : d.configId;
  await requireVersion(ctx, d.kind, id, version);
  const devices = await targetDevices(ctx.db, req.target);
  if (devices.length === 0) throw new TinyMLOpsError('NOT_FOUND', 'the target covers no devices');
  const now = ctx.now();
  const rolloutId = `ro_${randomBytes(9).toString('base64url')}`;
  await ctx.db.transaction().execute(async (tx) => {
    await requireNoOverlap(tx, d.kind, devices);
    const row = {
      id: rolloutId,
      kind: d.kind,
      deployable_id: id,
      version,
      plan: JSON.stringify(req),
      state: 'running' as const,
      current_wave: 0,
      halt_reason: null,
      created_at: now,
      created_by: actor,
      updated_at: now,
    };
    const inserted = await tx.insertInto('rollouts').values(row).returningAll().executeTakeFirstOrThrow();
    const sizes = cumulativeWaveSizes(req.waves, devices.length);
    await tx
      .insertInto('rollout_waves')
      .values(sizes.map((n, wave) => ({ rollout_id: rolloutId, wave, planned_devices: n })))
      .execute();
    const r = toRollout(inserted);
    await recordChange(tx, r, { actor, action: 'create', to: 'running', at: now, from: null });
    const reached = await startWave(tx, r, 0, now);
    await recordChange(tx, r, { actor, action: 'start-wave', to: 'running', at: now, reason: `${reached} devices` });
  });
  return rolloutId;
}

async function requireVersion(ctx: Ctx, kind: 'model' | 'config', id: string, version: string) {
  const found =
    kind === 'model'
      ? await ctx.db
          .selectFrom('model_versions')
          .select('version')
          .where('model_id', '=', id)
          .where('version', '=', version)
          .executeTakeFirst()
      : await findConfigVersion(ctx, id, version);
  if (!found) throw new TinyMLOpsError('NOT_FOUND', `${kind} version ${id}@${version} not found`);
}

async function requireNoOverlap(tx: AppContext['db'], kind: 'model' | 'config', devices: string[]) {
  const active = await tx
    .selectFrom('rollouts')
    .selectAll()
    .where('state', 'in', ['running', 'paused'])
    .where('kind', '=', kind)
    .execute();
  const mine = new Set(devices);
  for (const row of active) {
    const theirs = await targetDevices(tx, toRollout(row).request.target);
    if (theirs.some((dev) => mine.has(dev)))
      throw new TinyMLOpsError(
        'CONFLICT',
        `rollout ${row.id} (${kind}) is active on some of these devices; pause is not enough, abort or finish it first`,
      );
  }
}

/**
 * Steps every running rollout once (each in its own transaction, its row locked).
 * @example
 * await advanceRollouts(ctx); // from the schedule, or a test with an injected clock
 */
export async function advanceRollouts(ctx: Ctx): Promise<Map<string, StepOutcome>> {
  const running = await ctx.db
    .selectFrom('rollouts')
    .select('id')
    .where('state', '=', 'running')
    .orderBy('created_at')
    .execute();
  const out = new Map<string, StepOutcome>();
  for (const { id } of running)
    out.set(
      id,
      await ctx.db
        .transaction()
        .execute(async (tx) => stepRollout(tx, await loadRollout(tx, id, { lock: true }), ctx.now())),
    );
  return out;
}

/**
 * An operator's action on a rollout: pause, resume, abort (stop where it is), promote (start the
 * next wave now) or rollback (send every device it reached back; a live rollout is aborted).
 * @example
 * await applyRolloutAction(ctx, id, { action: 'pause', reason: 'night shift' }, 'alice');
 */
export async function applyRolloutAction(ctx: Ctx, id: string, a: RolloutAction, actor: string): Promise<void> {
  const now = ctx.now();
  const reason = a.reason ?? null;
  await ctx.db.transaction().execute(async (tx) => {
    const r = await loadRollout(tx, id, { lock: true });
    if (!ROLLOUT_ACTION_STATES[a.action].includes(r.state))
      throw new TinyMLOpsError('CONFLICT', `cannot ${a.action} a rollout that is ${r.state}`);
    if (a.action === 'pause') await recordChange(tx, r, { actor, action: 'pause', to: 'paused', at: now, reason });
    if (a.action === 'resume') await recordChange(tx, r, { actor, action: 'resume', to: 'running', at: now, reason });
    if (a.action === 'abort') await recordChange(tx, r, { actor, action: 'abort', to: 'aborted', at: now, reason });
    if (a.action === 'promote') await promote(tx, r, actor, now, reason);
    if (a.action === 'rollback') {
      const n = await rollBackDevices(tx, r, now);
      const to = r.state === 'halted' ? 'halted' : 'aborted';
      await recordChange(tx, r, { actor, action: 'rollback', to, at: now, reason: reason ?? `${n} devices sent back` });
    }
  });
}
