import type { ColumnType, Generated, Kysely } from 'kysely';
import type { LearningLoopTables } from './learning-loop-tables.js';
import type { RolloutTables } from './rollout-tables.js';

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A jsonb column holding `T`: written as its JSON text. */
type Json<T> = ColumnType<T, string, string>;
/** A timestamptz column with a database default. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Enrolled devices; `token_hash` is sha256 of the device secret, never the secret. */
export interface DevicesTable {
  id: string;
  hardware_id: string;
  name: string;
  tags: Json<string[]>;
  group_name: string | null;
  location: Json<unknown> | null;
  platform: Json<unknown>;
  token_hash: string;
  enrolled_at: Timestamp;
  last_seen_at: Timestamp | null;
  status: string | null;
  mode: string | null;
  model_id: string | null;
  model_version: string | null;
  state_version: number | null;
  uptime_seconds: number | null;
  metrics: Json<unknown> | null;
  feedback_cursor: Generated<number>;
  feedback_acked: Generated<number>;
  /** sha256 of the device key it enrolled with (migration 006); null: none. */
  key_hash: string | null;
}

/** Per-device quota counters (migration 006); bigint columns come back as strings, so read them cast. */
export interface DeviceUsageTable {
  device_id: string;
  stored_bytes: Generated<string>;
  pending_bytes: Generated<string>;
  day: string | null;
  day_packages: Generated<number>;
}

/** When each maintenance task last started (migration 006). */
export interface MaintenanceRunsTable {
  task: string;
  started_at: Timestamp;
}

export interface EnrolmentTokensTable {
  id: string;
  token_hash: string;
  uses_left: number | null;
  expires_at: Timestamp | null;
  created_at: DefaultTimestamp;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  role: 'viewer' | 'engineer' | 'admin';
  token_hash: string;
  created_at: DefaultTimestamp;
  revoked_at: Timestamp | null;
}

export interface PackagesTable {
  device_id: string;
  package_id: string;
  sha256: string;
  size: number;
  blob_key: string;
  /** Where the package starts inside blob_key (a segment shared with other uploads); null: the whole object. */
  blob_offset: number | null;
  blob_length: number | null;
  status: 'queued' | 'processing' | 'ingested' | 'failed';
  types: Json<string[]> | null;
  received_at: Timestamp;
  ingested_at: Timestamp | null;
  ingest_count: Generated<number>;
  error: string | null;
  /** When the raw archive was deleted by retention (null: still stored). */
  archive_pruned_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json<Record<string, unknown>>;
  status: 'queued' | 'running' | 'done' | 'dead';
  attempts: Generated<number>;
  max_attempts: number;
  run_at: Timestamp;
  locked_at: Timestamp | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: DefaultTimestamp;
  finished_at: Timestamp | null;
}

export interface DriftEpisodesTable {
  device_id: string;
  episode_id: string;
  detector_kind: string;
  detector_name: string;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  start_event_id: string | null;
  end_event_id: string | null;
  statistics: Json<Record<string, number>>;
  thresholds: Json<Record<string, number>>;
  model_id: string | null;
  model_version: string | null;
}

/** Pending samples per episode, kept by triggers on drift_samples (migration 010); no zero rows. */
export interface DriftPendingCountsTable {
  device_id: string;
  episode_id: string;
  pending: number;
}

export interface DriftSamplesTable {
  device_id: string;
  sample_id: string;
  episode_id: string;
  package_id: string;
  captured_at: Timestamp;
  frame_index: number;
  predicted_label: string;
  confidence: number;
  neighbours: Json<unknown> | null;
  feature_dim: number;
  features_key: string;
  features_offset: number;
  image_key: string | null;
  image_offset: number | null;
  image_length: number | null;
  image_media_type: string | null;
  status: 'pending' | 'labelled' | 'false-alarm' | 'rejected';
  label: string | null;
  validated_at: Timestamp | null;
  validated_by: string | null;
}

