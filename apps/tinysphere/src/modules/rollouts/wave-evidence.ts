import { sql, type Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';

/** What one device reported over its window (devices are the unit the means are tested over). */
export interface DeviceEvidence {
  deviceId: string;
  predictions: number;
  meanConfidence: number | null;
  meanKnnDistance: number | null;
  latencyP95: number | null;
}

/** What a set of devices reported over their windows. */
export interface Evidence {
  deviceHours: number;
  driftEpisodes: number;
  perDevice: DeviceEvidence[];
}

/** One device and the window it counts over. */
export interface DeviceWindow {
  deviceId: string;
  from: Date;
}

const CHUNK = 400;

/**
 * Gathers what devices already report, each over `[from, to)`: drift episodes started (from drift
 * packages), and per device the mean confidence and KNN distance and the p95 latency of its
 * prediction samples (falling back to the latency p95 of its last heartbeat when it sent none).
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
  const perDevice: DeviceEvidence[] = [];
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
    const pr = await sql<{
      device_id: string;
      n: string;
      conf: number | null;
      dist: number | null;
      p95: number | null;
    }>`
      SELECT device_id, count(*) AS n, avg(confidence) AS conf, avg(knn_distance) AS dist,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
      FROM prediction_records WHERE ${within('at')} GROUP BY device_id`.execute(db);
    for (const r of pr.rows)
      perDevice.push({
        deviceId: r.device_id,
        predictions: Number(r.n),
        meanConfidence: num(r.conf),
        meanKnnDistance: num(r.dist),
        latencyP95: num(r.p95),
      });
  }
  await fillHeartbeatLatency(db, open, perDevice);
  return { deviceHours, driftEpisodes, perDevice };
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * Devices that sent no prediction samples with a latency get their last reported inference p95
 * (heartbeat gauge) instead, so latency is judged on fleets that do not sample predictions.
 */
async function fillHeartbeatLatency(
  db: Kysely<Database>,
  windows: readonly DeviceWindow[],
  perDevice: DeviceEvidence[],
): Promise<void> {
  const known = new Set(perDevice.filter((d) => d.latencyP95 !== null).map((d) => d.deviceId));
  const missing = windows.map((w) => w.deviceId).filter((id) => !known.has(id));
  if (missing.length === 0) return;
  const rows = await db.selectFrom('devices').select(['id', 'metrics']).where('id', 'in', missing).execute();
  for (const r of rows) {
    const p95 = (r.metrics as { inferenceMsP95?: number } | null)?.inferenceMsP95;
    if (typeof p95 !== 'number') continue;
    const d = perDevice.find((x) => x.deviceId === r.id);
    if (d) d.latencyP95 = p95;
    else
      perDevice.push({ deviceId: r.id, predictions: 0, meanConfidence: null, meanKnnDistance: null, latencyP95: p95 });
  }
}

/**
 * Devices whose evidence for a window ending at `end` may still be on its way: they have sent no
 * package since, or one they sent is not ingested yet. A wave judged before that misses what
 * arrives late (a slow uplink, a worker backlog) and could pass a bad version on missing evidence.
 * @example
 * if ((await evidenceInFlight(db, ['dev_a', 'dev_b'], soakEnd)).length > 0) return 'soaking';
 */
export async function evidenceInFlight(
  db: Kysely<Database>,
  deviceIds: readonly string[],
  end: Date,
): Promise<string[]> {
  if (deviceIds.length === 0) return [];
  const rows = await db
    .selectFrom('packages')
    .select('device_id')
    .where('device_id', 'in', [...deviceIds])
    .where((eb) => eb.or([eb('status', 'in', ['queued', 'processing']), eb('received_at', '>=', end)]))
    .groupBy('device_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .select(sql<string>`count(*) FILTER (WHERE status IN ('queued', 'processing'))`.as('pending'))
    .execute();
  const settled = new Set(rows.filter((r) => Number(r.pending) === 0).map((r) => r.device_id));
  return deviceIds.filter((id) => !settled.has(id));
}
