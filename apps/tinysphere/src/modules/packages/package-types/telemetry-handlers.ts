import { LogsDocument, MetricsDocument, parseOrThrow, PredictionsDocument } from '@tinymlops/contracts';
import { chunked, type PackageTypeHandler } from './package-type-handler.js';

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

/** Prediction samples → `prediction_records` (features kept in their wire encoding). */
export const predictionsHandler: PackageTypeHandler<PredictionsDocument> = {
  type: 'prediction-samples',
  parse: (_input, doc) => parseOrThrow(PredictionsDocument, doc, 'prediction-samples document'),
  async rows(tx, input, doc) {
    for (const part of chunked(doc.records)) {
      await tx
        .insertInto('prediction_records')
        .values(
          part.map((r) => ({
            device_id: input.deviceId,
            seq: r.seq,
            at: r.at,
            label: r.label,
            confidence: r.confidence,
            knn_distance: r.knnDistance ?? null,
            latency_ms: r.latencyMs ?? null,
            features: r.features === undefined ? null : JSON.stringify(r.features),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  },
};
