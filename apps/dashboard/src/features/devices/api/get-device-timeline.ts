import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { DeviceTimeline } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Fetches a device's predictions (≤ 10,000, newest) and metrics since `since`, and its episodes. */
export const getDeviceTimeline = (deviceId: string, since: string) =>
  apiGet(withQuery(`/api/v1/devices/${deviceId}/timeline`, { since, limit: 10_000 }), DeviceTimeline);

/** A device's timeline over the chosen range, refreshed every 10 s (or by live events). */
export function useDeviceTimeline(deviceId: string, since: string) {
  return useQuery({
    queryKey: ['device-timeline', deviceId, since],
    queryFn: () => getDeviceTimeline(deviceId, since),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
}
