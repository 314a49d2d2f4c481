import type { DeliveryStatus, DriftSampleSummary } from '@tinymlops/contracts';
import { sql, type Selectable } from 'kysely';
import type { DriftSamplesTable } from '../../storage/database.js';

/** A sample row, optionally with the delivery of its newest validation (see {@link SAMPLE_DELIVERY}). */
export type DriftSampleRow = Selectable<DriftSamplesTable> & {
  delivery?: { status: DeliveryStatus; reason: string | null } | null;
};

/**
 * Selects, for a `drift_samples` row, how its newest validation reached its own device (null: never
 * validated): add `.select(SAMPLE_DELIVERY)` to a query on `drift_samples`.
 */
export const SAMPLE_DELIVERY = sql<{ status: DeliveryStatus; reason: string | null } | null>`(
  SELECT json_build_object('status', COALESCE(f.outcome, 'queued'), 'reason', f.outcome_reason)
  FROM feedback f WHERE f.device_id = drift_samples.device_id AND f.sample_id = drift_samples.sample_id
    AND f.source_device_id IS NULL ORDER BY f.cursor DESC LIMIT 1)`.as('delivery');

/**
 * A drift sample row as the people API shows it (features and image are fetched separately).
 * @example
 * toDriftSampleSummary(row).hasImage;
 */
export function toDriftSampleSummary(r: DriftSampleRow): DriftSampleSummary {
  return {
    deviceId: r.device_id,
    sampleId: r.sample_id,
    episodeId: r.episode_id,
    capturedAt: new Date(r.captured_at).toISOString(),
    predictedLabel: r.predicted_label,
    confidence: r.confidence,
    status: r.status,
    label: r.label,
    hasImage: r.image_key !== null,
    ...(r.delivery === undefined ? {} : { delivery: r.delivery }),
  };
}

/**
 * Selects, for a `drift_episodes as e` row, its samples: how many, how many still pending, and a
 * sample to show as its thumbnail (a pending one with an image, else any with one; the smallest
 * id, which devices number in capture order). Plain aggregates: no per-episode sort.
 */
export const EPISODE_SAMPLE_COUNTS = sql<{ total: number; pending: number; thumb: string | null }>`(
  SELECT json_build_object('total', count(*), 'pending', count(*) FILTER (WHERE s.status = 'pending'),
    'thumb', coalesce(min(s.sample_id) FILTER (WHERE s.status = 'pending' AND s.image_key IS NOT NULL),
      min(s.sample_id) FILTER (WHERE s.image_key IS NOT NULL)))
  FROM drift_samples s WHERE s.device_id = e.device_id AND s.episode_id = e.episode_id)`.as('samples');
