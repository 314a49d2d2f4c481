import { useState } from 'react';
import { Link } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useEpisodes, type EpisodeFilter } from '../../features/drift/api/get-episodes';
import { EpisodeTable } from '../../features/drift/components/episode-table';
import { FeedbackStatusTable } from '../../features/drift/components/feedback-status-table';

/** Drift episodes across the fleet, and feedback delivery per device. */
export function DriftRoute() {
  const [open, setOpen] = useState<EpisodeFilter['open'] | ''>('');
  const query = useEpisodes(open ? { open } : {});
  return (
    <>
      <PageHeader
        title="Drift"
        description="Episodes the devices' detectors reported. Open one to review its samples."
        actions={
          <>
            <Link className="button" to="/drift/queue">
              Review queue
            </Link>
            <label className="inline">
              Show
              <select value={open} onChange={(e) => setOpen(e.target.value as EpisodeFilter['open'] | '')}>
                <option value="">all episodes</option>
                <option value="true">open episodes</option>
                <option value="false">ended episodes</option>
              </select>
            </label>
          </>
        }
      />
      <div className="stack">
        <QueryState
          query={query}
          isEmpty={(d) => d.items.length === 0}
          empty={{
            title: 'No drift episodes',
            hint: 'Devices report episodes when their drift detector fires; nothing has been reported yet.',
          }}
        >
          {(d) => <EpisodeTable episodes={d.items} />}
        </QueryState>
        <FeedbackStatusTable />
      </div>
    </>
  );
}
