import { z } from 'zod';
import { ADAPTATION_ACTIONS } from './adaptation.js';
import { DriftSampleSummary } from './drift-api.js';
import { DeliveryStatus } from './delivery-status.js';
import { Id, Label, SchemaVersion1, StoredCount, Timestamp } from './primitives.js';
import { ShareResult, ShareScope } from './share-scope.js';

/**
 * `GET`/`PUT /api/v1/fleet-learning/policy`: the scope used when a validation names none, and how
 * many shared samples one device takes at most (later shares to a full device are skipped).
 * @example
 * { "schemaVersion": 1, "defaultScope": { "scope": "device" }, "budgetPerDevice": 200 }
 */
export const FleetLearningPolicy = z.strictObject({
  schemaVersion: SchemaVersion1,
  defaultScope: ShareScope,
  budgetPerDevice: z.number().int().nonnegative().max(100_000),
});
export type FleetLearningPolicy = z.infer<typeof FleetLearningPolicy>;

/** A person's verdict on a device's adaptation, and how its revert or relabel was delivered. */
export const AdaptationReview = z.strictObject({
  decision: z.enum(['accepted', 'relabelled', 'reverted']),
  label: Label.nullable(),
  by: z.string(),
  at: Timestamp,
  delivery: z
    .strictObject({ status: DeliveryStatus, reason: z.string().nullable(), at: Timestamp.nullable() })
    .nullable(),
});
export type AdaptationReview = z.infer<typeof AdaptationReview>;

/** One adaptation a device reported (a pseudo-class, a reinforcement, applied labels, a rollback, …). */
export const AdaptationSummary = z.strictObject({
  deviceId: Id,
  deviceName: z.string(),
  seq: StoredCount,
  at: Timestamp,
  action: z.enum(ADAPTATION_ACTIONS),
  label: Label.nullable(),
  /** Samples added to or removed from the KNN, as the device counted them. */
  samples: z.number().int().nonnegative(),
  stateVersionBefore: StoredCount,
  stateVersionAfter: StoredCount,
  reason: z.string(),
  metrics: z.record(z.string(), z.number()).nullable(),
  /** Sample ids the device named for this step. */
  sampleIds: z.array(Id),
  /** Whether people may accept, relabel or revert it (steps that changed the KNN). */
  reviewable: z.boolean(),
  review: AdaptationReview.nullable(),
});
export type AdaptationSummary = z.infer<typeof AdaptationSummary>;

/** A state version the device uploaded. */
export const StateVersionSummary = z.strictObject({
  stateVersion: StoredCount,
  createdAt: Timestamp,
  reason: z.string(),
  parentVersion: StoredCount.nullable(),
});
export type StateVersionSummary = z.infer<typeof StateVersionSummary>;

/** `GET /api/v1/adaptations?deviceId=` answer: newest first; state versions when one device is asked for. */
export const AdaptationList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(AdaptationSummary),
  stateVersions: z.array(StateVersionSummary),
});
export type AdaptationList = z.infer<typeof AdaptationList>;

/** A sample behind an adaptation: its label there, whether the server holds its features, its drift record if any. */
export const AdaptationSampleView = z.strictObject({
  sampleId: Id,
  label: Label.nullable(),
  hasFeatures: z.boolean(),
  drift: DriftSampleSummary.nullable(),
});
export type AdaptationSampleView = z.infer<typeof AdaptationSampleView>;

/** `GET /api/v1/adaptations/:deviceId/:seq` answer. */
export const AdaptationDetail = z.strictObject({
  schemaVersion: SchemaVersion1,
  adaptation: AdaptationSummary,
  samples: z.array(AdaptationSampleView),
});
export type AdaptationDetail = z.infer<typeof AdaptationDetail>;

/**
 * `POST /api/v1/adaptations/:deviceId/:seq/review` body: accept it as it is (its samples become
 * validated and may be shared), relabel it (the device renames it), or revert it (the device rolls
 * back to the version before it, or removes what it added).
 */
export const AdaptationReviewRequest = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('accept'), share: ShareScope.optional() }),
  z.strictObject({ decision: z.literal('relabel'), label: Label, share: ShareScope.optional() }),
  z.strictObject({ decision: z.literal('revert') }),
]);
export type AdaptationReviewRequest = z.infer<typeof AdaptationReviewRequest>;

/** Answer to a review: the adaptation as it now stands, the inbox cursor of a revert/relabel, the share. */
export const AdaptationReviewResult = z.strictObject({
  schemaVersion: SchemaVersion1,
  adaptation: AdaptationSummary,
  feedbackCursor: z.number().int().positive().nullable(),
  shared: ShareResult.nullable(),
});
export type AdaptationReviewResult = z.infer<typeof AdaptationReviewResult>;

/** One item of a device's inbox as people see it: what was sent and what the device did with it. */
export const FeedbackDelivery = z.strictObject({
  feedbackId: Id,
  cursor: z.number().int().positive(),
  deviceId: Id,
  deviceName: z.string(),
  kind: z.enum(['label', 'false-alarm', 'revert', 'relabel', 'settings']),
  label: z.string().nullable(),
  sampleId: Id.nullable(),
  /** The device whose sample a fleet-shared label comes from (null: the device's own sample). */
  sourceDeviceId: Id.nullable(),
  issuedAt: Timestamp,
  status: DeliveryStatus,
  reason: z.string().nullable(),
  statusAt: Timestamp.nullable(),
});
export type FeedbackDelivery = z.infer<typeof FeedbackDelivery>;

/** `GET /api/v1/feedback/deliveries` answer: newest first. */
export const FeedbackDeliveryList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(FeedbackDelivery),
});
export type FeedbackDeliveryList = z.infer<typeof FeedbackDeliveryList>;
