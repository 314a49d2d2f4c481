import { overviewPath } from '../features/overview/api/overview-path';
import { fetchEarly } from '../lib/early-fetch';
import { SESSION_PATH } from '../lib/session-path';
import { timeWindow } from '../lib/time-window';

/**
 * Starts the first page's data requests before the app's code is loaded and evaluated (the
 * larger part of a cold start): on `/`, the Overview for the range in the URL; on every signed-in
 * page, who the token belongs to (the layout shows it). The app's queries then claim them (see
 * `claimEarly`); the login page fetches nothing early. Runs as index.html's inline script
 * (compiled in by `inline-early-requests.ts`), so it must stay small and import nothing heavy.
 * @example
 * prefetchLanding(window.location);
 */
export function prefetchLanding(location: Pick<Location, 'pathname' | 'search'>): void {
  if (location.pathname === '/login') return;
  if (location.pathname === '/') {
    const { range, since } = timeWindow(new URLSearchParams(location.search), '7d');
    fetchEarly(overviewPath(since, range.bucketSeconds));
  }
  fetchEarly(SESSION_PATH);
}
