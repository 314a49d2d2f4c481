import { useMutation, useQueryClient } from '@tanstack/react-query';
import { TokenRevocation } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Which list a token is in decides its revocation route. */
export type TokenKind = 'api' | 'enrolment';

/** Revokes an API token (`tok_…`) or an enrolment token (`enr_…`). */
export const revokeToken = ({ kind, tokenId }: { kind: TokenKind; tokenId: string }) =>
  apiSend(
    'DELETE',
    `/api/v1/${kind === 'api' ? 'api' : 'enrolment'}-tokens/${encodeURIComponent(tokenId)}`,
    undefined,
    TokenRevocation,
  );

/** Revokes a token, then refreshes the token list. */
export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: revokeToken,
    onSettled: () => qc.invalidateQueries({ queryKey: ['access-tokens'] }),
  });
}
