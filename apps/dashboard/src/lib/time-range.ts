import { useSearchParams } from 'react-router';

/** The ranges the time-range picker offers, with the bucket width charts use for each. */
export const TIME_RANGES = [
  { key: '1h', label: '1 h', seconds: 3_600, bucketSeconds: 60, bucketLabel: 'minute' },
  { key: '6h', label: '6 h', seconds: 6 * 3_600, bucketSeconds: 300, bucketLabel: '5 minutes' },
  { key: '24h', label: '24 h', seconds: 86_400, bucketSeconds: 900, bucketLabel: '15 minutes' },
  { key: '7d', label: '7 d', seconds: 7 * 86_400, bucketSeconds: 3_600, bucketLabel: 'hour' },
  { key: '30d', label: '30 d', seconds: 30 * 86_400, bucketSeconds: 4 * 3_600, bucketLabel: '4 hours' },
] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

/**
 * The page's time range, kept in the URL (`?range=24h`) so a link shows the same view. `since`
 * is rounded down to the bucket, so it (and the query keyed on it) only moves once a bucket.
 * @example
 * const { range, since, setRange } = useTimeRange('7d');
 */
export function useTimeRange(fallback: TimeRange['key']) {
  const [params, setParams] = useSearchParams();
  const range = TIME_RANGES.find((r) => r.key === params.get('range')) ?? TIME_RANGES.find((r) => r.key === fallback)!;
  const nowBucket = Math.floor(Date.now() / 1000 / range.bucketSeconds) * range.bucketSeconds;
  const since = new Date((nowBucket - range.seconds) * 1000).toISOString();
  const setRange = (key: TimeRange['key']) => {
    const next = new URLSearchParams(params);
    next.set('range', key);
    setParams(next, { replace: true });
  };
  return { range, since, setRange };
}
