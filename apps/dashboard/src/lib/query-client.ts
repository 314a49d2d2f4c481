import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-client';

/** Live data: every query refetches on an interval (TanStack Query keeps the old data while it does). */
export const LIVE_INTERVAL_MS = 5_000;

/** The app's one QueryClient: no retries on 4xx, polling while the tab is visible. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        refetchInterval: LIVE_INTERVAL_MS,
        refetchIntervalInBackground: false,
        staleTime: 2_000,
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      },
    },
  });
}
