import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { TimeRangePicker } from '../../components/time-range-picker';
import { useDriftRates } from '../../features/overview/api/get-drift-rates';
import { useOverview } from '../../features/overview/api/get-overview';
import { DriftByDevice } from '../../features/overview/components/drift-by-device';
import { DriftRateChart } from '../../features/overview/components/drift-rate-chart';
import { FleetByModel } from '../../features/overview/components/fleet-by-model';
import { OverviewStats } from '../../features/overview/components/overview-stats';
import { RecentEvents } from '../../features/overview/components/recent-events';
import { timeAgo } from '../../lib/format-time';
import { useTimeRange } from '../../lib/time-range';

/** Fleet health, drift awaiting review, ingestion, drift over the chosen range, fleet by model, events. */
export function OverviewRoute() {
  const { range, since, setRange } = useTimeRange('7d');
  const query = useOverview(since, range.bucketSeconds);
  const rates = useDriftRates(since, range.bucketSeconds, query.data !== undefined);
  return (
    <>
      <PageHeader
        title="Overview"
        description={query.data ? `Live · updated ${timeAgo(query.data.generatedAt)}` : 'Live fleet status'}
        actions={<TimeRangePicker value={range.key} onChange={setRange} />}
      />
      <QueryState query={query}>
        {(overview) => (
          <div className="stack">
            <OverviewStats overview={overview} />
            <div className="grid cols-2" style={{ alignItems: 'start' }}>
              <div className="stack">
                <DriftRateChart rate={overview.driftRate} range={range} />
                <QueryState query={rates}>{(r) => <DriftByDevice rates={r} range={range} />}</QueryState>
                <FleetByModel rows={overview.fleetByModel ?? []} />
              </div>
              <RecentEvents events={overview.recentEvents} />
            </div>
          </div>
        )}
      </QueryState>
    </>
  );
}
