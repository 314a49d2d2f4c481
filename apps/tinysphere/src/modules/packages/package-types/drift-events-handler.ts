import {
  decodeFloat32,
  DriftEventsDocument,
  parseOrThrow,
  TinyMLOpsError,
  type DriftSample,
} from '@tinymlops/contracts';
import { sql } from 'kysely';
import { chunked, type PackageTypeHandler } from './package-type-handler.js';

/** Blob keys of a drift sample's feature vector (raw f32le) and image. */
export function sampleKeys(deviceId: string, s: DriftSample): { features: string; image: string | null } {
  const base = `drift/${deviceId}/${s.sampleId}`;
  const ext = s.image?.mediaType === 'image/jpeg' ? 'jpg' : 'png';
  return { features: `${base}/features.f32`, image: s.image ? `${base}/image.${ext}` : null };
}

/**
 * Drift events and samples: episodes (opened by a start event, closed by an end event) and
 * samples (status pending) as rows; feature vectors and images as blobs. A sample that arrives
 * again keeps its review status.
 */
export const driftEventsHandler: PackageTypeHandler<DriftEventsDocument> = {
  type: 'drift-events',
  parse(input, raw) {
    const doc = parseOrThrow(DriftEventsDocument, raw, 'drift-events document');
    for (const s of doc.samples) {
      if (s.image && !input.entries.has(s.image.path)) {
        throw new TinyMLOpsError(
          'INVALID_ARCHIVE',
          `sample ${s.sampleId} refers to image ${s.image.path}, which is not in the package`,
        );
      }
    }
    return doc;
  },
  async blobs(ctx, input, doc) {
    for (const s of doc.samples) {
      const keys = sampleKeys(input.deviceId, s);
      await ctx.blobs.put(keys.features, Buffer.from(decodeFloat32(s.features).buffer));
      const image = s.image ? input.entries.get(s.image.path) : undefined;
      if (keys.image && image) await ctx.blobs.put(keys.image, image);
    }
  },
  async rows(tx, input, doc) {
    const device = await tx
      .selectFrom('devices')
      .select(['model_id', 'model_version'])
      .where('id', '=', input.deviceId)
      .executeTakeFirst();
    for (const e of doc.events) {
      const start = e.phase === 'start';
      await tx
        .insertInto('drift_episodes')
        .values({
          device_id: input.deviceId,
          episode_id: e.episodeId,
          detector_kind: e.detector.kind,
          detector_name: e.detector.name,
          started_at: start ? e.at : null,
          ended_at: start ? null : e.at,
          start_event_id: start ? e.eventId : null,
          end_event_id: start ? null : e.eventId,
          statistics: JSON.stringify(e.statistics),
          thresholds: JSON.stringify(e.thresholds),
          model_id: device?.model_id ?? null,
          model_version: device?.model_version ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['device_id', 'episode_id']).doUpdateSet({
            started_at: sql`COALESCE(drift_episodes.started_at, excluded.started_at)`,
            ended_at: sql`COALESCE(drift_episodes.ended_at, excluded.ended_at)`,
            start_event_id: sql`COALESCE(drift_episodes.start_event_id, excluded.start_event_id)`,
            end_event_id: sql`COALESCE(drift_episodes.end_event_id, excluded.end_event_id)`,
            statistics: sql`drift_episodes.statistics || excluded.statistics`,
          }),
        )
        .execute();
    }
    for (const part of chunked(doc.samples, 500)) {
      await tx
        .insertInto('drift_samples')
        .values(
          part.map((s) => {
            const keys = sampleKeys(input.deviceId, s);
            return {
              device_id: input.deviceId,
              sample_id: s.sampleId,
              episode_id: s.episodeId,
              package_id: input.packageId,
              captured_at: s.capturedAt,
              frame_index: s.frameIndex,
              predicted_label: s.prediction.label,
              confidence: s.prediction.confidence,
              neighbours: s.neighbours === undefined ? null : JSON.stringify(s.neighbours),
              feature_dim: s.features.dim,
              features_key: keys.features,
              image_key: keys.image,
              image_media_type: s.image?.mediaType ?? null,
              status: 'pending' as const,
              label: null,
              validated_at: null,
              validated_by: null,
            };
          }),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};
