import { useQuery } from '@tanstack/react-query';
import { FeedbackDeliveryList } from '@tinymlops/contracts';
import { apiGet, withQuery } from '../../../lib/api-client';

/** Which deliveries to list. */
export interface DeliveryFilter {
  deviceId?: string;
  sampleId?: string;
  sourceDeviceId?: string;
}

/** Fetches inbox items and what the devices did with them, newest first. */
export const getDeliveries = (f: DeliveryFilter) =>
  apiGet(withQuery('/api/v1/feedback/deliveries', { ...f, limit: 200 }), FeedbackDeliveryList);

/** Deliveries matching `f`, polled. */
export function useDeliveries(f: DeliveryFilter) {
  return useQuery({ queryKey: ['feedback-deliveries', f], queryFn: () => getDeliveries(f) });
}
