import { sql } from 'kysely';
import type { Db } from '../../storage/database.js';

/** The model version a device should run, and through which target it got it. */
export interface ResolvedAssignment {
  readonly modelId: string;
  readonly version: string;
  readonly assignedAt: Date;
  readonly via: 'device' | 'group' | 'tag';
  readonly etag: string;
}

/**
 * Resolves a device's assignment: its own beats its group's, its group's beats its tags'
 * (latest tag assignment wins). The ETag changes whenever the winning assignment does.
 * @example
 * const a = await resolveAssignment(db, 'dev_abc12345'); // null when nothing is assigned
 */
export async function resolveAssignment(db: Db, deviceId: string): Promise<ResolvedAssignment | null> {
  const r = await sql<{
    model_id: string;
    version: string;
    assigned_at: Date;
    target_kind: 'device' | 'group' | 'tag';
  }>`
    SELECT a.model_id, a.version, a.assigned_at, a.target_kind
    FROM devices d
    JOIN assignments a ON
         (a.target_kind = 'device' AND a.target = d.id)
      OR (a.target_kind = 'group' AND a.target = d.group_name)
      OR (a.target_kind = 'tag' AND d.tags ? a.target)
    WHERE d.id = ${deviceId}
    ORDER BY CASE a.target_kind WHEN 'device' THEN 0 WHEN 'group' THEN 1 ELSE 2 END, a.assigned_at DESC
    LIMIT 1`.execute(db);
  const row = r.rows[0];
  if (!row) return null;
  const assignedAt = new Date(row.assigned_at);
  return {
    modelId: row.model_id,
    version: row.version,
    assignedAt,
    via: row.target_kind,
    etag: `"${row.model_id}@${row.version}@${assignedAt.getTime().toString(36)}"`,
  };
}
