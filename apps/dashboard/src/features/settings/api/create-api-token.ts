import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiTokenResponse, type ApiTokenRequest } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Creates an API token; the secret is in the answer, once. */
export const createApiToken = (body: ApiTokenRequest) => apiSend('POST', '/api/v1/api-tokens', body, ApiTokenResponse);

/** Creates an API token, then refreshes the token list. */
export function useCreateApiToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createApiToken,
    onSettled: () => qc.invalidateQueries({ queryKey: ['access-tokens'] }),
  });
}
