import { useQuery } from '@tanstack/react-query';
import { DriftSampleDetail } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Fetches a sample with its KNN neighbours and their exemplar samples. */
export const getSampleDetail = (deviceId: string, sampleId: string) =>
  apiGet(`/api/v1/drift/samples/${deviceId}/${sampleId}`, DriftSampleDetail);

/** One sample's detail (null ids: nothing focused). */
export function useSampleDetail(deviceId: string | null, sampleId: string | null) {
  return useQuery({
    queryKey: ['drift-sample', deviceId, sampleId],
    queryFn: () => getSampleDetail(deviceId ?? '', sampleId ?? ''),
    enabled: deviceId !== null && sampleId !== null,
  });
}
