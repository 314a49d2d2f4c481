import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';

/** What a set of devices reported over their windows. */
export interface Evidence {
  deviceHours: number;
  driftEpisodes: number;
  meanConfidence: number | null;
  meanKnnDistance: number | null;
  latencyP95: number | null;
}

/** One device and the window it counts over. */
export interface DeviceWindow {
  deviceId: string;
  from: Date;
}

const CHUNK = 400;

/**
 * Gathers what devices already report, each over `[from, to)`: drift episodes started (from drift
 * packages), mean confidence and KNN distance and the p95 latency of their prediction samples
 * (falling back to the latency p95 of their last heartbeats when they sent no samples).
 * @example
 * const e = await gatherEvidence(db, [{ deviceId: 'dev_a', from: installedAt }], now);
 */
export async function gatherEvidence(
  db: Kysely<Database>,
  windows: readonly DeviceWindow[],
  to: Date,
): Promise<Evidence> {
  const open = windows.filter((w) => w.from < to);
  const deviceHours = open.reduce((h, w) => h + (to.getTime() - w.from.getTime()) / 3_600_000, 0);
  let driftEpisodes = 0;
  let predictions = 0;
  let confidenceSum = 0;
  let distanceSum = 0;
  let distances = 0;
  const p95s: number[] = [];
  for (let i = 0; i < open.length; i += CHUNK) {
    const part = open.slice(i, i + CHUNK);
    const within = (col: 'started_at' | 'at') =>
      sql.join(
        part.map((w) => sql`(device_id = ${w.deviceId} AND ${sql.ref(col)} >= ${w.from} AND ${sql.ref(col)} < ${to})`),
        sql` OR `,
      );
    const ep = await sql<{ n: string }>`SELECT count(*) AS n FROM drift_episodes WHERE ${within('started_at')}`.execute(
      db,
    );
    driftEpisodes += Number(ep.rows[0]?.n ?? 0);
    const pr = await sql<{ n: string; conf: number | null; dist: number | null; dn: string; p95: number | null }>`
      SELECT count(*) AS n, sum(confidence) AS conf, sum(knn_distance) AS dist, count(knn_distance) AS dn,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
      FROM prediction_records WHERE ${within('at')}`.execute(db);
    const r = pr.rows[0];
    if (r && Number(r.n) > 0) {
      predictions += Number(r.n);
      confidenceSum += Number(r.conf ?? 0);
      distanceSum += Number(r.dist ?? 0);
      distances += Number(r.dn);
      if (r.p95 !== null) p95s.push(Number(r.p95));
    }
  }
  return {
    deviceHours,
    driftEpisodes,
    meanConfidence: predictions ? confidenceSum / predictions : null,
    meanKnnDistance: distances ? distanceSum / distances : null,
    latencyP95: p95s.length ? Math.max(...p95s) : await heartbeatLatencyP95(db, open),
  };
}

/** The mean of the devices' last reported inference p95 (heartbeat gauge), or null. */
async function heartbeatLatencyP95(db: Kysely<Database>, windows: readonly DeviceWindow[]): Promise<number | null> {
  if (windows.length === 0) return null;
  const rows = await db
    .selectFrom('devices')
    .select('metrics')
    .where(
      'id',
      'in',
      windows.map((w) => w.deviceId),
    )
    .execute();
  const values = rows
    .map((r) => (r.metrics as { inferenceMsP95?: number } | null)?.inferenceMsP95)
    .filter((v): v is number => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}
