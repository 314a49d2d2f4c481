-- 010: pending drift samples counted per episode, kept current by triggers on drift_samples.
-- The Overview's "awaiting validation" numbers (episodes with pending samples, pending samples)
-- were a DISTINCT over every pending sample on each request: ~50,000 rows at 1,000 devices,
-- the slowest part of the landing page. Triggers keep the count right for every writer (ingest,
-- validation, undo, retention) without each having to remember it. Statement-level triggers
-- with transition tables: an ingest batch of ~200 samples costs one grouped upsert, not 200.
-- Rows that reach 0 are deleted, so the table holds only the episodes awaiting review.
CREATE TABLE drift_pending_counts (
  device_id text NOT NULL,
  episode_id text NOT NULL,
  pending integer NOT NULL,
  PRIMARY KEY (device_id, episode_id)
);
-- Finds the rows that dropped to 0 without scanning the table.
CREATE INDEX drift_pending_counts_zero ON drift_pending_counts (device_id) WHERE pending <= 0;

INSERT INTO drift_pending_counts (device_id, episode_id, pending)
SELECT device_id, episode_id, count(*) FROM drift_samples WHERE status = 'pending' GROUP BY 1, 2;

CREATE FUNCTION drift_pending_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO drift_pending_counts AS c (device_id, episode_id, pending)
    SELECT device_id, episode_id, count(*) FROM new_rows WHERE status = 'pending' GROUP BY 1, 2
    ON CONFLICT (device_id, episode_id) DO UPDATE SET pending = c.pending + excluded.pending;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO drift_pending_counts AS c (device_id, episode_id, pending)
    SELECT device_id, episode_id, sum(d) FROM (
      SELECT device_id, episode_id, 1 AS d FROM new_rows WHERE status = 'pending'
      UNION ALL
      SELECT device_id, episode_id, -1 FROM old_rows WHERE status = 'pending'
    ) x GROUP BY 1, 2 HAVING sum(d) <> 0
    ON CONFLICT (device_id, episode_id) DO UPDATE SET pending = c.pending + excluded.pending;
  ELSE
    UPDATE drift_pending_counts c SET pending = c.pending - o.n
    FROM (SELECT device_id, episode_id, count(*) AS n FROM old_rows WHERE status = 'pending' GROUP BY 1, 2) o
    WHERE c.device_id = o.device_id AND c.episode_id = o.episode_id;
  END IF;
  DELETE FROM drift_pending_counts WHERE pending <= 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER drift_pending_counts_insert AFTER INSERT ON drift_samples
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION drift_pending_counts_apply();
CREATE TRIGGER drift_pending_counts_update AFTER UPDATE ON drift_samples
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION drift_pending_counts_apply();
CREATE TRIGGER drift_pending_counts_delete AFTER DELETE ON drift_samples
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION drift_pending_counts_apply();
