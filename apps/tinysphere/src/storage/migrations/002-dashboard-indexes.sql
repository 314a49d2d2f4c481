-- 002: indexes for the dashboard's reads at fleet scale (1,000 devices, 100,000 drift samples):
-- per-episode sample counts (episode lists, drift rates) and newest-first episode lists.
CREATE INDEX drift_samples_episode ON drift_samples (device_id, episode_id, status);
CREATE INDEX drift_episodes_started ON drift_episodes (started_at);
