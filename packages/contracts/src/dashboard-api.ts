import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryStatus } from './delivery-status.js';
import { DeviceSummary } from './devices-api.js';
import { DriftEpisodeSummary, DriftSampleSummary, ValidationResult } from './drift-api.js';
import { BundleManifest } from './model-bundle.js';
import { ModelVersionSummary } from './registry-api.js';
import { ApiRole, Id, Label, SchemaVersion1, Timestamp } from './primitives.js';

/** `GET /api/v1/drift/episodes` answer. */
export const DriftEpisodeList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(DriftEpisodeSummary) });
export type DriftEpisodeList = z.infer<typeof DriftEpisodeList>;

/** `GET /api/v1/drift/samples` answer (one page, newest first). */
export const DriftSampleList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(DriftSampleSummary) });
export type DriftSampleList = z.infer<typeof DriftSampleList>;

/**
 * `GET /api/v1/drift/samples/:deviceId/:sampleId`: a sample with its KNN neighbours at prediction
 * time; each neighbour's label comes with the newest labelled sample of that class that has an
 * image (`exemplar`), so people see the drifted input next to what the class looks like.
 */
export const DriftSampleDetail = z.strictObject({
  schemaVersion: SchemaVersion1,
  sample: DriftSampleSummary,
  neighbours: z.array(
    z.strictObject({
      label: Label,
      distance: z.number().nonnegative(),
      exemplar: z.strictObject({ deviceId: Id, sampleId: Id }).nullable(),
    }),
  ),
});
export type DriftSampleDetail = z.infer<typeof DriftSampleDetail>;

/** `GET /api/v1/drift/feedback-status`: per device, feedback issued by the server and acknowledged. */
export const FeedbackStatusList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(
    z.strictObject({
      deviceId: Id,
      name: z.string(),
      issued: z.number().int().nonnegative(),
      acknowledged: z.number().int().nonnegative(),
      lastValidatedAt: Timestamp.nullable(),
      /** Issued items by delivery status (`acknowledged`: an older device did not say what it did). */
      byStatus: z.strictObject(
        Object.fromEntries(DELIVERY_STATUSES.map((k) => [k, z.number().int().nonnegative()])) as Record<
          DeliveryStatus,
          z.ZodNumber
        >,
      ),
    }),
  ),
});
export type FeedbackStatusList = z.infer<typeof FeedbackStatusList>;

/** `GET /api/v1/devices/:id/timeline`: a device's recent predictions, episodes and resource metrics. */
export const DeviceTimeline = z.strictObject({
  schemaVersion: SchemaVersion1,
  deviceId: Id,
  predictions: z.array(
    z.strictObject({
      /** The device's prediction sequence number (names its image: `/predictions/:seq/image`). */
      seq: z.number().int(),
      at: Timestamp,
      label: Label,
      confidence: z.number(),
      knnDistance: z.number().nullable(),
      latencyMs: z.number().nullable(),
      /** Whether `GET /api/v1/devices/:id/predictions/:seq/image` has the input frame. */
      hasImage: z.boolean(),
    }),
  ),
  episodes: z.array(z.strictObject({ episodeId: Id, startedAt: Timestamp.nullable(), endedAt: Timestamp.nullable() })),
  metrics: z.array(
    z.strictObject({
      name: z.string(),
      unit: z.string().nullable(),
      points: z.array(z.strictObject({ at: Timestamp, value: z.number() })),
    }),
  ),
  /**
   * The KNN distance above which the device's drift monitor accumulates evidence (reference mean
   * plus its Page-Hinkley delta), from the newest knn-distance episode that reported both; null
   * when none did.
   */
  driftLevel: z.strictObject({ knnDistance: z.number(), episodeId: Id }).nullable().optional(),
});
export type DeviceTimeline = z.infer<typeof DeviceTimeline>;

/** `GET /api/v1/models` answer. */
export const ModelList = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(z.strictObject({ modelId: z.string(), createdAt: Timestamp })),
});
export type ModelList = z.infer<typeof ModelList>;

/** `GET /api/v1/models/:id/versions/:version`: a version with its verified bundle manifest. */
export const ModelVersionDetail = z.strictObject({
  schemaVersion: SchemaVersion1,
  version: ModelVersionSummary,
  manifest: BundleManifest,
});
export type ModelVersionDetail = z.infer<typeof ModelVersionDetail>;

/** `GET /api/v1/api-tokens` and `GET /api/v1/enrolment-tokens` answers (admin); secrets are never listed. */
export const AccessTokenList = z.strictObject({
  schemaVersion: SchemaVersion1,
  apiTokens: z.array(
    z.strictObject({
      tokenId: Id,
      name: z.string(),
      role: ApiRole,
      createdAt: Timestamp,
      revokedAt: Timestamp.nullable(),
    }),
  ),
  enrolmentTokens: z.array(
    z.strictObject({
      tokenId: Id,
      usesLeft: z.number().int().nonnegative().nullable(),
      expiresAt: Timestamp.nullable(),
      createdAt: Timestamp,
    }),
  ),
});
export type AccessTokenList = z.infer<typeof AccessTokenList>;

/** `POST /api/v1/deployments` answer. */
export const AssignmentResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  target: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('device'), deviceId: Id }),
    z.strictObject({ kind: z.literal('tag'), tag: z.string() }),
    z.strictObject({ kind: z.literal('group'), group: z.string() }),
  ]),
  modelId: z.string(),
  version: z.string(),
  assignedAt: Timestamp,
});
export type AssignmentResponse = z.infer<typeof AssignmentResponse>;

/** Sort keys of the fleet device table. */
export const DEVICE_TABLE_SORTS = ['name', 'lastSeen', 'model', 'mode', 'status', 'drift'] as const;

/**
 * `GET /api/v1/fleet/devices`: one page of the device table, filtered and sorted by the server;
 * `driftEpisodes7d` counts drift episodes started in the last 7 days (the table's drift rate).
 */
export const DeviceTablePage = z.strictObject({
  schemaVersion: SchemaVersion1,
  items: z.array(z.strictObject({ device: DeviceSummary, driftEpisodes7d: z.number().int().nonnegative() })),
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
});
export type DeviceTablePage = z.infer<typeof DeviceTablePage>;

/** `POST /api/v1/drift/validations` answer: one result per item, in order. */
export const BulkValidationResponse = z.strictObject({
  schemaVersion: SchemaVersion1,
  results: z.array(ValidationResult),
});
export type BulkValidationResponse = z.infer<typeof BulkValidationResponse>;
