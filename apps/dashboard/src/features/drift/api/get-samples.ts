import { useQuery } from '@tanstack/react-query';
import { DriftSampleList, type DriftSampleSummary } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Sample filters the server understands. */
export interface SampleFilter {
  deviceId?: string;
  episodeId?: string;
  status?: DriftSampleSummary['status'];
}

/** Fetches one page (≤ 500) of drift samples, newest first. */
export const getSamples = (f: SampleFilter, offset = 0) =>
  apiGet(withQuery('/api/v1/drift/samples', { ...f, offset, limit: 500 }), DriftSampleList);

/** Drift samples matching `f` (first 500), polled. */
export function useSamples(f: SampleFilter) {
  return useQuery({ queryKey: ['drift-samples', f], queryFn: () => getSamples(f) });
}
