/**
 * MLflow's own JSON shapes, as its tracking server writes them (protobuf JSON with snake_case
 * names, from mlflow/protos/service.proto, model_registry.proto and mlflow_artifacts.proto). They
 * are MLflow's wire, not TinySphere's, so they live next to the client rather than in contracts.
 * Objects are loose (MLflow adds fields between versions); int64 fields are numbers in MLflow ≥ 1
 * and numeric strings in older servers, so both are accepted.
 */
import { z } from 'zod';

const int64 = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const kv = z.looseObject({ key: z.string(), value: z.string().optional().default('') });

export const MlflowErrorBody = z.looseObject({ error_code: z.string(), message: z.string().optional() });

export const Experiment = z.looseObject({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});

export const RunInfo = z.looseObject({
  run_id: z.string(),
  experiment_id: z.string(),
  run_name: z.string().optional(),
  status: z.string().optional(),
  start_time: int64.optional(),
  end_time: int64.optional(),
  artifact_uri: z.string().optional(),
});

export const Run = z.looseObject({
  info: RunInfo,
  data: z
    .looseObject({
      metrics: z
        .array(z.looseObject({ key: z.string(), value: z.number(), timestamp: int64, step: int64.optional() }))
        .optional(),
      params: z.array(kv).optional(),
      tags: z.array(kv).optional(),
    })
    .optional(),
});
export type Run = z.infer<typeof Run>;

export const ModelVersion = z.looseObject({
  name: z.string(),
  version: z.string(),
  creation_timestamp: int64.optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
  status_message: z.string().optional(),
  tags: z.array(kv).optional(),
  aliases: z.array(z.string()).optional(),
});
export type ModelVersion = z.infer<typeof ModelVersion>;

export const FileInfo = z.looseObject({
  path: z.string(),
  is_dir: z.boolean().optional(),
  file_size: int64.optional(),
});
export type FileInfo = z.infer<typeof FileInfo>;

export const GetExperimentResponse = z.looseObject({ experiment: Experiment });
export const CreateExperimentResponse = z.looseObject({ experiment_id: z.string() });
export const RunResponse = z.looseObject({ run: Run });
export const UpdateRunResponse = z.looseObject({ run_info: RunInfo });
export const ModelVersionResponse = z.looseObject({ model_version: ModelVersion });
export const DownloadUriResponse = z.looseObject({ artifact_uri: z.string() });
export const ListArtifactsResponse = z.looseObject({ files: z.array(FileInfo).optional().default([]) });
export const Empty = z.looseObject({});

/**
 * The body MLflow 3 POSTs to a model-registry webhook (mlflow/webhooks/delivery.py; the `data`
 * payloads of mlflow/webhooks/types.py).
 */
export const WebhookDelivery = z.looseObject({
  entity: z.string(),
  action: z.string(),
  timestamp: z.string().optional(),
  data: z.looseObject({ name: z.string(), version: z.string().optional(), alias: z.string().optional() }),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
