import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AdaptationReviewResult, type AdaptationReviewRequest } from '@tinymlops/contracts';
import { apiSend } from '../../../lib/api-client';

/** Accepts, relabels or reverts one adaptation of a device (engineer). */
export const reviewAdaptation = (deviceId: string, seq: number, body: AdaptationReviewRequest) =>
  apiSend('POST', `/api/v1/adaptations/${deviceId}/${seq}/review`, body, AdaptationReviewResult);

/** Reviews an adaptation, then refreshes the device's adaptations and deliveries. */
export function useReviewAdaptation(deviceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { seq: number; body: AdaptationReviewRequest }) => reviewAdaptation(deviceId, v.seq, v.body),
    onSettled: () =>
      Promise.all(['adaptations', 'feedback-deliveries'].map((k) => qc.invalidateQueries({ queryKey: [k] }))),
  });
}
