import { z } from 'zod';
import { Float32Vector } from './float32-base64.js';
import { Label, SchemaVersion1, Sequence, Timestamp } from './primitives.js';

/** One operational metric sample (`inference_ms`, `rss_mb`, …) with its per-device sequence number. */
export const MetricRecord = z.strictObject({
  seq: Sequence,
  at: Timestamp,
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case metric name'),
  value: z.number(),
  unit: z.string().max(16).optional(),
});
export type MetricRecord = z.infer<typeof MetricRecord>;

/** Log severities. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One log line with its per-device sequence number; the server deduplicates on `seq`. */
export const LogRecord = z.strictObject({
  seq: Sequence,
  at: Timestamp,
  level: z.enum(LOG_LEVELS),
  message: z.string().max(4096),
  context: z.record(z.string(), z.unknown()).optional(),
});
export type LogRecord = z.infer<typeof LogRecord>;

/** A prediction kept for inspection (sampled on the device). */
export const PredictionRecord = z.strictObject({
  seq: Sequence,
  at: Timestamp,
  label: Label,
  confidence: z.number().min(0).max(1),
  knnDistance: z.number().nonnegative().optional(),
  latencyMs: z.number().nonnegative().optional(),
  features: Float32Vector.optional(),
  imagePath: z.string().optional(),
});
export type PredictionRecord = z.infer<typeof PredictionRecord>;

/** Helper: a document of records whose sequence numbers are strictly increasing. */
function sequenced<T extends z.ZodType<{ seq: number }>>(record: T) {
  return z
    .strictObject({ schemaVersion: SchemaVersion1, records: z.array(record).max(100_000) })
    .refine((d) => d.records.every((r, i) => i === 0 || r.seq > (d.records[i - 1] as { seq: number }).seq), {
      message: 'records must have strictly increasing seq',
      path: ['records'],
    });
}

/** The metrics document of a package: an incremental range of metric records. */
export const MetricsDocument = sequenced(MetricRecord);
export type MetricsDocument = z.infer<typeof MetricsDocument>;

/** The logs document of a package: an incremental range of log records. */
export const LogsDocument = sequenced(LogRecord);
export type LogsDocument = z.infer<typeof LogsDocument>;

/** The prediction-samples document of a package. */
export const PredictionsDocument = sequenced(PredictionRecord);
export type PredictionsDocument = z.infer<typeof PredictionsDocument>;
