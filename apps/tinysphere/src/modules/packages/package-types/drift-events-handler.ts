import { decodeFloat32, DriftEventsDocument, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { sql } from 'kysely';
import { chunked, packRuns, type IngestInput, type PackageTypeHandler } from './package-type-handler.js';

/** Where one sample's features and image sit inside its package's samples object. */
interface SampleLayout {
  featuresOffset: number;
  imageOffset: number | null;
  imageLength: number | null;
}

/** Blob key of the object holding every sample's features (raw f32le) and image of one package. */
export function samplesKey(deviceId: string, packageId: string): string {
  return `drift/${deviceId}/${packageId}.samples`;
}

/**
 * Lays out a package's samples in one object: for each sample its features, then its image.
 * One object per package means one durable write (one fsync) instead of two per sample.
 */
function layout(input: IngestInput, doc: DriftEventsDocument): { bytes: Buffer[]; at: Map<string, SampleLayout> } {
  const images = doc.samples.map((s) => (s.image ? input.entries.get(s.image.path) : undefined));
  const { bytes, offsets } = packRuns(
    doc.samples.flatMap((s, i) => [Buffer.from(decodeFloat32(s.features).buffer), images[i]]),
  );
  const at = new Map<string, SampleLayout>();
  doc.samples.forEach((s, i) =>
    at.set(s.sampleId, {
      featuresOffset: offsets[2 * i] as number,
      imageOffset: offsets[2 * i + 1] ?? null,
      imageLength: images[i]?.length ?? null,
    }),
  );
  return { bytes, at };
}

/**
 * Drift events and samples: episodes (opened by a start event, closed by an end event) and
 * samples (status pending) as rows; feature vectors and images in one blob per package. A
 * sample that arrives again keeps its review status.
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
    if (doc.samples.length === 0) return;
    await ctx.blobs.put(samplesKey(input.deviceId, input.packageId), Buffer.concat(layout(input, doc).bytes));
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
    const { at } = layout(input, doc);
    const key = samplesKey(input.deviceId, input.packageId);
    for (const part of chunked(doc.samples, 500)) {
      await tx
        .insertInto('drift_samples')
        .values(
          part.map((s) => {
            const where = at.get(s.sampleId) as SampleLayout;
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
              features_key: key,
              features_offset: where.featuresOffset,
              image_key: where.imageOffset === null ? null : key,
              image_offset: where.imageOffset,
              image_length: where.imageLength,
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
