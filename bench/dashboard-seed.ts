/**
 * Bulk seed for the dashboard benchmark: `devices` devices (90 % heard from recently), 10 drift
 * episodes per device over the last 7 days, and `samples` drift samples spread over them (half
 * pending), in a few INSERT … SELECT generate_series statements. Rows, not packages: the point is
 * read speed at scale, not ingestion.
 */
import { sql } from 'kysely';
import type { Db } from '../apps/tinysphere/src/storage/database.js';

export async function seedDashboardLoad(db: Db, devices: number, samples: number): Promise<void> {
  const episodesPerDevice = 10;
  const perEpisode = Math.ceil(samples / (devices * episodesPerDevice));
  await sql`
    INSERT INTO devices (id, hardware_id, name, tags, group_name, platform, token_hash, enrolled_at,
                         last_seen_at, status, mode, model_id, model_version, state_version, metrics)
    SELECT 'dev_bench' || lpad(i::text, 5, '0'), 'hw-' || i, 'camera-' || lpad(i::text, 4, '0'),
           jsonb_build_array(CASE WHEN i % 3 = 0 THEN 'door' ELSE 'shelf' END), 'site-' || (i % 20),
           '{"arch":"arm64","os":"linux","node":"20.20.2"}'::jsonb, 'x', now() - interval '30 days',
           CASE WHEN i % 10 = 0 THEN NULL ELSE now() - (i % 120) * interval '1 second' END,
           CASE WHEN i % 25 = 0 THEN 'degraded' ELSE 'ok' END,
           (ARRAY['monitoring-only','autonomous','server-assisted'])[1 + i % 3], 'fashion-mnv2', '1.0.' || (i % 3), 3,
           jsonb_build_object('framesProcessed', 600, 'driftActive', i % 7 = 0, 'outboxBytes', (i % 5) * 4096,
                              'outboxPackages', i % 5, 'droppedPackages', 0, 'cpuPercent', 20 + i % 40, 'rssMb', 140)
    FROM generate_series(1, ${devices}) AS i`.execute(db);
  await sql`
    INSERT INTO drift_episodes (device_id, episode_id, detector_kind, detector_name, started_at, ended_at,
                                statistics, thresholds, model_id, model_version)
    SELECT 'dev_bench' || lpad(d::text, 5, '0'), 'ep_bench' || lpad(d::text, 5, '0') || '_' || e, 'knn-distance', 'knn-distance',
           now() - ((e * 16 + d % 16 + 1) * interval '1 hour'),
           CASE WHEN e = 0 AND d % 7 = 0 THEN NULL ELSE now() - ((e * 16 + d % 16 + 1) * interval '1 hour') + interval '20 minutes' END,
           '{"meanDistance": 9.1}'::jsonb, '{"lambda": 30}'::jsonb, 'fashion-mnv2', '1.0.0'
    FROM generate_series(1, ${devices}) AS d, generate_series(0, ${episodesPerDevice - 1}) AS e`.execute(db);
  await sql`
    INSERT INTO drift_samples (device_id, sample_id, episode_id, package_id, captured_at, frame_index, predicted_label,
                               confidence, neighbours, feature_dim, features_key, features_offset, image_key, image_media_type, status, label)
    SELECT x.device_id, 'smp_' || x.n, x.episode_id, 'pkg_bench', now() - (x.n % 10000) * interval '1 minute', x.n,
           (ARRAY['sneaker','pullover','coat','sandal'])[1 + x.n % 4], 0.4 + (x.n % 5) / 10.0,
           '[{"label":"sneaker","distance":3.2},{"label":"coat","distance":4.8}]'::jsonb, 256, 'bench/features', 0,
           NULL, NULL, CASE WHEN x.n % 2 = 0 THEN 'pending' ELSE 'labelled' END,
           CASE WHEN x.n % 2 = 0 THEN NULL ELSE 'sneaker' END
    FROM (SELECT e.device_id, e.episode_id, row_number() OVER () AS n
          FROM drift_episodes e, generate_series(1, ${perEpisode}) AS k) x
    WHERE x.n <= ${samples}`.execute(db);
  await sql`ANALYZE`.execute(db);
}
