import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { issueMany } from '../feedback/inbox.js';
import { fleetPolicy } from './fleet-policy.js';
import { SCOPE_MATCH } from './share-sample.js';

/**
 * Queues for one device the shared samples it should have but has not got: shared while it ran
 * another model, before it enrolled, or before it joined the group or got the tag. Oldest first,
 * up to what is left of its budget. Returns how many it queued.
 * @example
 * await catchUpShares(ctx, 'dev_abc12345'); // before answering the device's v2 feedback pull
 */
export async function catchUpShares(ctx: AppContext, deviceId: string): Promise<number> {
  const { budgetPerDevice } = await fleetPolicy(ctx.db);
  return ctx.db.transaction().execute(async (tx) => {
    const missing = await sql<{
      source_device_id: string;
      sample_id: string;
      label: string;
      decision: string;
      validated_at: Date;
    }>`
      SELECT s.source_device_id, s.sample_id, s.label, s.decision, s.validated_at
      FROM devices d, shared_samples s
      WHERE d.id = ${deviceId} AND ${SCOPE_MATCH}
      ORDER BY s.validated_at, s.sample_id
      LIMIT GREATEST(0, ${budgetPerDevice} - (SELECT count(*)::int FROM feedback f
        WHERE f.device_id = ${deviceId} AND f.source_device_id IS NOT NULL))`.execute(tx);
    if (missing.rows.length === 0) return 0;
    const items = missing.rows.map((r) => ({
      decision: r.decision === 'new-class' ? ('new-class' as const) : ('label' as const),
      at: new Date(r.validated_at),
      sampleId: r.sample_id,
      label: r.label,
      sourceDeviceId: r.source_device_id,
    }));
    return (await issueMany(tx, deviceId, items)).length;
  });
}
