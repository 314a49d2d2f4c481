import { useQuery } from '@tanstack/react-query';
import { DeviceTimeline } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches a device's recent predictions (≤ 10,000), episodes and metrics. */
export const getDeviceTimeline = (deviceId: string) =>
  apiGet(`/api/v1/devices/${deviceId}/timeline?limit=10000`, DeviceTimeline);

/** A device's timeline, polled every 10 s. */
export function useDeviceTimeline(deviceId: string) {
  return useQuery({
    queryKey: ['device-timeline', deviceId],
    queryFn: () => getDeviceTimeline(deviceId),
    refetchInterval: 10_000,
  });
}
