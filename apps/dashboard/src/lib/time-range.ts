import { useSearchParams } from 'react-router';
import { timeWindow, type TimeRange } from './time-window';

export { TIME_RANGES, type TimeRange } from './time-window';

/**
 * The page's time range, kept in the URL (`?range=24h`) so a link shows the same view. `since`
 * is rounded down to the bucket, so it (and the query keyed on it) only moves once a bucket.
 * @example
 * const { range, since, setRange } = useTimeRange('7d');
 */
export function useTimeRange(fallback: TimeRange['key']) {
  const [params, setParams] = useSearchParams();
  const { range, since } = timeWindow(params, fallback);
  const setRange = (key: TimeRange['key']) => {
    const next = new URLSearchParams(params);
    next.set('range', key);
    setParams(next, { replace: true });
  };
  return { range, since, setRange };
}
