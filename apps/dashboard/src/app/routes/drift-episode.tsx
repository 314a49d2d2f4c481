import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useDevice } from '../../features/devices/api/get-device';
import { useSamples } from '../../features/drift/api/get-samples';
import { EpisodeReview } from '../../features/drift/components/episode-review';
import { DeliveryTable } from '../../features/feedback/components/delivery-table';

/** One episode's samples, for validation. */
export function DriftEpisodeRoute() {
  const { deviceId = '', episodeId = '' } = useParams();
  const query = useSamples({ deviceId, episodeId });
  const pending = query.data?.items.filter((s) => s.status === 'pending').length ?? 0;
  const device = useDevice(deviceId).data;
  return (
    <>
      <PageHeader
        title={`Episode ${episodeId}`}
        description={
          <>
            on <Link to={`/devices/${deviceId}`}>{device?.name ?? deviceId}</Link> · {query.data?.items.length ?? 0}{' '}
            samples, {pending} awaiting validation · <Link to="/drift">all episodes</Link>
          </>
        }
      />
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={{ title: 'This episode has no samples', hint: 'The device sent the episode without captured inputs.' }}
      >
        {(d) => <EpisodeReview samples={d.items} />}
      </QueryState>
      <DeliveryTable filter={{ deviceId }} title="Label delivery" />
    </>
  );
}
