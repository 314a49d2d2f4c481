import { z } from 'zod';
import { FieldExportQuery, ModelId } from './field-dataset.js';
import { SchemaVersion1, Sha256, Timestamp, Version } from './primitives.js';

/**
 * A registered MLflow model and how to pick its version: `models:/<name>@<alias>` (follows the
 * alias) or `models:/<name>/<version>` (one version), as MLflow spells model URIs.
 */
export const MlflowModelUri = z
  .string()
  .max(512)
  .regex(/^models:\/[^/@\s]+(@[\w-]+|\/\d+)$/, 'expected models:/<name>@<alias> or models:/<name>/<version>');

/** Where a TinySphere model version came from in MLflow. */
export const MlflowLink = z.strictObject({
  name: z.string(),
  version: z.string(),
  runId: z.string().nullable(),
  source: z.string().nullable(),
});
export type MlflowLink = z.infer<typeof MlflowLink>;

/** Where an import stands. */
export const MLFLOW_IMPORT_STATUSES = ['pending', 'imported', 'failed'] as const;
/** What asked for an import: the alias poll, an MLflow webhook, or a person (`POST /api/v1/mlflow/imports`). */
export const MLFLOW_IMPORT_TRIGGERS = ['poll', 'webhook', 'manual'] as const;

/** One attempt to bring an MLflow model version into TinySphere, with its outcome and reason. */
export const MlflowImport = z.strictObject({
  name: z.string(),
  version: z.string(),
  alias: z.string().nullable(),
  trigger: z.enum(MLFLOW_IMPORT_TRIGGERS),
  status: z.enum(MLFLOW_IMPORT_STATUSES),
  /** Why it failed, in words a person can act on (null unless failed). */
  error: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  runId: z.string().nullable(),
  /** The TinySphere version it became (null until imported). */
  modelId: ModelId.nullable(),
  modelVersion: Version.nullable(),
  requestedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type MlflowImport = z.infer<typeof MlflowImport>;

/** `GET /api/v1/mlflow/imports` answer, newest first. */
export const MlflowImportList = z.strictObject({ schemaVersion: SchemaVersion1, items: z.array(MlflowImport) });
export type MlflowImportList = z.infer<typeof MlflowImportList>;

/** `POST /api/v1/mlflow/imports` body: import (or retry) the version a model URI names, now. */
export const MlflowImportRequest = z.strictObject({ modelUri: MlflowModelUri });
export type MlflowImportRequest = z.infer<typeof MlflowImportRequest>;

/** `GET /api/v1/mlflow/status`: whether MLflow is wired and how (never the credentials). */
export const MlflowStatus = z.strictObject({
  schemaVersion: SchemaVersion1,
  enabled: z.boolean(),
  trackingUri: z.string().nullable(),
  auth: z.enum(['none', 'token', 'basic']),
  sources: z.array(MlflowModelUri),
  pollSeconds: z.number().int().nonnegative(),
  webhook: z.boolean(),
  fieldMetrics: z.strictObject({ experiment: z.string(), intervalSeconds: z.number().int().nonnegative() }),
});
export type MlflowStatus = z.infer<typeof MlflowStatus>;

/** The field metrics logged for one deployed model version in one window. */
export const FieldMetricsRun = z.strictObject({
  modelId: ModelId,
  version: Version,
  runId: z.string(),
  from: Timestamp,
  to: Timestamp,
  metrics: z.record(z.string(), z.number()),
  finished: z.boolean(),
});
export type FieldMetricsRun = z.infer<typeof FieldMetricsRun>;

/** `POST /api/v1/mlflow/field-metrics` answer: what was logged now. */
export const FieldMetricsResult = z.strictObject({ schemaVersion: SchemaVersion1, runs: z.array(FieldMetricsRun) });
export type FieldMetricsResult = z.infer<typeof FieldMetricsResult>;

/** `POST /api/v1/exports/validated-samples/mlflow` body: the export's filter (JSON, not a query string). */
export const FieldExportMlflowRequest = FieldExportQuery;

/** Answer of logging an export to MLflow: the run holding it as an artifact and a dataset input. */
export const FieldExportMlflowResult = z.strictObject({
  schemaVersion: SchemaVersion1,
  runId: z.string(),
  artifactUri: z.string(),
  datasetName: z.string(),
  datasetDigest: Sha256,
  count: z.number().int().nonnegative(),
});
export type FieldExportMlflowResult = z.infer<typeof FieldExportMlflowResult>;
