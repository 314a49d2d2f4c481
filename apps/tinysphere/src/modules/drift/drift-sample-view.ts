import type { DriftSampleSummary } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { DriftSamplesTable } from '../../storage/database.js';

/**
 * A drift sample row as the people API shows it (features and image are fetched separately).
 * @example
 * toDriftSampleSummary(row).hasImage;
 */
export function toDriftSampleSummary(r: Selectable<DriftSamplesTable>): DriftSampleSummary {
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
  };
}
