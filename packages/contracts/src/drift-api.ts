import { z } from 'zod';
import { DeliveryStatus } from './delivery-status.js';
import { ValidationRequest } from './drift.js';
import { Id, Label, SchemaVersion1, Timestamp } from './primitives.js';
import { ShareResult } from './share-scope.js';

/** Review statuses of a drift sample on the server. */
export const SAMPLE_STATUSES = ['pending', 'labelled', 'false-alarm', 'rejected'] as const;
export const SampleStatus = z.enum(SAMPLE_STATUSES);

/** A drift sample as people review it (`features` and `image` are fetched separately). */
export const DriftSampleSummary = z.strictObject({
  deviceId: Id,
  sampleId: Id,
  episodeId: Id,
  capturedAt: Timestamp,
  predictedLabel: Label,
  confidence: z.number(),
  status: SampleStatus,
  label: z.string().nullable(),
  hasImage: z.boolean(),
  /** How the newest validation of this sample reached its device (absent: never validated). */
  delivery: z.strictObject({ status: DeliveryStatus, reason: z.string().nullable() }).nullable().optional(),
});
export type DriftSampleSummary = z.infer<typeof DriftSampleSummary>;

/** A drift episode on one device. */
export const DriftEpisodeSummary = z.strictObject({
  deviceId: Id,
  episodeId: Id,
  detector: z.strictObject({ kind: z.string(), name: z.string() }),
  startedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  open: z.boolean(),
  statistics: z.record(z.string(), z.number()),
  samples: z.number().int().nonnegative(),
  /** The device's name (absent from older servers). */
  deviceName: z.string().optional(),
  /** Samples of the episode still awaiting validation. */
  pendingSamples: z.number().int().nonnegative().optional(),
  /** The episode's first pending sample with an image (else its first with one), for a thumbnail. */
  thumbnail: z.strictObject({ deviceId: Id, sampleId: Id }).nullable().optional(),
});
export type DriftEpisodeSummary = z.infer<typeof DriftEpisodeSummary>;

/** `POST /api/v1/drift/validations` body: several validations at once, each applied or refused on its own. */
export const BulkValidationRequest = z.strictObject({
  items: z
    .array(z.strictObject({ deviceId: Id, sampleId: Id, validation: ValidationRequest }))
    .min(1)
    .max(500),
});
export type BulkValidationRequest = z.infer<typeof BulkValidationRequest>;

/** Outcome of one validation. */
export const ValidationResult = z.strictObject({
  deviceId: Id,
  sampleId: Id,
  ok: z.boolean(),
  feedbackCursor: z.number().int().positive().optional(),
  error: z.string().optional(),
  /** Where the label was shared besides its own device. */
  shared: ShareResult.optional(),
});
export type ValidationResult = z.infer<typeof ValidationResult>;

/** `POST /api/v1/drift/devices/:id/reanalysis` body: which detector to replay the device's samples through. */
export const ReanalysisRequest = z.strictObject({
  detector: z.strictObject({
    kind: z.string().regex(/^[a-z][a-z0-9-]*$/),
    options: z.record(z.string(), z.unknown()).default({}),
  }),
  /** Which scalar of each sample feeds the detector. */
  signal: z.enum(['confidence', 'feature-norm']).default('confidence'),
  since: Timestamp.optional(),
});
export type ReanalysisRequest = z.infer<typeof ReanalysisRequest>;

/** Result of a re-analysis: where the detector fired. */
export const ReanalysisResult = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  detector: z.string(),
  samples: z.number().int().nonnegative(),
  detections: z.array(z.strictObject({ index: z.number().int(), sampleId: Id, capturedAt: Timestamp })),
});
export type ReanalysisResult = z.infer<typeof ReanalysisResult>;
