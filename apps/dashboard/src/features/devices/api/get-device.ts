import { useQuery } from '@tanstack/react-query';
import { DeviceSummary } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches one device. */
export const getDevice = (deviceId: string) => apiGet(`/api/v1/devices/${deviceId}`, DeviceSummary);

/** One device, polled. */
export function useDevice(deviceId: string) {
  return useQuery({ queryKey: ['device', deviceId], queryFn: () => getDevice(deviceId) });
}
