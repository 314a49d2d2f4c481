import { LogsDocument, MetricsDocument, parseOrThrow, PredictionsDocument, TinyMLOpsError } from '@tinymlops/contracts';
import { chunked, packRuns, type IngestInput, type PackageTypeHandler } from './package-type-handler.js';

/** Blob key of the object holding every prediction image of one package (end to end). */
export function predictionImagesKey(deviceId: string, packageId: string): string {
  return `predictions/${deviceId}/${packageId}.images`;
}

/** Each record's image bytes (or undefined) and where it sits in the package's images blob. */
function imageLayout(input: IngestInput, doc: PredictionsDocument) {
  const images = doc.records.map((r) => (r.imagePath ? input.entries.get(r.imagePath) : undefined));
  return { images, ...packRuns(images) };
}

/** Operational metrics → the `metric_points` time series; a re-sent seq is ignored. */
export const metricsHandler: PackageTypeHandler<MetricsDocument> = {
  type: 'metrics',
  parse: (_input, doc) => parseOrThrow(MetricsDocument, doc, 'metrics document'),
  async rows(tx, input, doc) {
    for (const part of chunked(doc.records)) {
      await tx
        .insertInto('metric_points')
        .values(
          part.map((r) => ({
            device_id: input.deviceId,
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
  async rows(tx, input, doc) {
    for (const part of chunked(doc.records)) {
      await tx
        .insertInto('log_records')
        .values(
          part.map((r) => ({
            device_id: input.deviceId,
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
 * in one blob per package, each row pointing at its byte range (as drift sample images are).
 */
export const predictionsHandler: PackageTypeHandler<PredictionsDocument> = {
  type: 'prediction-samples',
  parse(input, raw) {
    const doc = parseOrThrow(PredictionsDocument, raw, 'prediction-samples document');
    for (const r of doc.records) {
      if (r.imagePath && !input.entries.has(r.imagePath)) {
        throw new TinyMLOpsError(
          'INVALID_ARCHIVE',
          `prediction ${r.seq} refers to image ${r.imagePath}, which is not in the package`,
        );
      }
    }
    return doc;
  },
  async blobs(ctx, input, doc) {
    const { bytes } = imageLayout(input, doc);
    if (bytes.length) await ctx.blobs.put(predictionImagesKey(input.deviceId, input.packageId), Buffer.concat(bytes));
  },
  async rows(tx, input, doc) {
    const { images, offsets } = imageLayout(input, doc);
    const key = predictionImagesKey(input.deviceId, input.packageId);
    const mediaType = new Map(input.manifest.files.map((f) => [f.path, f.mediaType]));
    const records = doc.records.map((r, i) => ({ r, offset: offsets[i] ?? null, image: images[i] }));
    for (const part of chunked(records)) {
      await tx
        .insertInto('prediction_records')
        .values(
          part.map(({ r, offset, image }) => ({
            device_id: input.deviceId,
            seq: r.seq,
            at: r.at,
            label: r.label,
            confidence: r.confidence,
            knn_distance: r.knnDistance ?? null,
            latency_ms: r.latencyMs ?? null,
            features: r.features === undefined ? null : JSON.stringify(r.features),
            image_key: image ? key : null,
            image_offset: offset,
            image_length: image?.length ?? null,
            image_media_type: image && r.imagePath ? (mediaType.get(r.imagePath) ?? 'image/png') : null,
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};
