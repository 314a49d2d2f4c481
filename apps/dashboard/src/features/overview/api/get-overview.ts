import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FleetOverview } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';
import { overviewPath } from './overview-path';

/** Fetches the fleet overview, its drift rate over `since` in buckets of `bucketSeconds`. */
export const getOverview = (since: string, bucketSeconds: number) =>
  apiGet(overviewPath(since, bucketSeconds), FleetOverview);

/**
 * The query for the overview over one range, shared by the page and the start-up (which fills it
 * from the request index.html's inline script started).
 * @example
 * await client.prefetchQuery(overviewQuery(since, 3600));
 */
export const overviewQuery = (since: string, bucketSeconds: number) => ({
  queryKey: ['overview', since, bucketSeconds],
  queryFn: () => getOverview(since, bucketSeconds),
});

/** The fleet overview over the chosen range, polled (or refreshed by live events). */
export function useOverview(since: string, bucketSeconds: number) {
  return useQuery({ ...overviewQuery(since, bucketSeconds), placeholderData: keepPreviousData });
}
