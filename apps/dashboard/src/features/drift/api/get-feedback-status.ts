import { useQuery } from '@tanstack/react-query';
import { FeedbackStatusList } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches per-device feedback delivery (issued vs acknowledged). */
export const getFeedbackStatus = () => apiGet('/api/v1/drift/feedback-status', FeedbackStatusList);

/** Feedback delivery per device, polled. */
export function useFeedbackStatus() {
  return useQuery({ queryKey: ['feedback-status'], queryFn: getFeedbackStatus });
}
