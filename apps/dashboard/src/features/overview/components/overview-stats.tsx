import type { FleetOverview } from '@tinymlops/contracts';
import { Link } from 'react-router';
import { StatCard } from '../../../components/stat-card';
import { FleetHealth } from './fleet-health';

/** The overview's top row: fleet health, drift awaiting review, ingestion. */
export function OverviewStats({ overview }: { overview: FleetOverview }) {
  const { drift, ingestion } = overview;
  const ingestTrouble = ingestion.deadJobs + ingestion.failedPackages;
  return (
    <div className="grid cols-4">
      <div className="span-2">
        <FleetHealth devices={overview.devices} />
      </div>
      <StatCard
        label="Awaiting validation"
        value={drift.episodesAwaitingValidation}
        foot={
          <>
            {drift.pendingSamples} samples · {drift.openEpisodes} {drift.openEpisodes === 1 ? 'episode' : 'episodes'}{' '}
            still open · <Link to="/drift">Review →</Link>
          </>
        }
      />
      <StatCard
        label="Ingestion"
        value={
          <>
            {ingestion.queuedJobs + ingestion.runningJobs}
            <span className="muted small"> in queue</span>
          </>
        }
        foot={
          ingestTrouble > 0 ? (
            <span style={{ color: 'var(--bad)' }}>
              {ingestion.failedPackages} failed packages · {ingestion.deadJobs} dead jobs — see the server log
            </span>
          ) : (
            <>{ingestion.runningJobs} running · nothing failed</>
          )
        }
      />
    </div>
  );
}
