import { useQuery } from '@tanstack/react-query';
import { ModelVersionDetail } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches one version with its bundle manifest. */
export const getVersionDetail = (modelId: string, version: string) =>
  apiGet(`/api/v1/models/${modelId}/versions/${version}`, ModelVersionDetail);

/** One version's bundle contents (disabled while none is chosen). */
export function useVersionDetail(modelId: string | null, version: string | null) {
  return useQuery({
    queryKey: ['model-version', modelId, version],
    queryFn: () => getVersionDetail(modelId ?? '', version ?? ''),
    enabled: modelId !== null && version !== null,
    refetchInterval: false,
  });
}
