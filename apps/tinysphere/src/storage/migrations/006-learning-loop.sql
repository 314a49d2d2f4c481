-- 006: the learning loop. A device's feedback rows become its inbox: labels of its own drift
-- samples, labels shared from other devices running the same model (source_device_id), reverts
-- and relabels of its adaptations, settings documents (payload). The device reports what it did
-- with each item (outcome); NULL outcome: not acknowledged yet.
ALTER TABLE feedback ALTER COLUMN sample_id DROP NOT NULL;
ALTER TABLE feedback ALTER COLUMN episode_id DROP NOT NULL;
ALTER TABLE feedback ADD COLUMN source_device_id text;
ALTER TABLE feedback ADD COLUMN payload jsonb;
ALTER TABLE feedback ADD COLUMN outcome text;
ALTER TABLE feedback ADD COLUMN outcome_reason text;
ALTER TABLE feedback ADD COLUMN outcome_at timestamptz;
ALTER TABLE feedback ADD COLUMN outcome_state_version integer;
CREATE INDEX feedback_sample ON feedback (sample_id);
-- A sample is shared with a device at most once.
CREATE UNIQUE INDEX feedback_shared_once ON feedback (device_id, source_device_id, sample_id)
  WHERE source_device_id IS NOT NULL;

-- Validated samples shared beyond their own device (a validated drift sample, or a sample of an
-- accepted adaptation): where their features are, and which devices they are meant for.
CREATE TABLE shared_samples (
  source_device_id text NOT NULL REFERENCES devices (id),
  sample_id text NOT NULL,
  label text NOT NULL,
  decision text NOT NULL,
  scope jsonb NOT NULL,
  model_id text,
  model_version text,
  source_group text,
  feature_dim integer NOT NULL,
  features_key text NOT NULL,
  features_offset integer NOT NULL,
  validated_at timestamptz NOT NULL,
  shared_by text NOT NULL,
  PRIMARY KEY (source_device_id, sample_id)
);
CREATE INDEX shared_samples_model ON shared_samples (model_id, model_version);

-- Adaptations: the samples each one put into the KNN (features in the ingest batch's blob), and
-- people's verdicts on them.
ALTER TABLE adaptation_events ADD COLUMN sample_ids jsonb;
CREATE TABLE adaptation_samples (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  sample_id text NOT NULL,
  label text NOT NULL,
  feature_dim integer NOT NULL,
  features_key text NOT NULL,
  features_offset integer NOT NULL,
  model_id text,
  model_version text,
  PRIMARY KEY (device_id, seq, sample_id)
);
CREATE TABLE adaptation_reviews (
  device_id text NOT NULL REFERENCES devices (id),
  seq integer NOT NULL,
  decision text NOT NULL CHECK (decision IN ('accepted', 'relabelled', 'reverted')),
  label text,
  reviewed_by text NOT NULL,
  reviewed_at timestamptz NOT NULL,
  feedback_id text,
  PRIMARY KEY (device_id, seq)
);

-- Server-controlled device settings: rules per device or group, and what each device was sent.
CREATE TABLE settings_rules (
  target_kind text NOT NULL CHECK (target_kind IN ('device', 'group')),
  target text NOT NULL,
  mode text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (target_kind, target)
);
CREATE TABLE device_settings_sent (
  device_id text PRIMARY KEY REFERENCES devices (id),
  revision integer NOT NULL,
  settings jsonb NOT NULL,
  feedback_id text NOT NULL
);

-- Server-wide settings by key (the fleet-learning policy).
CREATE TABLE server_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
