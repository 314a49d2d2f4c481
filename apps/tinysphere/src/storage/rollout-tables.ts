import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface ConfigVersionsTable {
  config_id: string;
  version: string;
  description: string | null;
  config: Json<unknown>;
  created_at: Timestamp;
  created_by: string | null;
}

export interface ConfigAssignmentsTable {
  device_id: string;
  config_id: string;
  version: string;
  assigned_at: Timestamp;
}

export interface RolloutsTable {
  id: string;
  kind: 'model' | 'config';
  deployable_id: string;
  version: string;
  plan: Json<unknown>;
  state: 'running' | 'paused' | 'halted' | 'aborted' | 'completed';
  current_wave: number;
  halt_reason: string | null;
  created_at: Timestamp;
  created_by: string | null;
  updated_at: Timestamp;
}

export interface RolloutWavesTable {
  rollout_id: string;
  wave: number;
  planned_devices: number;
  started_at: Timestamp | null;
  soak_until: Timestamp | null;
  completed_at: Timestamp | null;
  health: ColumnType<unknown, string | undefined, string>;
  device_hours: Generated<number>;
}

export interface RolloutDevicesTable {
  rollout_id: string;
  device_id: string;
  wave: number;
  state: 'assigned' | 'installed' | 'failed' | 'rolled-back';
  message: string | null;
  previous: Json<unknown> | null;
  assigned_at: Timestamp;
  installed_at: Timestamp | null;
  last_uptime: number | null;
  restarts: Generated<number>;
}

export interface RolloutAuditTable {
  rollout_id: string;
  seq: number;
  at: Timestamp;
  actor: string;
  action: string;
  from_state: string | null;
  to_state: string;
  wave: number;
  reason: string | null;
}

/** The rollout tables (migration 009): rollouts, their waves, devices and audit, and configuration versions. */
export interface RolloutTables {
  config_versions: ConfigVersionsTable;
  config_assignments: ConfigAssignmentsTable;
  rollouts: RolloutsTable;
  rollout_waves: RolloutWavesTable;
  rollout_devices: RolloutDevicesTable;
  rollout_audit: RolloutAuditTable;
}
