import { useQuery } from '@tanstack/react-query';
import { MlflowImportList, MlflowStatus } from '@tinymlops/contracts';
import { apiGet } from '../../../lib/api-client';

/** Whether TinySphere is wired to an MLflow server, and which models it follows. */
export function useMlflowStatus() {
  return useQuery({ queryKey: ['mlflow-status'], queryFn: () => apiGet('/api/v1/mlflow/status', MlflowStatus) });
}

/** MLflow import records, newest first; refreshed every few seconds while any is pending. */
export function useMlflowImports() {
  return useQuery({
    queryKey: ['mlflow-imports'],
    queryFn: () => apiGet('/api/v1/mlflow/imports', MlflowImportList),
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'pending') ? 3000 : 30_000),
  });
}
