import { overviewPath } from '../features/overview/api/overview-path';
import { fetchEarly } from '../lib/early-fetch';
import { timeWindow } from '../lib/time-window';

/**
 * Starts the landing page's data request before the app's code is loaded and evaluated (the
 * larger part of a cold start): on `/`, the Overview for the range in the URL. The page's query
 * then claims it (see `claimEarly`); on any other page nothing is fetched early.
 * @example
 * prefetchLanding(window.location);
 */
export function prefetchLanding(location: Pick<Location, 'pathname' | 'search'>): void {
  if (location.pathname !== '/') return;
  const { range, since } = timeWindow(new URLSearchParams(location.search), '7d');
  fetchEarly(overviewPath(since, range.bucketSeconds));
}
