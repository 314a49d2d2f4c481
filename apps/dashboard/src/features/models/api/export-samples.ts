import { useMutation } from '@tanstack/react-query';
import { FieldExportMlflowResult, type FieldExportQuery } from '@tinymlops/contracts';
import { apiDownload, apiSend } from '../../../lib/api-client';

/**
 * The export's query string: `class` and `deviceId` repeat.
 * @example
 * exportQueryString({ modelId: 'fashion-mnv2', limit: 100, class: ['bag', 'coat'] }); // 'modelId=fashion-mnv2&limit=100&class=bag&class=coat'
 */
export function exportQueryString(q: FieldExportQuery): string {
  const p = new URLSearchParams({ modelId: q.modelId, limit: String(q.limit) });
  for (const k of ['version', 'since', 'until'] as const) if (q[k]) p.set(k, q[k] as string);
  for (const c of [q.class ?? []].flat()) p.append('class', c);
  for (const d of [q.deviceId ?? []].flat()) p.append('deviceId', d);
  return p.toString();
}

/** Downloads the validated samples as a field dataset file and hands it to the browser to save. */
export function useDownloadSamples() {
  return useMutation({
    mutationFn: async (q: FieldExportQuery) => {
      const { blob, fileName } = await apiDownload(`/api/v1/exports/validated-samples?${exportQueryString(q)}`);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return { fileName, bytes: blob.size };
    },
  });
}

/** Logs the same export to MLflow (a run with the file as artifact and dataset input). */
export function useLogSamplesToMlflow() {
  return useMutation({
    mutationFn: (q: FieldExportQuery) =>
      apiSend('POST', '/api/v1/exports/validated-samples/mlflow', q, FieldExportMlflowResult),
  });
}
