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
 * The range a `?range=` value names (else `fallback`) and its start: `since` is rounded down to
 * the bucket, so it (and the query keyed on it) only moves once a bucket. Free of React so the
 * inline script in index.html can compute the Overview's first request before the app loads.
 * @example
 * const { range, since } = timeWindow(new URLSearchParams('range=24h'), '7d');
 */
export function timeWindow(params: URLSearchParams, fallback: TimeRange['key'], nowMs = Date.now()) {
  const range = TIME_RANGES.find((r) => r.key === params.get('range')) ?? TIME_RANGES.find((r) => r.key === fallback)!;
  const nowBucket = Math.floor(nowMs / 1000 / range.bucketSeconds) * range.bucketSeconds;
  return { range, since: new Date((nowBucket - range.seconds) * 1000).toISOString() };
}
