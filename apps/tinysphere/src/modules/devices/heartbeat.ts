import { TinyMLOpsError, type HeartbeatRequest, type HeartbeatResponse } from '@tinymlops/contracts';
import type { AppContext } from '../../app-context.js';
import { resolveAssignment } from '../deployments/assignment.js';

/**
 * Records a heartbeat (last-seen, status, mode, model, state version, summary metrics) and
 * answers with what waits for the device.
 * @example
 * const r = await recordHeartbeat(ctx, 'dev_abc12345', hb); // r.feedbackPending, r.assignmentEtag
 */
export async function recordHeartbeat(
  ctx: AppContext,
  deviceId: string,
  hb: HeartbeatRequest,
): Promise<HeartbeatResponse> {
  const now = ctx.now();
  const row = await ctx.db
    .updateTable('devices')
    .set({
      last_seen_at: now,
      status: hb.status,
      mode: hb.mode,
      model_id: hb.model?.modelId ?? null,
      model_version: hb.model?.version ?? null,
      state_version: hb.stateVersion,
      uptime_seconds: hb.uptimeSeconds,
      metrics: JSON.stringify(hb.metrics),
    })
    .where('id', '=', deviceId)
    .returning(['feedback_cursor', 'feedback_acked'])
    .executeTakeFirst();
  if (!row) throw new TinyMLOpsError('NOT_FOUND', `device ${deviceId} not found`);
  const assignment = await resolveAssignment(ctx.db, deviceId);
  ctx.metrics.heartbeats.inc();
  return {
    schemaVersion: 1,
    deviceId,
    serverTime: now.toISOString(),
    feedbackPending: Math.max(0, row.feedback_cursor - row.feedback_acked),
    assignmentEtag: assignment?.etag ?? null,
    nextHeartbeatSeconds: ctx.config.heartbeatIntervalSeconds,
  };
}
