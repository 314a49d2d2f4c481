import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ConfigVersion, ConfigVersionList, type ConfigVersionRequest } from '@tinymlops/contracts';
import { apiGet, apiSend } from '../../../lib/api-client';

/** Every configuration version, newest first. */
export function useConfigVersions() {
  return useQuery({ queryKey: ['config-versions'], queryFn: () => apiGet('/api/v1/configs', ConfigVersionList) });
}

/** Stores a new configuration version; the server checks it against the device configuration schema. */
export function useCreateConfigVersion() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (p: { configId: string; body: ConfigVersionRequest }) =>
      apiSend('POST', `/api/v1/configs/${encodeURIComponent(p.configId)}/versions`, p.body, ConfigVersion),
    onSettled: () => qc.invalidateQueries({ queryKey: ['config-versions'] }),
  });
}
