import { useQuery } from '@tanstack/react-query';
import { AccessTokenList } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches API and enrolment tokens (admin only; secrets are never listed). */
export const getAccessTokens = () => apiGet('/api/v1/access-tokens', AccessTokenList);

/** Token lists, only fetched for admins. */
export function useAccessTokens(enabled: boolean) {
  return useQuery({ queryKey: ['access-tokens'], queryFn: getAccessTokens, enabled, refetchInterval: false });
}
