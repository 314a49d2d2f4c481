import type { DeviceSummary } from '@tinymlops/contracts';
import type { Selectable } from 'kysely';
import type { DevicesTable } from '../../storage/database.js';

/**
 * A device row as the people API shows it; `online` is derived from last-seen.
 * @example
 * toDeviceSummary(row, new Date(), 180).online;
 */
export function toDeviceSummary(row: Selectable<DevicesTable>, now: Date, offlineAfterSeconds: number): DeviceSummary {
  const lastSeen = row.last_seen_at ? new Date(row.last_seen_at) : null;
  return {
    deviceId: row.id,
    hardwareId: row.hardware_id,
    name: row.name,
    tags: row.tags,
    group: row.group_name,
    location: (row.location as DeviceSummary['location']) ?? null,
    platform: row.platform as DeviceSummary['platform'],
    enrolledAt: new Date(row.enrolled_at).toISOString(),
    lastSeenAt: lastSeen?.toISOString() ?? null,
    online: lastSeen !== null && now.getTime() - lastSeen.getTime() <= offlineAfterSeconds * 1000,
    status: (row.status as DeviceSummary['status']) ?? null,
    mode: (row.mode as DeviceSummary['mode']) ?? null,
    model: row.model_id && row.model_version ? { modelId: row.model_id, version: row.model_version } : null,
    stateVersion: row.state_version,
    metrics: (row.metrics as DeviceSummary['metrics']) ?? null,
  };
}
