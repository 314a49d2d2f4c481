import { TinyMLOpsError, type HeartbeatRequest, type HeartbeatResponse } from '@tinymlops/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app-context.js';
import { GroupCommit } from '../../storage/group-commit.js';
import type { Db } from '../../storage/database.js';
import { assignmentEtag } from '../deployments/assignment.js';
import { bearerToken, hashSecret, parseCredential } from './credentials.js';
import { DeviceRateLimit } from './device-rate-limit.js';

/** Records heartbeats; see createHeartbeatRecorder. */
export interface HeartbeatRecorder {
  record(authorization: string | undefined, hb: HeartbeatRequest): Promise<HeartbeatResponse>;
}

/** One heartbeat as it goes into a batch: the claimed device, its token digest and what it reported. */
interface Beat {
  readonly id: string;
  readonly hash: string;
  readonly seen: Date;
  readonly hb: HeartbeatRequest;
}

/** What waits for an authenticated device; null when the token did not match. */
type Waiting = { feedbackPending: number; assignmentEtag: string | null } | null;

/**
 * Heartbeats are the hottest path of the server, so they are group-committed: heartbeats that
 * arrive while a batch is being written are authenticated, recorded and answered by the next
 * batch's ONE statement. Each request is answered only after its row is written. A heartbeat
 * whose token does not match gets 401 without affecting the others in its batch. One batch
 * runs at a time by default: most of a statement's cost is per statement, not per row, and
 * while one runs the next one fills up (with 64 devices at once, ~30 heartbeats per statement
 * instead of ~22 with two in flight, for less CPU per heartbeat in PostgreSQL and the server).
 * @example
 * const heartbeats = createHeartbeatRecorder(ctx, { rateLimit: app.deviceGate.rateLimit }); // no limit without one
 * const r = await heartbeats.record(req.headers.authorization, hb); // r.feedbackPending, r.assignmentEtag
 */
export function createHeartbeatRecorder(
  ctx: AppContext,
  options: { maxBatch?: number; maxInFlight?: number; rateLimit?: DeviceRateLimit } = {},
): HeartbeatRecorder {
  const write = (beats: Beat[]) => {
    ctx.metrics.heartbeatBatchSize.observe(beats.length);
    return writeHeartbeats(ctx.db, beats);
  };
  const batches = new GroupCommit<Beat, Waiting>(write, {
    maxBatch: options.maxBatch ?? 256,
    maxInFlight: options.maxInFlight ?? 1,
    keyOf: (b) => b.id,
  });
  const limit = options.rateLimit ?? new DeviceRateLimit(0);
  return {
    async record(authorization, hb) {
      const cred = parseCredential('tdv', bearerToken(authorization) ?? '');
      if (!cred)
        throw new TinyMLOpsError('UNAUTHENTICATED', 'a device token is required (Authorization: Bearer tdv_…)');
      const seen = ctx.now();
      // Checked before (a limited device's heartbeat is not written) but only charged once the
      // token matched, so nobody can use up a device's allowance without its token.
      limit.check(cred.id, seen.getTime());
      const waiting = await batches.submit({ id: cred.id, hash: hashSecret(cred.secret), seen, hb });
      if (!waiting) throw new TinyMLOpsError('UNAUTHENTICATED', 'the device token is not valid');
      limit.take(cred.id, seen.getTime());
      ctx.metrics.heartbeats.inc();
      return {
        schemaVersion: 1,
        deviceId: cred.id,
        serverTime: seen.toISOString(),
        ...waiting,
        nextHeartbeatSeconds: ctx.config.heartbeatIntervalSeconds,
      };
    },
  };
}

/**
 * Authenticates and records a batch of heartbeats (last-seen, status, mode, model, state
 * version, summary metrics) and reads what waits for each device, in one statement. The batch
 * travels as one JSON parameter, which PostgreSQL and PGlite decode alike. The token check
 * compares sha256 digests in SQL: a timing difference could at most reveal a prefix of the
 * digest, from which no secret can be derived. The rows go in sorted by id, so two batches (of
 * two server processes) tend to lock shared devices in the same order; should they deadlock
 * anyway, GroupCommit retries the victim's heartbeats one by one.
 */
async function writeHeartbeats(db: Db, beats: Beat[]): Promise<Waiting[]> {
  const rows = beats
    .map((b, i) => ({
      i,
      id: b.id,
      hash: b.hash,
      seen: b.seen.toISOString(),
      status: b.hb.status,
      mode: b.hb.mode,
      model_id: b.hb.model?.modelId ?? null,
      model_version: b.hb.model?.version ?? null,
      state_version: b.hb.stateVersion,
      uptime: b.hb.uptimeSeconds,
      metrics: b.hb.metrics,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const r = await sql<{
    i: number;
    feedback_cursor: number;
    feedback_acked: number;
    model_id: string | null;
    version: string | null;
    assigned_at: Date | null;
  }>`
    WITH v AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(rows)}::json) AS v(
        i int, id text, hash text, seen timestamptz, status text, mode text, model_id text,
        model_version text, state_version integer, uptime double precision, metrics jsonb)),
    d AS (
      UPDATE devices SET last_seen_at = v.seen, status = v.status, mode = v.mode, model_id = v.model_id,
        model_version = v.model_version, state_version = v.state_version, uptime_seconds = v.uptime,
        metrics = v.metrics
      FROM v WHERE devices.id = v.id AND devices.token_hash = v.hash
      RETURNING v.i, devices.id, devices.group_name, devices.tags, devices.feedback_cursor, devices.feedback_acked)
    SELECT d.i, d.feedback_cursor, d.feedback_acked, a.model_id, a.version, a.assigned_at
    FROM d LEFT JOIN LATERAL (
      SELECT model_id, version, assigned_at FROM assignments a
      WHERE (a.target_kind = 'device' AND a.target = d.id)
         OR (a.target_kind = 'group' AND a.target = d.group_name)
         OR (a.target_kind = 'tag' AND d.tags ? a.target)
      ORDER BY CASE a.target_kind WHEN 'device' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, a.assigned_at DESC
      LIMIT 1) a ON true`.execute(db);
  const out: Waiting[] = beats.map(() => null);
  for (const row of r.rows) {
    out[row.i] = {
      feedbackPending: Math.max(0, row.feedback_cursor - row.feedback_acked),
      assignmentEtag:
        row.model_id && row.version && row.assigned_at
          ? assignmentEtag(row.model_id, row.version, new Date(row.assigned_at))
          : null,
    };
  }
  return out;
}
