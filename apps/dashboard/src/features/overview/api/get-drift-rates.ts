import { useQuery } from '@tanstack/react-query';
import { DriftRateSeries } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Fetches drift episodes per time bucket since `since`. */
export const getDriftRates = (bucketSeconds: number, since: string) =>
  apiGet(withQuery('/api/v1/drift/rates', { by: 'device', bucketSeconds, since }), DriftRateSeries);

/** Drift rate over the last `days` days, bucketed by `bucketSeconds`. */
export function useDriftRates(days: number, bucketSeconds: number) {
  const since = new Date(Math.floor((Date.now() - days * 86_400_000) / 3_600_000) * 3_600_000).toISOString();
  return useQuery({
    queryKey: ['drift-rates', days, bucketSeconds],
    queryFn: () => getDriftRates(bucketSeconds, since),
    refetchInterval: 30_000,
  });
}
