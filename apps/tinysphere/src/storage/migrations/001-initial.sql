-- 001: the whole initial schema. Migrations are immutable once released: change by adding 002-….
CREATE TABLE devices (
  id text PRIMARY KEY,
  hardware_id text NOT NULL UNIQUE,
  name text NOT NULL,
  tags jsonb NOT NULL DEFAULT '[]',
  group_name text,
  location jsonb,
  platform jsonb NOT NULL,
  token_hash text NOT NULL,
  enrolled_at timestamptz NOT NULL,
  last_seen_at timestamptz,
  status text,
  mode text,
  model_id text,
  model_version text,
  state_version integer,
  uptime_seconds double precision,
  metrics jsonb,
  feedback_cursor integer NOT NULL DEFAULT 0,
  feedback_acked integer NOT NULL DEFAULT 0
);
CREATE INDEX devices_group ON devices (group_name);

CREATE TABLE enrolment_tokens (
  id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  uses_left integer,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'engineer', 'admin')),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE TABLE packages (
  device_id text NOT NULL REFERENCES devices (id),
  package_id text NOT NULL,
  sha256 text NOT NULL,
  size integer NOT NULL,
  blob_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'processing', 'ingested', 'failed')),
  types jsonb,
  received_at timestamptz NOT NULL,
  ingested_at timestamptz,
  ingest_count integer NOT NULL DEFAULT 0,
  error text,
  PRIMARY KEY (device_id, package_id)
);

CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  run_at timestamptz NOT NULL,
  locked_at timestamptz,
  locked_by text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX jobs_claimable ON jobs (run_at) WHERE status IN ('queued', 'running');

CREATE TABLE drift_episodes (
  device_id text NOT NULL REFERENCES devices (id),
  episode_id text NOT NULL,
  detector_kind text NOT NULL,
  detector_name text NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  start_event_id text,
  end_event_id text,
  statistics jsonb NOT NULL,
  thresholds jsonb NOT NULL,
  model_id text,
  model_version text,
  PRIMARY KEY (device_id, episode_id)
);

CREATE TABLE drift_samples (
  device_id text NOT NULL REFERENCES devices (id),
  sample_id text NOT NULL,
  episode_id text NOT NULL,
  package_id text NOT NULL,
  captured_at timestamptz NOT NULL,
  frame_index integer NOT NULL,
  predicted_label text NOT NULL,
  confidence double precision NOT NULL,
  neighbours jsonb,
  feature_dim integer NOT NULL,
  features_key text NOT NULL,
  image_key text,
  image_media_type text,
  status text NOT NULL CHECK (status IN ('pending', 'labelled', 'false-alarm', 'rejected')),
  label text,
  validated_at timestamptz,
  validated_by text,
  PRIMARY KEY (device_id, sample_id)
);
CREATE INDEX drift_samples_status ON drift_samples (status, captured_at);

CREATE TABLE feedback (
  device_id text NOT NULL REFERENCES devices (id),
  cursor integer NOT NULL,
  feedback_id text NOT NULL UNIQUE,
  sample_id text NOT NULL,
  episode_id text NOT NULL,
  decision text NOT NULL,
  label text,
  validated_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, cursor)
);

CREATE TABLE metric_points (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  name text NOT NULL,
  value double precision NOT NULL,
  unit text,
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX metric_points_name_at ON metric_points (name, at);

CREATE TABLE log_records (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  context jsonb,
  PRIMARY KEY (device_id, seq)
);

CREATE TABLE prediction_records (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  label text NOT NULL,
  confidence double precision NOT NULL,
  knn_distance double precision,
  latency_ms double precision,
  features jsonb,
  PRIMARY KEY (device_id, seq)
);

CREATE TABLE state_snapshots (
  device_id text NOT NULL REFERENCES devices (id),
  state_version integer NOT NULL,
  created_at timestamptz NOT NULL,
  reason text NOT NULL,
  parent_version integer,
  blob_key text NOT NULL,
  PRIMARY KEY (device_id, state_version)
);

CREATE TABLE adaptation_events (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  action text NOT NULL,
  label text,
  samples integer NOT NULL,
  state_version_before integer NOT NULL,
  state_version_after integer NOT NULL,
  reason text NOT NULL,
  metrics jsonb,
  PRIMARY KEY (device_id, seq)
);

CREATE TABLE models (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_versions (
  model_id text NOT NULL REFERENCES models (id),
  version text NOT NULL,
  bundle_key text NOT NULL,
  bundle_sha256 text NOT NULL,
  bundle_size integer NOT NULL,
  manifest jsonb NOT NULL,
  signed_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, version)
);

CREATE TABLE model_aliases (
  model_id text NOT NULL,
  alias text NOT NULL,
  version text NOT NULL,
  PRIMARY KEY (model_id, alias),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version)
);

CREATE TABLE assignments (
  target_kind text NOT NULL CHECK (target_kind IN ('device', 'group', 'tag')),
  target text NOT NULL,
  model_id text NOT NULL,
  version text NOT NULL,
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (target_kind, target),
  FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version)
);

CREATE TABLE install_reports (
  device_id text NOT NULL REFERENCES devices (id),
  model_id text NOT NULL,
  version text NOT NULL,
  status text NOT NULL,
  message text,
  at timestamptz NOT NULL,
  PRIMARY KEY (device_id, model_id, version)
);
