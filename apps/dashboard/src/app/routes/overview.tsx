import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { DriftRateChart } from '../../features/overview/components/drift-rate-chart';
import { OverviewStats } from '../../features/overview/components/overview-stats';
import { RecentEvents } from '../../features/overview/components/recent-events';
import { useOverview } from '../../features/overview/api/get-overview';
import { timeAgo } from '../../lib/format-time';

/** Fleet health, drift awaiting review, ingestion and recent events. */
export function OverviewRoute() {
  const query = useOverview();
  return (
    <>
      <PageHeader
        title="Overview"
        description={query.data ? `Live · updated ${timeAgo(query.data.generatedAt)}` : 'Live fleet status'}
      />
      <QueryState query={query}>
        {(overview) => (
          <div className="stack">
            <OverviewStats overview={overview} />
            <div className="grid cols-2" style={{ alignItems: 'start' }}>
              <DriftRateChart rate={overview.driftRate} />
              <RecentEvents events={overview.recentEvents} />
            </div>
          </div>
        )}
      </QueryState>
    </>
  );
}
