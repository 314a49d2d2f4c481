import { z } from 'zod';
import { DetectorSnapshot } from './detector-snapshot.js';
import { Float32Vector } from './float32-base64.js';
import { Id, Label, SchemaVersion1, Sequence, StoredCount, Timestamp } from './primitives.js';

/** What an adaptation step did. */
export const ADAPTATION_ACTIONS = [
  'pseudo-class-created',
  'class-reinforced',
  'feedback-applied',
  'feedback-undone',
  'rollback',
  'snapshot',
  'adaptation-reverted',
  'adaptation-relabelled',
] as const;

/**
 * One adaptation decision on the device.
 * @example
 * { "seq": 4, "at": "2026-11-26T10:06:00.000Z", "action": "feedback-applied", "label": "bag",
 *   "samples": 3, "stateVersionBefore": 5, "stateVersionAfter": 6, "reason": "server feedback fb_00000001" }
 */
export const AdaptationEvent = z.strictObject({
  seq: Sequence,
  at: Timestamp,
  action: z.enum(ADAPTATION_ACTIONS),
  label: Label.optional(),
  samples: StoredCount,
  stateVersionBefore: StoredCount,
  stateVersionAfter: StoredCount,
  reason: z.string().max(1024),
  metrics: z.record(z.string(), z.number()).optional(),
  /** The samples the step used (the members of a cluster, the labelled sample, …). */
  sampleIds: z.array(Id).max(1000).optional(),
});
export type AdaptationEvent = z.infer<typeof AdaptationEvent>;

/**
 * A sample an adaptation put into the KNN, with its features: what the server shows behind the
 * adaptation, and what an accepted adaptation shares with the fleet.
 */
export const AdaptationSample = z.strictObject({
  seq: Sequence,
  sampleId: Id,
  label: Label,
  features: Float32Vector,
});
export type AdaptationSample = z.infer<typeof AdaptationSample>;

/** The adaptation document of a package: events, and the samples they added to the KNN. */
export const AdaptationDocument = z.strictObject({
  schemaVersion: SchemaVersion1,
  records: z.array(AdaptationEvent).max(100_000),
  samples: z.array(AdaptationSample).max(10_000).optional(),
});
export type AdaptationDocument = z.infer<typeof AdaptationDocument>;

/**
 * A versioned snapshot of every adaptive component of a device. Component states other than
 * detectors are owned by TinyLCM and kept opaque here (JSON objects).
 */
export const StateSnapshotDocument = z.strictObject({
  schemaVersion: SchemaVersion1,
  stateVersion: StoredCount,
  createdAt: Timestamp,
  reason: z.string().max(256),
  parentVersion: StoredCount.nullable(),
  modelId: z.string().min(1).max(64).optional(),
  snapshotId: Id.optional(),
  components: z.strictObject({
    classifier: z.record(z.string(), z.unknown()).optional(),
    transform: z.record(z.string(), z.unknown()).optional(),
    quarantine: z.record(z.string(), z.unknown()).optional(),
    detectors: z.array(DetectorSnapshot).optional(),
  }),
});
export type StateSnapshotDocument = z.infer<typeof StateSnapshotDocument>;
