import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ReviewQueuePage } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Filters of the review queue. */
export interface QueueFilter {
  deviceId?: string | undefined;
  group?: string | undefined;
  modelId?: string | undefined;
}

/** The first `limit` samples awaiting validation across episodes, oldest first. */
export const getReviewQueue = (f: QueueFilter, limit = 60) =>
  apiGet(withQuery('/api/v1/drift/review-queue', { ...f, limit }), ReviewQueuePage);

/** The review queue, kept fresh. */
export function useReviewQueue(f: QueueFilter) {
  return useQuery({
    queryKey: ['review-queue', f],
    queryFn: () => getReviewQueue(f),
    placeholderData: keepPreviousData,
  });
}
