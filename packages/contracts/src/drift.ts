import { z } from 'zod';
import { Float32Vector } from './float32-base64.js';
import { Id, ImageMediaType, Label, RelativePath, SchemaVersion1, StoredCount, Timestamp } from './primitives.js';
import { ShareScope } from './share-scope.js';

/** Start or end of a drift episode. A detector emits exactly one of each per episode. */
export const DRIFT_PHASES = ['start', 'end'] as const;

/**
 * A drift episode boundary reported by a device detector.
 * @example
 * { "eventId": "evt_0001aaaa", "episodeId": "ep_0001aaaa", "phase": "start", "at": "2026-11-26T10:02:00.000Z",
 *   "frameIndex": 812, "detector": { "kind": "knn-distance", "name": "knn-distance" },
 *   "statistics": { "meanDistance": 14.2, "pageHinkley": 31.5 }, "thresholds": { "lambda": 30 },
 *   "sampleIds": ["smp_0001aaaa"] }
 */
export const DriftEvent = z.strictObject({
  eventId: Id,
  episodeId: Id,
  phase: z.enum(DRIFT_PHASES),
  at: Timestamp,
  frameIndex: StoredCount,
  detector: z.strictObject({
    kind: z.string().regex(/^[a-z][a-z0-9-]*$/),
    name: z.string().min(1).max(64),
  }),
  statistics: z.record(z.string(), z.number()),
  thresholds: z.record(z.string(), z.number()),
  sampleIds: z.array(Id).max(1000),
});
export type DriftEvent = z.infer<typeof DriftEvent>;

/** A neighbour of a sample in the device's KNN at prediction time. */
export const Neighbour = z.strictObject({ label: Label, distance: z.number().nonnegative() });
export type Neighbour = z.infer<typeof Neighbour>;

/**
 * One input captured around a drift episode: its transformed feature vector, the prediction,
 * and optionally the image (a file in the same package).
 */
export const DriftSample = z.strictObject({
  sampleId: Id,
  episodeId: Id,
  capturedAt: Timestamp,
  frameIndex: StoredCount,
  prediction: z.strictObject({ label: Label, confidence: z.number().min(0).max(1) }),
  neighbours: z.array(Neighbour).max(64).optional(),
  features: Float32Vector,
  image: z
    .strictObject({
      path: RelativePath,
      mediaType: ImageMediaType,
      width: z.number().int().positive(),
      height: z.number().int().positive(),
    })
    .optional(),
});
export type DriftSample = z.infer<typeof DriftSample>;

/** The drift document of a package: episode boundaries and the samples they refer to. */
export const DriftEventsDocument = z.strictObject({
  schemaVersion: SchemaVersion1,
  events: z.array(DriftEvent).max(10_000),
  samples: z.array(DriftSample).max(10_000),
});
export type DriftEventsDocument = z.infer<typeof DriftEventsDocument>;

/** A person's decision about a drift sample. */
export const VALIDATION_DECISIONS = ['label', 'new-class', 'false-alarm'] as const;

/**
 * A validation made on the server, delivered to the device as feedback. `cursor` increases
 * strictly per device, so a device pulls `?after=<last cursor>` and acknowledges what it applied.
 * @example
 * { "feedbackId": "fb_00000001", "cursor": 1, "sampleId": "smp_0001aaaa", "episodeId": "ep_0001aaaa",
 *   "decision": "new-class", "label": "bag", "validatedAt": "2026-11-26T10:05:00.000Z" }
 */
export const ValidationFeedback = z.discriminatedUnion('decision', [
  z.strictObject({
    feedbackId: Id,
    cursor: z.number().int().positive(),
    sampleId: Id,
    episodeId: Id,
    decision: z.literal('label'),
    label: Label,
    validatedAt: Timestamp,
  }),
  z.strictObject({
    feedbackId: Id,
    cursor: z.number().int().positive(),
    sampleId: Id,
    episodeId: Id,
    decision: z.literal('new-class'),
    label: Label,
    validatedAt: Timestamp,
  }),
  z.strictObject({
    feedbackId: Id,
    cursor: z.number().int().positive(),
    sampleId: Id,
    episodeId: Id,
    decision: z.literal('false-alarm'),
    validatedAt: Timestamp,
  }),
]);
export type ValidationFeedback = z.infer<typeof ValidationFeedback>;

/** `GET /device/v1/feedback?after=N` answer. */
export const FeedbackPage = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(ValidationFeedback),
  nextCursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});
export type FeedbackPage = z.infer<typeof FeedbackPage>;

/** `POST /device/v1/feedback/ack` body: everything up to and including `cursor` was applied. */
export const FeedbackAck = z.strictObject({
  schemaVersion: SchemaVersion1,
  cursor: z.number().int().nonnegative(),
});
export type FeedbackAck = z.infer<typeof FeedbackAck>;

/**
 * What a person submits to validate one sample (`POST /api/v1/drift/samples/:id/validation`).
 * `share` also sends the label (features and class, never the image) to other devices running
 * the same model; without it the server's fleet-learning policy decides.
 */
export const ValidationRequest = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('label'), label: Label, share: ShareScope.optional() }),
  z.strictObject({ decision: z.literal('new-class'), label: Label, share: ShareScope.optional() }),
  z.strictObject({ decision: z.literal('false-alarm') }),
]);
export type ValidationRequest = z.infer<typeof ValidationRequest>;
