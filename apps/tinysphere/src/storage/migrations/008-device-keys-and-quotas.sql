-- 006: hostile and flaky devices.
-- key_hash: sha256 of the device key a device enrolled with; re-enrolling its hardwareId needs it
-- (NULL: enrolled before 006 or without a key; then only after an admin revoked the credentials).
ALTER TABLE devices ADD COLUMN key_hash text;

-- Per-device quota counters, kept in the statements that change what they count (accepting,
-- ingesting, failing, pruning a package), so checking a quota costs no query of its own.
-- stored_bytes: raw archives kept (not pruned); pending_bytes: archives queued or processing;
-- day_packages: packages accepted on `day` (UTC).
CREATE TABLE device_usage (
  device_id text PRIMARY KEY REFERENCES devices (id),
  stored_bytes bigint NOT NULL DEFAULT 0,
  pending_bytes bigint NOT NULL DEFAULT 0,
  day date,
  day_packages integer NOT NULL DEFAULT 0
);

INSERT INTO device_usage (device_id, stored_bytes, pending_bytes, day, day_packages)
SELECT device_id,
       coalesce(sum(coalesce(blob_length, size)) FILTER (WHERE archive_pruned_at IS NULL), 0),
       coalesce(sum(coalesce(blob_length, size)) FILTER (WHERE status IN ('queued', 'processing')), 0),
       (now() AT TIME ZONE 'UTC')::date,
       count(*) FILTER (WHERE received_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
FROM packages GROUP BY device_id;

-- The maintenance schedule finds failed packages whose archives are due for pruning.
CREATE INDEX packages_failed ON packages (received_at) WHERE status = 'failed' AND archive_pruned_at IS NULL;

-- The maintenance schedule (pruning, sweeping) claims each task here, so of several server
-- processes only one runs it per interval.
CREATE TABLE maintenance_runs (
  task text PRIMARY KEY,
  started_at timestamptz NOT NULL
);
