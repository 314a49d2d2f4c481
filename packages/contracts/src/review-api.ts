import { z } from 'zod';
import { DriftSampleSummary } from './drift-api.js';
import { Id, Label, ModelRef, SchemaVersion1, Timestamp } from './primitives.js';

/**
 * `GET /api/v1/drift/review-queue`: one page of every drift sample awaiting validation across
 * episodes, oldest first (the order a labelling queue works through), with the device's name,
 * group and the model the episode ran under; `total` counts the whole filtered queue.
 */
export const ReviewQueuePage = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(
    z.strictObject({
      sample: DriftSampleSummary,
      deviceName: z.string(),
      group: z.string().nullable(),
      model: ModelRef.nullable(),
    }),
  ),
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
});
export type ReviewQueuePage = z.infer<typeof ReviewQueuePage>;

/** Where a class name in the review's class list comes from. */
export const CLASS_SOURCES = ['model', 'validated'] as const;

/**
 * `GET /api/v1/drift/classes`: the classes people label with — the labels of every registered
 * model version, and every class people gave a drift sample before (new classes included), with
 * how many samples carry it. Sorted by use, then name.
 */
export const ReviewClassList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(
    z.strictObject({
      label: Label,
      sources: z.array(z.enum(CLASS_SOURCES)).min(1),
      validatedSamples: z.number().int().nonnegative(),
    }),
  ),
});
export type ReviewClassList = z.infer<typeof ReviewClassList>;

/**
 * `DELETE /api/v1/drift/samples/:deviceId/:sampleId/validation` answer: the sample is pending
 * again and its label is what it was before (`previous` says what was undone); the feedback the
 * validation queued is withdrawn unless the device already acknowledged it (then 409: relabel).
 */
export const ValidationUndoResult = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  sampleId: Id,
  status: z.literal('pending'),
  previous: z.strictObject({ status: z.enum(['labelled', 'false-alarm', 'rejected']), label: z.string().nullable() }),
  withdrawnFeedback: z.number().int().nonnegative(),
});
export type ValidationUndoResult = z.infer<typeof ValidationUndoResult>;

/** A deployment target: one device, every device with a tag, or every device in a group. */
export const DeploymentTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('device'), deviceId: Id }),
  z.strictObject({ kind: z.literal('tag'), tag: z.string().min(1).max(64) }),
  z.strictObject({ kind: z.literal('group'), group: z.string().min(1).max(64) }),
]);
export type DeploymentTarget = z.infer<typeof DeploymentTarget>;

/**
 * `GET /api/v1/deployments/rules`: every assignment rule, newest first, with how many devices it
 * matches now (0: a typo'd group or tag, or devices not yet enrolled).
 */
export const AssignmentRuleList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(
    z.strictObject({
      target: DeploymentTarget,
      modelId: z.string(),
      version: z.string(),
      assignedAt: Timestamp,
      matchedDevices: z.number().int().nonnegative(),
    }),
  ),
});
export type AssignmentRuleList = z.infer<typeof AssignmentRuleList>;

/** `GET /api/v1/deployments/target-match?kind=group&target=berlin`: devices a target would reach. */
export const TargetMatch = z.strictObject({
  schemaVersion: SchemaVersion1,
  target: DeploymentTarget,
  matchedDevices: z.number().int().nonnegative(),
  /** Up to 20 of their names, for the deploy form to show. */
  sample: z.array(z.string()).max(20),
});
export type TargetMatch = z.infer<typeof TargetMatch>;
