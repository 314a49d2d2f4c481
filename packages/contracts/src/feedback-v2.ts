import { z } from 'zod';
import { ADAPTATION_ACTIONS } from './adaptation.js';
import { FeedbackOutcomeStatus } from './delivery-status.js';
import { DeviceSettings } from './device-settings.js';
import { Float32Vector } from './float32-base64.js';
import { Id, Label, ModelRef, StoredCount, Timestamp } from './primitives.js';

/** Version 2 of a device-protocol document (asked for with `?v=2`, or sent by a v2 device). */
export const SchemaVersion2 = z.literal(2);

const itemBase = {
  feedbackId: Id,
  cursor: z.number().int().positive(),
  issuedAt: Timestamp,
};

/** The adaptation a `revert` or `relabel` item is about, as the device reported it. */
export const AdaptationRef = z.strictObject({
  seq: StoredCount,
  action: z.enum(ADAPTATION_ACTIONS),
  label: Label.optional(),
  stateVersionBefore: StoredCount,
  stateVersionAfter: StoredCount,
});
export type AdaptationRef = z.infer<typeof AdaptationRef>;

/**
 * A validated label with the sample's feature vector, so the device can apply it whether or not
 * it still holds the sample. `source` is `own` for the device's own drift sample and `fleet` for a
 * label validated on another device running the same model (`sourceDeviceId`). `model` is the
 * model that computed `features`: a device running another model refuses the label.
 */
export const LabelItem = z.strictObject({
  ...itemBase,
  kind: z.literal('label'),
  decision: z.enum(['label', 'new-class']),
  label: Label,
  sampleId: Id,
  episodeId: Id.nullable(),
  source: z.enum(['own', 'fleet']),
  sourceDeviceId: Id,
  model: ModelRef.nullable(),
  /** Null only when the server lost the vector (the device then needs its local copy). */
  features: Float32Vector.nullable(),
  validatedAt: Timestamp,
});
export type LabelItem = z.infer<typeof LabelItem>;

/**
 * One item of a device's feedback inbox (v2): validated labels and false alarms of its own drift
 * samples, labels shared from the fleet, an engineer's revert or relabel of one of its
 * adaptations, and the server-controlled settings document.
 * @example
 * { "feedbackId": "fb_00000003", "cursor": 3, "issuedAt": "2026-11-26T11:00:00.000Z", "kind": "revert",
 *   "adaptation": { "seq": 4, "action": "pseudo-class-created", "label": "pseudo-1",
 *   "stateVersionBefore": 5, "stateVersionAfter": 6 } }
 */
export const FeedbackItem = z.discriminatedUnion('kind', [
  LabelItem,
  z.strictObject({ ...itemBase, kind: z.literal('false-alarm'), sampleId: Id, episodeId: Id, validatedAt: Timestamp }),
  z.strictObject({ ...itemBase, kind: z.literal('revert'), adaptation: AdaptationRef }),
  z.strictObject({ ...itemBase, kind: z.literal('relabel'), adaptation: AdaptationRef, label: Label }),
  z.strictObject({ ...itemBase, kind: z.literal('settings'), settings: DeviceSettings }),
]);
export type FeedbackItem = z.infer<typeof FeedbackItem>;
export type FeedbackKind = FeedbackItem['kind'];

/** `GET /device/v1/feedback?v=2&after=N` answer. */
export const FeedbackPageV2 = z.strictObject({
  schemaVersion: SchemaVersion2,
  items: z.array(FeedbackItem),
  nextCursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});
export type FeedbackPageV2 = z.infer<typeof FeedbackPageV2>;

/** The device's report on one inbox item. */
export const FeedbackOutcomeReport = z.strictObject({
  feedbackId: Id,
  cursor: z.number().int().positive(),
  status: FeedbackOutcomeStatus,
  reason: z.string().max(512).optional(),
  /** The device's state version after the item (when it changed the model). */
  stateVersion: StoredCount.optional(),
  /** Validated-label propagation: pending samples that joined the label with this item. */
  propagated: StoredCount.optional(),
  at: Timestamp,
});
export type FeedbackOutcomeReport = z.infer<typeof FeedbackOutcomeReport>;

/**
 * `POST /device/v1/feedback/ack` body of a v2 device: the cursor it applied up to, and what
 * happened to each item (the server stores it; people see it per label).
 */
export const FeedbackAckV2 = z.strictObject({
  schemaVersion: SchemaVersion2,
  cursor: z.number().int().nonnegative(),
  outcomes: z.array(FeedbackOutcomeReport).max(1000),
});
export type FeedbackAckV2 = z.infer<typeof FeedbackAckV2>;
