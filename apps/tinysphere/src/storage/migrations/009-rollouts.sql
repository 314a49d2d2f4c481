-- 009: staged rollouts of model and configuration versions, and configuration versions themselves.

-- Immutable configuration versions (the server-controllable subset of device.json).
CREATE TABLE config_versions (
  config_id text NOT NULL,
  version text NOT NULL,
  description text,
  config jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text,
  PRIMARY KEY (config_id, version)
);

-- The configuration version each device should run (sent inside its settings document).
CREATE TABLE config_assignments (
  device_id text PRIMARY KEY REFERENCES devices (id),
  config_id text NOT NULL,
  version text NOT NULL,
  assigned_at timestamptz NOT NULL,
  FOREIGN KEY (config_id, version) REFERENCES config_versions (config_id, version)
);

CREATE TABLE rollouts (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('model', 'config')),
  deployable_id text NOT NULL,
  version text NOT NULL,
  plan jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'paused', 'halted', 'aborted', 'completed')),
  current_wave integer NOT NULL,
  halt_reason text,
  created_at timestamptz NOT NULL,
  created_by text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX rollouts_active ON rollouts (state) WHERE state IN ('running', 'paused');

CREATE TABLE rollout_waves (
  rollout_id text NOT NULL REFERENCES rollouts (id),
  wave integer NOT NULL,
  planned_devices integer NOT NULL,
  started_at timestamptz,
  soak_until timestamptz,
  completed_at timestamptz,
  health jsonb NOT NULL DEFAULT '[]',
  device_hours double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (rollout_id, wave)
);

-- Every device a rollout reached, what it ran before (restored on rollback) and how it fares.
CREATE TABLE rollout_devices (
  rollout_id text NOT NULL REFERENCES rollouts (id),
  device_id text NOT NULL REFERENCES devices (id),
  wave integer NOT NULL,
  state text NOT NULL CHECK (state IN ('assigned', 'installed', 'failed', 'rolled-back')),
  message text,
  previous jsonb,
  assigned_at timestamptz NOT NULL,
  installed_at timestamptz,
  last_uptime double precision,
  restarts integer NOT NULL DEFAULT 0,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollout_devices_device ON rollout_devices (device_id);

-- Every state change of a rollout, by whom and why.
CREATE TABLE rollout_audit (
  rollout_id text NOT NULL REFERENCES rollouts (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  from_state text,
  to_state text NOT NULL,
  wave integer NOT NULL,
  reason text,
  PRIMARY KEY (rollout_id, seq)
);
