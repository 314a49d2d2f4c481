import { z } from 'zod';
import { MlflowLink } from './mlflow-api.js';
import { Id, SchemaVersion1, Sha256, Timestamp, Version } from './primitives.js';

/** A model version in the registry. */
export const ModelVersionSummary = z.strictObject({
  modelId: z.string(),
  version: Version,
  bundleSha256: Sha256,
  bundleSize: z.number().int().positive(),
  signedBy: z.string().nullable(),
  aliases: z.array(z.string()),
  createdAt: Timestamp,
  /** Where the version came from when TinySphere imported it from an MLflow registry. */
  mlflow: MlflowLink.nullable().optional(),
});
export type ModelVersionSummary = z.infer<typeof ModelVersionSummary>;

/** `GET /api/v1/models/:id/versions` answer. */
export const ModelVersionList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(ModelVersionSummary) });
export type ModelVersionList = z.infer<typeof ModelVersionList>;

/** Alias names: `production`, `canary`, or any lower-case word. */
export const AliasName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lower-case alias like production');

/** `PUT /api/v1/models/:id/aliases/:alias` body. */
export const AliasRequest = z.strictObject({ version: Version });
export type AliasRequest = z.infer<typeof AliasRequest>;

/**
 * `POST /api/v1/deployments` body: give a version (or the version an alias points at) to one
 * device, every device with a tag, or every device in a group. A device's own assignment wins
 * over its group's, and its group's over its tags'.
 */
export const AssignmentRequest = z
  .strictObject({
    target: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('device'), deviceId: Id }),
      z.strictObject({ kind: z.literal('tag'), tag: z.string().min(1).max(64) }),
      z.strictObject({ kind: z.literal('group'), group: z.string().min(1).max(64) }),
    ]),
    modelId: z.string().min(1).max(64),
    version: Version.optional(),
    alias: AliasName.optional(),
  })
  .refine((r) => (r.version === undefined) !== (r.alias === undefined), {
    message: 'give exactly one of version or alias',
  });
export type AssignmentRequest = z.infer<typeof AssignmentRequest>;

/** One device's deployment state: what it should run, what it runs, and its last install report. */
export const DeploymentStatus = z.strictObject({
  deviceId: Id,
  assigned: z
    .strictObject({ modelId: z.string(), version: Version, via: z.enum(['device', 'group', 'tag']) })
    .nullable(),
  running: z.strictObject({ modelId: z.string(), version: Version }).nullable(),
  lastReport: z
    .strictObject({
      modelId: z.string(),
      version: Version,
      status: z.string(),
      message: z.string().nullable(),
      at: Timestamp,
    })
    .nullable(),
  inSync: z.boolean(),
});
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

/** `GET /api/v1/deployments` answer. */
export const DeploymentStatusList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(DeploymentStatus) });
export type DeploymentStatusList = z.infer<typeof DeploymentStatusList>;
