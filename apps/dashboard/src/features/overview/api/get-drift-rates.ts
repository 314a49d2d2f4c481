import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { DriftRateSeries } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Episodes started per bucket since `since`, split by device (the keys), with device names. */
export const getDriftRates = (since: string, bucketSeconds: number) =>
  apiGet(withQuery('/api/v1/drift/rates', { by: 'device', since, bucketSeconds }), DriftRateSeries);

/** Drift rates over the chosen range; the previous range's chart stays while the next loads. */
export function useDriftRates(since: string, bucketSeconds: number) {
  return useQuery({
    queryKey: ['drift-rates', since, bucketSeconds],
    queryFn: () => getDriftRates(since, bucketSeconds),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
