import { AdaptationDocument, parseOrThrow } from '@tinymlops/contracts';
import { sql } from 'kysely';
import { chunked, type HandlerItem, type PackageTypeHandler } from '../packages/package-types/package-type-handler.js';

/**
 * Adaptation events → `adaptation_events` (deduplicated by seq, with the sample ids each step
 * used), and the samples they put into the KNN → `adaptation_samples`, their features in the
 * ingest batch's blob. The device's model is recorded with each sample: it says which devices
 * the sample may be shared with.
 */
export const adaptationHandler: PackageTypeHandler<AdaptationDocument> = {
  type: 'adaptation-events',
  parse: (_input, doc) => parseOrThrow(AdaptationDocument, doc, 'adaptation-events document'),
  runs: (_input, doc) => (doc.samples ?? []).map((s) => Buffer.from(s.features.data, 'base64')),
  async rows(tx, items) {
    const records = items.flatMap(({ input, doc }) => doc.records.map((r) => ({ deviceId: input.deviceId, r })));
    for (const part of chunked(records)) {
      await tx
        .insertInto('adaptation_events')
        .values(
          part.map(({ deviceId, r }) => ({
            device_id: deviceId,
            seq: r.seq,
            at: r.at,
            action: r.action,
            label: r.label ?? null,
            samples: r.samples,
            state_version_before: r.stateVersionBefore,
            state_version_after: r.stateVersionAfter,
            reason: r.reason,
            metrics: r.metrics === undefined ? null : JSON.stringify(r.metrics),
            sample_ids: r.sampleIds === undefined ? null : JSON.stringify(r.sampleIds),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    for (const part of chunked(items.flatMap(sampleRows))) {
      await tx
        .insertInto('adaptation_samples')
        .values(part)
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};

function sampleRows({ input, doc, stored }: HandlerItem<AdaptationDocument>) {
  if (!stored) return [];
  return (doc.samples ?? []).map((s, i) => ({
    device_id: input.deviceId,
    seq: s.seq,
    sample_id: s.sampleId,
    label: s.label,
    feature_dim: s.features.dim,
    features_key: stored.key,
    features_offset: stored.offsets[i] ?? 0,
    model_id: sql<string | null>`(SELECT model_id FROM devices WHERE id = ${input.deviceId})`,
    model_version: sql<string | null>`(SELECT model_version FROM devices WHERE id = ${input.deviceId})`,
  }));
}
