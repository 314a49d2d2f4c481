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
