import { useMutation, useQueryClient } from '@tanstack/react-query';
import { EnrolmentTokenResponse, type EnrolmentTokenRequest } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Creates an enrolment token for devices; the secret is in the answer, once. */
export const createEnrolmentToken = (body: EnrolmentTokenRequest) =>
  apiSend('POST', '/api/v1/enrolment-tokens', body, EnrolmentTokenResponse);

/** Creates an enrolment token, then refreshes the token list. */
export function useCreateEnrolmentToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createEnrolmentToken,
    onSettled: () => qc.invalidateQueries({ queryKey: ['access-tokens'] }),
  });
}
