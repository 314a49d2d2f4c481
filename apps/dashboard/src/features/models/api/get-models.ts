import { useQuery } from '@tanstack/react-query';
import { ModelList } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches the registry's models. */
export const getModels = () => apiGet('/api/v1/models', ModelList);

/** Models in the registry, polled. */
export function useModels() {
  return useQuery({ queryKey: ['models'], queryFn: getModels, refetchInterval: 30_000 });
}
