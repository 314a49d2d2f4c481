import { useMutation, useQueryClient } from '@tanstack/react-query';
import { BulkValidationResponse, type BulkValidationRequest } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Sends validations (label / new class / false alarm) for several samples at once. */
export const validateSamples = (body: BulkValidationRequest) =>
  apiSend('POST', '/api/v1/drift/validations', body, BulkValidationResponse);

/** Validates samples, then refreshes samples, episodes, feedback status and the overview. */
export function useValidateSamples() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: validateSamples,
    onSettled: () =>
      Promise.all(
        ['drift-samples', 'drift-sample', 'drift-episodes', 'feedback-status', 'overview'].map((k) =>
          qc.invalidateQueries({ queryKey: [k] }),
        ),
      ),
  });
}
