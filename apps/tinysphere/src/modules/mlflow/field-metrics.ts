import { sql } from 'kysely';
import type { Db } from '../../storage/database.js';

/** A model version and the time window its field metrics cover: [from, to). */
export interface FieldWindow {
  modelId: string;
  version: string;
  from: Date;
  to: Date;
}

interface Aggregates {
  devices: number;
  device_days: number;
  predictions: number;
  mean_confidence: number | null;
  mean_knn_distance: number | null;
  episodes: number;
  validated: number;
  validated_correct: number;
  adaptations: number;
  adaptation_rollbacks: number;
  model_rollbacks: number;
}

/**
 * How a deployed model version behaves in the field over a window, from what devices reported.
 * Devices count for the version they run now, from the later of the window start and their
 * install of it (predictions from before a device switched are not the new version's). Drift
 * episodes and validated samples count by the version the episode recorded. Metrics without data
 * in the window (no predictions, nothing validated) are left out rather than logged as 0.
 *
 * - `field.drift_episodes_per_device_day`: episodes started ÷ device-days with any report
 * - `field.mean_confidence`, `field.mean_knn_distance`: over the sampled predictions
 * - `field.validated_label_accuracy`: share of samples people labelled whose label the device had predicted
 * - `field.adaptations` (classes created, reinforced, feedback applied), `field.adaptation_rollbacks`,
 *   `field.model_rollbacks` (installs of this version that rolled back)
 * @example
 * await fieldMetrics(db, { modelId: 'fashion-mnv2', version: '1.1.0', from, to }); // { 'field.devices': 3, … }
 */
export async function fieldMetrics(db: Db, w: FieldWindow): Promise<Record<string, number>> {
  const { from, to } = w;
  const r = await sql<Aggregates>`
    WITH dv AS (
      SELECT d.id, GREATEST(${from}::timestamptz, COALESCE(ir.at, ${from}::timestamptz)) AS since
      FROM devices d
      LEFT JOIN install_reports ir ON ir.device_id = d.id AND ir.model_id = d.model_id
        AND ir.version = d.model_version AND ir.status = 'installed'
      WHERE d.model_id = ${w.modelId} AND d.model_version = ${w.version}
    ),
    p AS (
      SELECT p.device_id, p.at, p.confidence, p.knn_distance FROM prediction_records p
      JOIN dv ON dv.id = p.device_id WHERE p.at >= dv.since AND p.at < ${to}
    ),
    days AS (
      SELECT device_id, date_trunc('day', at) AS day FROM p
      UNION SELECT m.device_id, date_trunc('day', m.at) FROM metric_points m
      JOIN dv ON dv.id = m.device_id WHERE m.at >= dv.since AND m.at < ${to}
    )
    SELECT
      (SELECT count(*)::int FROM dv) AS devices,
      (SELECT count(*)::int FROM days) AS device_days,
      (SELECT count(*)::int FROM p) AS predictions,
      (SELECT avg(confidence)::float8 FROM p) AS mean_confidence,
      (SELECT avg(knn_distance)::float8 FROM p) AS mean_knn_distance,
      (SELECT count(*)::int FROM drift_episodes e WHERE e.model_id = ${w.modelId} AND e.model_version = ${w.version}
         AND e.started_at >= ${from} AND e.started_at < ${to}) AS episodes,
      (SELECT count(*)::int FROM drift_samples s JOIN drift_episodes e USING (device_id, episode_id)
         WHERE e.model_id = ${w.modelId} AND e.model_version = ${w.version} AND s.status = 'labelled'
         AND s.validated_at >= ${from} AND s.validated_at < ${to}) AS validated,
      (SELECT count(*)::int FROM drift_samples s JOIN drift_episodes e USING (device_id, episode_id)
         WHERE e.model_id = ${w.modelId} AND e.model_version = ${w.version} AND s.status = 'labelled'
         AND s.label = s.predicted_label AND s.validated_at >= ${from} AND s.validated_at < ${to}) AS validated_correct,
      (SELECT count(*)::int FROM adaptation_events a JOIN dv ON dv.id = a.device_id
         WHERE a.at >= dv.since AND a.at < ${to}
         AND a.action IN ('pseudo-class-created', 'class-reinforced', 'feedback-applied')) AS adaptations,
      (SELECT count(*)::int FROM adaptation_events a JOIN dv ON dv.id = a.device_id
         WHERE a.at >= dv.since AND a.at < ${to} AND a.action IN ('rollback', 'feedback-undone')) AS adaptation_rollbacks,
      (SELECT count(*)::int FROM install_reports ir WHERE ir.model_id = ${w.modelId} AND ir.version = ${w.version}
         AND ir.status = 'rolled-back' AND ir.at >= ${from} AND ir.at < ${to}) AS model_rollbacks
  `.execute(db);
  return toMetrics(r.rows[0] as Aggregates);
}

function toMetrics(a: Aggregates): Record<string, number> {
  const m: Record<string, number> = {
    'field.devices': a.devices,
    'field.device_days': a.device_days,
    'field.predictions': a.predictions,
    'field.drift_episodes': a.episodes,
    'field.validated_samples': a.validated,
    'field.adaptations': a.adaptations,
    'field.adaptation_rollbacks': a.adaptation_rollbacks,
    'field.model_rollbacks': a.model_rollbacks,
  };
  if (a.device_days > 0) m['field.drift_episodes_per_device_day'] = a.episodes / a.device_days;
  if (a.mean_confidence !== null) m['field.mean_confidence'] = a.mean_confidence;
  if (a.mean_knn_distance !== null) m['field.mean_knn_distance'] = a.mean_knn_distance;
  if (a.validated > 0) m['field.validated_label_accuracy'] = a.validated_correct / a.validated;
  return m;
}

/**
 * Every model version a device runs or is assigned: the versions whose field metrics are logged.
 * @example
 * await deployedVersions(db); // [{ modelId: 'fashion-mnv2', version: '1.1.0' }]
 */
export async function deployedVersions(db: Db): Promise<{ modelId: string; version: string }[]> {
  const r = await sql<{ model_id: string; version: string }>`
    SELECT model_id, model_version AS version FROM devices WHERE model_id IS NOT NULL AND model_version IS NOT NULL
    UNION SELECT model_id, version FROM assignments
    ORDER BY 1, 2`.execute(db);
  return r.rows.map((x) => ({ modelId: x.model_id, version: x.version }));
}
