import {
  IMAGE_MEDIA_TYPES,
  ImageMediaType,
  LogsDocument,
  MetricsDocument,
  parseOrThrow,
  PredictionsDocument,
  TinyMLOpsError,
} from '@tinymlops/contracts';
import { chunked, type IngestInput, type PackageTypeHandler } from './package-type-handler.js';

/** Each record's image bytes, or undefined: the runs stored in the batch blob. */
function imagesOf(input: IngestInput, doc: PredictionsDocument): (Buffer | undefined)[] {
  return doc.records.map((r) => (r.imagePath ? input.entries.get(r.imagePath) : undefined));
}

/** Operational metrics → the `metric_points` time series; a re-sent seq is ignored. */
export const metricsHandler: PackageTypeHandler<MetricsDocument> = {
  type: 'metrics',
  parse: (_input, doc) => parseOrThrow(MetricsDocument, doc, 'metrics document'),
  async rows(tx, items) {
    const records = items.flatMap(({ input, doc }) => doc.records.map((r) => ({ deviceId: input.deviceId, r })));
    for (const part of chunked(records)) {
      await tx
        .insertInto('metric_points')
        .values(
          part.map(({ deviceId, r }) => ({
            device_id: deviceId,
            seq: r.seq,
            at: r.at,
            name: r.name,
            value: r.value,
            unit: r.unit ?? null,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};

/** Logs → `log_records`, deduplicated by the device's sequence number. */
export const logsHandler: PackageTypeHandler<LogsDocument> = {
  type: 'logs',
  parse: (_input, doc) => parseOrThrow(LogsDocument, doc, 'logs document'),
  async rows(tx, items) {
    const records = items.flatMap(({ input, doc }) => doc.records.map((r) => ({ deviceId: input.deviceId, r })));
    for (const part of chunked(records)) {
      await tx
        .insertInto('log_records')
        .values(
          part.map(({ deviceId, r }) => ({
            device_id: deviceId,
            seq: r.seq,
            at: r.at,
            level: r.level,
            message: r.message,
            context: r.context === undefined ? null : JSON.stringify(r.context),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};

/**
 * Prediction samples → `prediction_records` (features kept in their wire encoding); their images
 * in the ingest batch's blob, each row pointing at its byte range (as drift sample images are).
 */
export const predictionsHandler: PackageTypeHandler<PredictionsDocument> = {
  type: 'prediction-samples',
  parse(input, raw) {
    const doc = parseOrThrow(PredictionsDocument, raw, 'prediction-samples document');
    const mediaTypes = new Map(input.manifest.files.map((f) => [f.path, f.mediaType]));
    for (const r of doc.records) {
      if (!r.imagePath) continue;
      if (!input.entries.has(r.imagePath))
        throw new TinyMLOpsError(
          'INVALID_ARCHIVE',
          `prediction ${r.seq} refers to image ${r.imagePath}, which is not in the package`,
        );
      const type = mediaTypes.get(r.imagePath);
      if (!ImageMediaType.safeParse(type).success)
        throw new TinyMLOpsError(
          'INVALID_ARCHIVE',
          `prediction ${r.seq}: image ${r.imagePath} is ${type}; images must be ${IMAGE_MEDIA_TYPES.join(' or ')}`,
        );
    }
    return doc;
  },
  runs: imagesOf,
  async rows(tx, items) {
    const records = items.flatMap(({ input, doc, stored }) => {
      const images = imagesOf(input, doc);
      const mediaType = new Map(input.manifest.files.map((f) => [f.path, f.mediaType]));
      return doc.records.map((r, i) => ({
        deviceId: input.deviceId,
        r,
        key: stored?.key ?? null,
        offset: stored?.offsets[i] ?? null,
        image: images[i],
        mediaType: r.imagePath ? (mediaType.get(r.imagePath) ?? null) : null,
      }));
    });
    for (const part of chunked(records)) {
      await tx
        .insertInto('prediction_records')
        .values(
          part.map(({ deviceId, r, key, offset, image, mediaType }) => ({
            device_id: deviceId,
            seq: r.seq,
            at: r.at,
            label: r.label,
            confidence: r.confidence,
            knn_distance: r.knnDistance ?? null,
            latency_ms: r.latencyMs ?? null,
            features: r.features === undefined ? null : JSON.stringify(r.features),
            image_key: image ? key : null,
            image_offset: image ? offset : null,
            image_length: image?.length ?? null,
            image_media_type: image ? mediaType : null,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};
