import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { DriftRateSeries } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Episodes started per bucket since `since` for the ten devices with the most, with their names. */
export const getDriftRates = (since: string, bucketSeconds: number) =>
  apiGet(withQuery('/api/v1/drift/rates', { by: 'device', since, bucketSeconds, top: 10 }), DriftRateSeries);

/**
 * Drift rates over the chosen range; the previous range's table stays while the next loads.
 * Asked only once `enabled` (after the overview arrived): the split by device is the slower query,
 * and on a one-connection database it would hold up the page's first numbers.
 */
export function useDriftRates(since: string, bucketSeconds: number, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ['drift-rates', since, bucketSeconds],
    queryFn: () => getDriftRates(since, bucketSeconds),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
