import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useDeviceTable } from '../../features/devices/api/get-device-table';
import { useReviewQueue, type QueueFilter } from '../../features/drift/api/get-review-queue';
import { EpisodeReview } from '../../features/drift/components/episode-review';
import { useModels } from '../../features/models/api/get-models';

/** Every drift sample awaiting validation across episodes, oldest first, filtered in the URL. */
export function ReviewQueueRoute() {
  const [params, setParams] = useSearchParams();
  const filter: QueueFilter = {
    deviceId: params.get('deviceId') ?? undefined,
    group: params.get('group') ?? undefined,
    modelId: params.get('modelId') ?? undefined,
  };
  const set = (k: keyof QueueFilter, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const query = useReviewQueue(filter);
  const devices = useDeviceTable({ sort: 'name', dir: 'asc' }).data?.pages[0]?.items ?? [];
  const models = useModels().data?.items ?? [];
  const shown = query.data?.items.length ?? 0;
  return (
    <>
      <PageHeader
        title="Review queue"
        description={
          <>
            {query.data ? `${query.data.total} samples awaiting validation` : 'Samples awaiting validation'}
            {query.data && query.data.total > shown ? ` · the oldest ${shown} shown` : ''} · across every episode ·{' '}
            <Link to="/drift">episodes</Link>
          </>
        }
        actions={
          <>
            <label className="inline">
              Device
              <select value={filter.deviceId ?? ''} onChange={(e) => set('deviceId', e.target.value)}>
                <option value="">all devices</option>
                {devices.map((d) => (
                  <option key={d.device.deviceId} value={d.device.deviceId}>
                    {d.device.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              Group
              <input
                value={filter.group ?? ''}
                onChange={(e) => set('group', e.target.value)}
                placeholder="any"
                size={10}
              />
            </label>
            <label className="inline">
              Model
              <select value={filter.modelId ?? ''} onChange={(e) => set('modelId', e.target.value)}>
                <option value="">all models</option>
                {models.map((m) => (
                  <option key={m.modelId}>{m.modelId}</option>
                ))}
              </select>
            </label>
          </>
        }
      />
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={{ title: 'Nothing awaits validation', hint: 'Every drift sample matching these filters is validated.' }}
      >
        {(d) => (
          <EpisodeReview
            samples={d.items.map((i) => i.sample)}
            label="Review queue"
            deviceNames={Object.fromEntries(d.items.map((i) => [i.sample.deviceId, i.deviceName]))}
          />
        )}
      </QueryState>
    </>
  );
}
