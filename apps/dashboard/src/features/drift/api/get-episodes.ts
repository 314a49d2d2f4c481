import { useQuery } from '@tanstack/react-query';
import { DriftEpisodeList } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Episode filters the server understands. */
export interface EpisodeFilter {
  deviceId?: string;
  open?: 'true' | 'false';
}

/** Fetches up to 500 drift episodes, newest first. */
export const getEpisodes = (f: EpisodeFilter) =>
  apiGet(withQuery('/api/v1/drift/episodes', { ...f, limit: 500 }), DriftEpisodeList);

/** Drift episodes, polled. */
export function useEpisodes(f: EpisodeFilter) {
  return useQuery({ queryKey: ['drift-episodes', f], queryFn: () => getEpisodes(f) });
}
