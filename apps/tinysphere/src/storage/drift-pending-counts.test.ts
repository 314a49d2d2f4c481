import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../testing/database-engines.js';
import type { Db } from './database.js';
import type { OpenDatabase } from './open-database.js';

/** The counts table, and the same numbers counted from drift_samples, per episode. */
async function both(db: Db) {
  const kept = await sql<{ k: string; n: number }>`
    SELECT device_id || '/' || episode_id AS k, pending AS n FROM drift_pending_counts ORDER BY 1`.execute(db);
  const truth = await sql<{ k: string; n: number }>`
    SELECT device_id || '/' || episode_id AS k, count(*)::int AS n FROM drift_samples
    WHERE status = 'pending' GROUP BY 1 ORDER BY 1`.execute(db);
  return { kept: kept.rows, truth: truth.rows };
}

/** Inserts `n` pending samples `smp_<prefix><i>` of one episode (one statement, as an ingest batch). */
async function insertSamples(db: Db, device: string, episode: string, prefix: string, n: number) {
  await sql`
    INSERT INTO drift_samples (device_id, sample_id, episode_id, package_id, captured_at, frame_index, predicted_label,
                               confidence, neighbours, feature_dim, features_key, features_offset, status)
    SELECT ${device}, 'smp_' || ${prefix} || i, ${episode}, 'pkg_t', now(), i, 'bag', 0.5, '[]'::jsonb, 4, 'f', 0, 'pending'
    FROM generate_series(1, ${n}) AS i
    ON CONFLICT DO NOTHING`.execute(db);
}

describe.each(databaseEngines())('pending drift samples per episode (migration 010) on $name', (engine) => {
  let d: OpenDatabase;
  beforeAll(async () => {
    d = await engine.open();
    await sql`
      INSERT INTO devices (id, hardware_id, name, tags, platform, token_hash, enrolled_at, status, mode, metrics)
      SELECT 'dev_' || i, 'hw-' || i, 'cam-' || i, '[]'::jsonb, '{}'::jsonb, 'x', now(), 'ok', 'monitoring-only', '{}'::jsonb
      FROM generate_series(1, 2) AS i`.execute(d.db);
  });
  afterAll(async () => d.close());

  it('follow inserts, including a batch replayed with ON CONFLICT DO NOTHING', async () => {
    await insertSamples(d.db, 'dev_1', 'ep_a', 'a', 5);
    await insertSamples(d.db, 'dev_1', 'ep_b', 'b', 3);
    await insertSamples(d.db, 'dev_2', 'ep_a', 'c', 2);
    await insertSamples(d.db, 'dev_1', 'ep_a', 'a', 5); // the same package again: nothing new
    const { kept, truth } = await both(d.db);
    expect(kept).toEqual([
      { k: 'dev_1/ep_a', n: 5 },
      { k: 'dev_1/ep_b', n: 3 },
      { k: 'dev_2/ep_a', n: 2 },
    ]);
    expect(kept).toEqual(truth);
  });

  it('follow validation, undo and updates that leave the status alone', async () => {
    await sql`UPDATE drift_samples SET status = 'labelled', label = 'bag'
              WHERE device_id = 'dev_1' AND sample_id IN ('smp_a1', 'smp_a2', 'smp_b1', 'smp_b2', 'smp_b3')`.execute(
      d.db,
    );
    let r = await both(d.db);
    expect(r.kept).toEqual([
      { k: 'dev_1/ep_a', n: 3 },
      { k: 'dev_2/ep_a', n: 2 },
    ]);
    expect(r.kept).toEqual(r.truth);
    await sql`UPDATE drift_samples SET status = 'pending', label = NULL
              WHERE device_id = 'dev_1' AND sample_id = 'smp_b2'`.execute(d.db);
    await sql`UPDATE drift_samples SET confidence = 0.9 WHERE device_id = 'dev_2'`.execute(d.db);
    r = await both(d.db);
    expect(r.kept).toEqual([
      { k: 'dev_1/ep_a', n: 3 },
      { k: 'dev_1/ep_b', n: 1 },
      { k: 'dev_2/ep_a', n: 2 },
    ]);
    expect(r.kept).toEqual(r.truth);
  });

  it('follow deletes (retention), and an episode with none pending leaves the table', async () => {
    await sql`DELETE FROM drift_samples WHERE device_id = 'dev_2'`.execute(d.db);
    await sql`DELETE FROM drift_samples WHERE device_id = 'dev_1' AND sample_id IN ('smp_a3', 'smp_a1')`.execute(d.db);
    const { kept, truth } = await both(d.db);
    expect(kept).toEqual([
      { k: 'dev_1/ep_a', n: 2 },
      { k: 'dev_1/ep_b', n: 1 },
    ]);
    expect(kept).toEqual(truth);
  });
});
