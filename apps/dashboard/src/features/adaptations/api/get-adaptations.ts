import { useQuery } from '@tanstack/react-query';
import { AdaptationList } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Fetches a device's adaptations (newest first) and its state versions. */
export const getAdaptations = (deviceId: string) =>
  apiGet(withQuery('/api/v1/adaptations', { deviceId, limit: 200 }), AdaptationList);

/** A device's adaptations, polled. */
export function useAdaptations(deviceId: string) {
  return useQuery({ queryKey: ['adaptations', deviceId], queryFn: () => getAdaptations(deviceId) });
}
