import { DriftEventsDocument, parseOrThrow, TinyMLOpsError } from '@tinymlops/contracts';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../storage/database.js';
import { chunked, type HandlerItem, type IngestInput, type PackageTypeHandler } from './package-type-handler.js';

/**
 * A sample's runs in the batch blob: its features (raw f32le: the wire's base64 decoded, as
 * the contract's length check guarantees dim × 4 bytes), then its image (or undefined).
 */
function sampleRuns(input: IngestInput, doc: DriftEventsDocument): (Buffer | undefined)[] {
  return doc.samples.flatMap((s) => [
    Buffer.from(s.features.data, 'base64'),
    s.image ? input.entries.get(s.image.path) : undefined,
  ]);
}

/**
 * Drift events and samples: episodes (opened by a start event, closed by an end event) and
 * samples (status pending) as rows; feature vectors and images in the ingest batch's blob (byte
 * ranges in `drift_samples`). A sample that arrives again keeps its review status.
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
  runs: sampleRuns,
  async rows(tx, items) {
    const episodes = episodeRows(items);
    if (episodes.length > 0) {
      await tx
        .insertInto('drift_episodes')
        .values(
          episodes.map((e) => ({
            ...e,
            statistics: JSON.stringify(e.statistics),
            thresholds: JSON.stringify(e.thresholds),
            // The model the device runs now, recorded on the episodes it opens.
            model_id: sql<string | null>`(SELECT model_id FROM devices WHERE id = ${e.device_id})`,
            model_version: sql<string | null>`(SELECT model_version FROM devices WHERE id = ${e.device_id})`,
          })),
        )
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
    for (const part of chunked(items.flatMap(sampleRows), 5000)) await insertSamples(tx, part);
  },
};

type SampleRow = ReturnType<typeof sampleRows>[number];

/**
 * One INSERT for many samples with one array parameter per column (`unnest`), not one
 * parameter per value: a batch's ~200 samples cost 16 parameters instead of ~3,000, far less
 * to build here and to parse and plan in PostgreSQL. New samples start pending and unlabelled.
 */
async function insertSamples(tx: Transaction<Database>, rows: readonly SampleRow[]): Promise<void> {
  const col = <K extends keyof SampleRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    INSERT INTO drift_samples (device_id, sample_id, episode_id, package_id, captured_at, frame_index,
      predicted_label, confidence, neighbours, feature_dim, features_key, features_offset, image_key,
      image_offset, image_length, image_media_type, status)
    SELECT *, 'pending' FROM unnest(${col('device_id')}::text[], ${col('sample_id')}::text[],
      ${col('episode_id')}::text[], ${col('package_id')}::text[], ${col('captured_at')}::timestamptz[],
      ${col('frame_index')}::integer[], ${col('predicted_label')}::text[], ${col('confidence')}::float8[],
      ${col('neighbours')}::jsonb[], ${col('feature_dim')}::integer[], ${col('features_key')}::text[],
      ${col('features_offset')}::integer[], ${col('image_key')}::text[], ${col('image_offset')}::integer[],
      ${col('image_length')}::integer[], ${col('image_media_type')}::text[])
    ON CONFLICT DO NOTHING`.execute(tx);
}

interface EpisodeRow {
  device_id: string;
  episode_id: string;
  detector_kind: string;
  detector_name: string;
  started_at: string | null;
  ended_at: string | null;
  start_event_id: string | null;
  end_event_id: string | null;
  statistics: Record<string, number>;
  thresholds: Record<string, number>;
}

/**
 * The batch's events folded into one row per episode, so one INSERT … ON CONFLICT DO UPDATE
 * (which may not touch a row twice) writes them all. The fold applies, in package order, what
 * the upsert applies to a stored row: the first start and end win, later statistics override
 * earlier ones, the detector and thresholds are the first event's.
 */
function episodeRows(items: readonly HandlerItem<DriftEventsDocument>[]): EpisodeRow[] {
  const rows = new Map<string, EpisodeRow>();
  for (const { input, doc } of items) {
    for (const e of doc.events) {
      const key = `${input.deviceId}\u0000${e.episodeId}`;
      const row = rows.get(key) ?? {
        device_id: input.deviceId,
        episode_id: e.episodeId,
        detector_kind: e.detector.kind,
        detector_name: e.detector.name,
        started_at: null,
        ended_at: null,
        start_event_id: null,
        end_event_id: null,
        statistics: {},
        thresholds: e.thresholds,
      };
      if (e.phase === 'start') {
        row.started_at ??= e.at;
        row.start_event_id ??= e.eventId;
      } else {
        row.ended_at ??= e.at;
        row.end_event_id ??= e.eventId;
      }
      row.statistics = { ...row.statistics, ...e.statistics };
      rows.set(key, row);
    }
  }
  return [...rows.values()];
}

/** One package's `drift_samples` rows, pointing into the batch blob. */
function sampleRows({ input, doc, stored }: HandlerItem<DriftEventsDocument>) {
  return doc.samples.map((s, i) => {
    const imageOffset = s.image ? (stored?.offsets[2 * i + 1] ?? null) : null;
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
      features_key: stored?.key ?? '',
      features_offset: stored?.offsets[2 * i] ?? 0,
      image_key: imageOffset === null ? null : (stored?.key ?? null),
      image_offset: imageOffset,
      image_length: s.image ? (input.entries.get(s.image.path)?.length ?? null) : null,
      image_media_type: s.image?.mediaType ?? null,
    };
  });
}
