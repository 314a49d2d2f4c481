import { useQuery } from '@tanstack/react-query';
import { DeploymentStatusList } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches per-device rollout state (assigned vs running vs last install report). */
export const getDeployments = () => apiGet('/api/v1/deployments?limit=1000', DeploymentStatusList);

/** Rollout state, polled. */
export function useDeployments() {
  return useQuery({ queryKey: ['deployments'], queryFn: getDeployments });
}
