import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiSend } from '../../../lib/api-client';

/** Points an alias (e.g. production) of a model at a version. */
export const setAlias = (v: { modelId: string; alias: string; version: string }) =>
  apiSend('PUT', `/api/v1/models/${v.modelId}/aliases/${v.alias}`, { version: v.version }, null);

/** Sets an alias, then refreshes the versions list. */
export function useSetAlias() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: setAlias,
    onSettled: () => qc.invalidateQueries({ queryKey: ['model-versions'] }),
  });
}