/** A device's inbox: validations of its samples, fleet-shared labels, adaptation reviews, settings. */
export interface FeedbackTable {
  device_id: string;
  cursor: number;
  feedback_id: string;
  /** Null for reverts, relabels and settings. */
  sample_id: string | null;
  episode_id: string | null;
  decision: 'label' | 'new-class' | 'false-alarm' | 'revert' | 'relabel' | 'settings';
  label: string | null;
  /** When the item was issued (the validation time for labels). */
  validated_at: Timestamp;
  /** The device whose sample a shared label comes from; null for the device's own samples. */
  source_device_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The adaptation of a revert/relabel, the settings document. */
  payload: ColumnType<unknown, string | null | undefined, string | null>;
  /** What the device reported (applied, merged, rejected, superseded) or 'acknowledged'; null: not yet. */
  outcome: ColumnType<string | null, string | null | undefined, string | null>;
  outcome_reason: ColumnType<string | null, string | null | undefined, string | null>;
  outcome_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  outcome_state_version: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface MetricPointsTable {
  device_id: string;
  seq: number;
  at: Timestamp;
  name: string;
  value: number;
  unit: string | null;
}

export interface LogRecordsTable {
  device_id: string;
  seq: number;
  at: Timestamp;
  level: string;
  message: string;
  context: Json<unknown> | null;
}

export interface PredictionRecordsTable {
  device_id: string;
  seq: number;
  at: Timestamp;
  label: string;
  confidence: number;
  knn_distance: number | null;
  latency_ms: number | null;
  features: Json<unknown> | null;
  /** The package's prediction-images blob (null: no image), and this image's byte range in it. */
  image_key: string | null;
  image_offset: number | null;
  image_length: number | null;
  image_media_type: string | null;
}

export interface StateSnapshotsTable {
  device_id: string;
  state_version: number;
  created_at: Timestamp;
  reason: string;
  parent_version: number | null;
  blob_key: string;
}

export interface AdaptationEventsTable {
  device_id: string;
  seq: number;
  at: Timestamp;
  action: string;
  label: string | null;
  samples: number;
  state_version_before: number;
  state_version_after: number;
  reason: string;
  metrics: Json<unknown> | null;
  sample_ids: ColumnType<string[] | null, string | null | undefined, string | null>;
}

export interface ModelsTable {
  id: string;
  created_at: DefaultTimestamp;
}

export interface ModelVersionsTable {
  model_id: string;
  version: string;
  bundle_key: string;
  bundle_sha256: string;
  bundle_size: number;
  manifest: Json<unknown>;
  signed_by: string | null;
  created_at: DefaultTimestamp;
}

export interface ModelAliasesTable {
  model_id: string;
  alias: string;
  version: string;
}

export interface AssignmentsTable {
  target_kind: 'device' | 'group' | 'tag';
  target: string;
  model_id: string;
  version: string;
  assigned_at: Timestamp;
}

export interface InstallReportsTable {
  device_id: string;
  model_id: string;
  version: string;
  status: string;
  message: string | null;
  at: Timestamp;
}

/** MLflow model versions TinySphere was asked to import, and their outcome (migration 006). */
export interface MlflowImportsTable {
  name: string;
  version: string;
  alias: string | null;
  trigger: 'poll' | 'webhook' | 'manual';
  status: 'pending' | 'imported' | 'failed';
  error: string | null;
  attempts: Generated<number>;
  source: string | null;
  run_id: string | null;
  model_id: string | null;
  model_version: string | null;
  requested_at: Timestamp;
  finished_at: Timestamp | null;
}

/** The MLflow run of each deployed version's field metrics (migration 006). */
export interface MlflowFieldRunsTable {
  model_id: string;
  version: string;
  run_id: string;
  logged_until: Timestamp;
  step: Generated<number>;
  finished_at: Timestamp | null;
}

/** The whole schema, as the migrations build it. */
export interface Database extends LearningLoopTables, RolloutTables {
  devices: DevicesTable;
  enrolment_tokens: EnrolmentTokensTable;
  api_tokens: ApiTokensTable;
  packages: PackagesTable;
  jobs: JobsTable;
  drift_episodes: DriftEpisodesTable;
  drift_samples: DriftSamplesTable;
  drift_pending_counts: DriftPendingCountsTable;
  feedback: FeedbackTable;
  metric_points: MetricPointsTable;
  log_records: LogRecordsTable;
  prediction_records: PredictionRecordsTable;
  device_usage: DeviceUsageTable;
  maintenance_runs: MaintenanceRunsTable;
  state_snapshots: StateSnapshotsTable;
  adaptation_events: AdaptationEventsTable;
  models: ModelsTable;
  model_versions: ModelVersionsTable;
  model_aliases: ModelAliasesTable;
  assignments: AssignmentsTable;
  install_reports: InstallReportsTable;
  mlflow_imports: MlflowImportsTable;
  mlflow_field_runs: MlflowFieldRunsTable;
}

/** The Kysely handle every module uses. */
export type Db = Kysely<Database>;
