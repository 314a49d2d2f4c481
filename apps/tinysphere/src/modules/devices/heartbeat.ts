import { TinyMLOpsError, type HeartbeatRequest, type HeartbeatResponse } from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { assignmentEtag } from '../deployments/assignment.js';
import { bearerToken, hashSecret, parseCredential } from './credentials.js';

/**
 * Authenticates and records a heartbeat (last-seen, status, mode, model, state version, summary
 * metrics) and answers with what waits for the device — in ONE statement, because heartbeats
 * are the hottest path of the server. The token check compares sha256 digests in SQL: a timing
 * difference could at most reveal a prefix of the digest, from which no secret can be derived.
 * @example
 * const r = await recordHeartbeat(ctx, req.headers.authorization, hb); // r.feedbackPending, r.assignmentEtag
 */
export async function recordHeartbeat(
  ctx: AppContext,
  authorization: string | undefined,
  hb: HeartbeatRequest,
): Promise<HeartbeatResponse> {
  const cred = parseCredential('tdv', bearerToken(authorization) ?? '');
  if (!cred) throw new TinyMLOpsError('UNAUTHENTICATED', 'a device token is required (Authorization: Bearer tdv_…)');
  const now = ctx.now();
  const r = await sql<{
    feedback_cursor: number;
    feedback_acked: number;
    model_id: string | null;
    version: string | null;
    assigned_at: Date | null;
  }>`
    WITH d AS (
      UPDATE devices SET last_seen_at = ${now}, status = ${hb.status}, mode = ${hb.mode},
        model_id = ${hb.model?.modelId ?? null}, model_version = ${hb.model?.version ?? null},
        state_version = ${hb.stateVersion}, uptime_seconds = ${hb.uptimeSeconds}, metrics = ${JSON.stringify(hb.metrics)}::jsonb
      WHERE id = ${cred.id} AND token_hash = ${hashSecret(cred.secret)}
      RETURNING id, group_name, tags, feedback_cursor, feedback_acked)
    SELECT d.feedback_cursor, d.feedback_acked, a.model_id, a.version, a.assigned_at
    FROM d LEFT JOIN LATERAL (
      SELECT model_id, version, assigned_at FROM assignments a
      WHERE (a.target_kind = 'device' AND a.target = d.id)
         OR (a.target_kind = 'group' AND a.target = d.group_name)
         OR (a.target_kind = 'tag' AND d.tags ? a.target)
      ORDER BY CASE a.target_kind WHEN 'device' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, a.assigned_at DESC
      LIMIT 1) a ON true`.execute(ctx.db);
  const row = r.rows[0];
  if (!row) throw new TinyMLOpsError('UNAUTHENTICATED', 'the device token is not valid');
  ctx.metrics.heartbeats.inc();
  return {
    schemaVersion: 1,
    deviceId: cred.id,
    serverTime: now.toISOString(),
    feedbackPending: Math.max(0, row.feedback_cursor - row.feedback_acked),
    assignmentEtag:
      row.model_id && row.version && row.assigned_at
        ? assignmentEtag(row.model_id, row.version, new Date(row.assigned_at))
        : null,
    nextHeartbeatSeconds: ctx.config.heartbeatIntervalSeconds,
  };
}
