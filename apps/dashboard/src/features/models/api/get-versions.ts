import { useQuery } from '@tanstack/react-query';
import { ModelVersionList } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches a model's versions with hashes and aliases. */
export const getVersions = (modelId: string) => apiGet(`/api/v1/models/${modelId}/versions`, ModelVersionList);

/** A model's versions (disabled while no model is chosen). */
export function useVersions(modelId: string | null) {
  return useQuery({
    queryKey: ['model-versions', modelId],
    queryFn: () => getVersions(modelId ?? ''),
    enabled: modelId !== null,
  });
}
