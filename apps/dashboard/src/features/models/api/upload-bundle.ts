import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ModelVersionSummary } from '@tinymlops/contracts';
import { apiUpload } from '../../../lib/api-client';

/** Registers a bundle archive (`.tar.gz`) with the registry. */
export const uploadBundle = (file: Blob) =>
  apiUpload('/api/v1/models/bundles', file, 'application/gzip', ModelVersionSummary);

/** Uploads a bundle, then refreshes the model list and its versions. */
export function useUploadBundle() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: uploadBundle,
    onSettled: () => Promise.all(['models', 'model-versions'].map((k) => qc.invalidateQueries({ queryKey: [k] }))),
  });
}
