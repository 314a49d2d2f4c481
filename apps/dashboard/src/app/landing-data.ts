import type { QueryClient } from '@tanstack/react-query';
import { overviewQuery } from '../features/overview/api/get-overview';
import { sessionQuery } from '../lib/auth';
import { readToken } from '../lib/session-token';
import { timeWindow } from '../lib/time-window';

/**
 * Fills the first page's queries from the requests index.html's inline script started (see
 * `prefetchLanding`), before the first render: when their answers are in, the page renders once,
 * with its data, rather than "Loading…" first and the data a few tasks later. Waits at most
 * `budgetMs`; whatever has not arrived by then goes on loading, and the page's queries take it over.
 * @example
 * await seedLanding(client, window.location); createRoot(root).render(<App client={client} />);
 */
export async function seedLanding(
  client: QueryClient,
  location: Pick<Location, 'pathname' | 'search'>,
  budgetMs = 50,
): Promise<void> {
  const token = readToken();
  if (!token || location.pathname === '/login') return;
  const pending = [client.prefetchQuery(sessionQuery(token))];
  if (location.pathname === '/') {
    const { range, since } = timeWindow(new URLSearchParams(location.search), '7d');
    pending.push(client.prefetchQuery(overviewQuery(since, range.bucketSeconds)));
  }
  await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, budgetMs))]);
}
