import { useMutation, useQueryClient } from '@tanstack/react-query';
import { RolloutView, type RolloutAction, type RolloutRequest } from '@tinymlops/contracts';
import type { z } from 'zod';
import { apiSend } from '../../../lib/api-client';

const refreshRollouts = (qc: ReturnType<typeof useQueryClient>) =>
  Promise.all(
    ['rollouts', 'rollout', 'rollout-audit', 'deployments'].map((k) => qc.invalidateQueries({ queryKey: [k] })),
  );

/** Starts a rollout (`POST /api/v1/rollouts`); resolves with its first view. */
export function useStartRollout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: z.input<typeof RolloutRequest>) => apiSend('POST', '/api/v1/rollouts', body, RolloutView),
    onSettled: () => refreshRollouts(qc),
  });
}

/** Pause, resume, promote, abort or roll back a rollout, with the operator's reason. */
export function useRolloutAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RolloutAction) => apiSend('POST', `/api/v1/rollouts/${id}/actions`, body, RolloutView),
    onSettled: () => refreshRollouts(qc),
  });
}
