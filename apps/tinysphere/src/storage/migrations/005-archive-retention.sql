-- 005: raw package archives can be pruned once ingested (`tinysphere admin prune-archives`); the
-- row stays, with the time its archive was deleted.
ALTER TABLE packages ADD COLUMN archive_pruned_at timestamptz;
