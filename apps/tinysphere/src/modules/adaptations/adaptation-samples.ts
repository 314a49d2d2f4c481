import type { AdaptationSampleView, AdaptationSummary } from '@tinymlops/contracts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database.js';
import { toDriftSampleSummary } from '../drift/drift-sample-view.js';

/**
 * The samples behind an adaptation: every id the device named, plus those whose features it
 * uploaded; each with its label there, whether the server holds its features, and its drift
 * sample (image, prediction, review status) when the device reported it as one.
 * @example
 * const samples = await adaptationSamples(ctx.db, adaptation);
 */
export async function adaptationSamples(db: Kysely<Database>, a: AdaptationSummary): Promise<AdaptationSampleView[]> {
  const stored = await db
    .selectFrom('adaptation_samples')
    .select(['sample_id', 'label'])
    .where('device_id', '=', a.deviceId)
    .where('seq', '=', a.seq)
    .execute();
  const labels = new Map(stored.map((s) => [s.sample_id, s.label]));
  const ids = [...new Set([...a.sampleIds, ...labels.keys()])];
  if (ids.length === 0) return [];
  const drift = await db
    .selectFrom('drift_samples')
    .selectAll()
    .where('device_id', '=', a.deviceId)
    .where('sample_id', 'in', ids)
    .execute();
  const byId = new Map(drift.map((d) => [d.sample_id, d]));
  return ids.map((id) => {
    const d = byId.get(id);
    return {
      sampleId: id,
      label: labels.get(id) ?? a.label,
      hasFeatures: labels.has(id) || d !== undefined,
      drift: d ? toDriftSampleSummary(d) : null,
    };
  });
}
