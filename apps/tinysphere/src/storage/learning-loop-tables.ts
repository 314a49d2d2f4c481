import type { ColumnType } from 'kysely';

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A jsonb column holding `T`: written as its JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** A sample an adaptation put into the KNN; its features live in the ingest batch's blob. */
export interface AdaptationSamplesTable {
  device_id: string;
  seq: number;
  sample_id: string;
  label: string;
  feature_dim: number;
  features_key: string;
  features_offset: number;
  model_id: string | null;
  model_version: string | null;
}

/** A person's verdict on one adaptation (the latest one counts). */
export interface AdaptationReviewsTable {
  device_id: string;
  seq: number;
  decision: 'accepted' | 'relabelled' | 'reverted';
  label: string | null;
  reviewed_by: string;
  reviewed_at: Timestamp;
  feedback_id: string | null;
}

/** A validated sample shared beyond its device: where its features are and who it is for. */
export interface SharedSamplesTable {
  source_device_id: string;
  sample_id: string;
  label: string;
  decision: string;
  scope: Json<unknown>;
  model_id: string | null;
  model_version: string | null;
  source_group: string | null;
  feature_dim: number;
  features_key: string;
  features_offset: number;
  validated_at: Timestamp;
  shared_by: string;
}

/** A server-controlled setting for one device or one group. */
export interface SettingsRulesTable {
  target_kind: 'device' | 'group';
  target: string;
  mode: string | null;
  updated_at: Timestamp;
}

/** The settings document last issued to a device. */
export interface DeviceSettingsSentTable {
  device_id: string;
  revision: number;
  settings: Json<unknown>;
  feedback_id: string;
}

export interface ServerSettingsTable {
  key: string;
  value: Json<unknown>;
}

/** The learning loop's tables (migration 006): adaptations under review, fleet sharing, device settings. */
export interface LearningLoopTables {
  adaptation_samples: AdaptationSamplesTable;
  adaptation_reviews: AdaptationReviewsTable;
  shared_samples: SharedSamplesTable;
  settings_rules: SettingsRulesTable;
  device_settings_sent: DeviceSettingsSentTable;
  server_settings: ServerSettingsTable;
}
