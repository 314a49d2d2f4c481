import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AssignmentResponse, type AssignmentRequest } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Assigns a model version (or alias) to a device, a tag or a group. */
export const deployModel = (body: AssignmentRequest) =>
  apiSend('POST', '/api/v1/deployments', body, AssignmentResponse);

/** Deploys, then refreshes rollout state. */
export function useDeployModel() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deployModel,
    onSettled: () => qc.invalidateQueries({ queryKey: ['deployments'] }),
  });
}
