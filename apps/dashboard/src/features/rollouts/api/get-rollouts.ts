import { useQuery } from '@tanstack/react-query';
import { RolloutAuditList, RolloutList, RolloutView } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Every rollout, newest first (the list page). */
export function useRollouts() {
  return useQuery({
    queryKey: ['rollouts'],
    queryFn: () => apiGet('/api/v1/rollouts?limit=200', RolloutList),
  });
}

/** One rollout with its waves, devices and health. */
export function useRollout(id: string) {
  return useQuery({ queryKey: ['rollout', id], queryFn: () => apiGet(`/api/v1/rollouts/${id}`, RolloutView) });
}

/** A rollout's audited state changes, oldest first. */
export function useRolloutAudit(id: string) {
  return useQuery({
    queryKey: ['rollout-audit', id],
    queryFn: () => apiGet(`/api/v1/rollouts/${id}/audit`, RolloutAuditList),
  });
}
