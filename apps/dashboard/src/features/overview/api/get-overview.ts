import { useQuery } from '@tanstack/react-query';
import { FleetOverview } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches the fleet overview. */
export const getOverview = () => apiGet('/api/v1/overview', FleetOverview);

/** The fleet overview, polled. */
export function useOverview() {
  return useQuery({ queryKey: ['overview'], queryFn: getOverview });
}
