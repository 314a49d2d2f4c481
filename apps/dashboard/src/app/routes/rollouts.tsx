import { Link } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useRollouts } from '../../features/rollouts/api/get-rollouts';
import { RolloutTable } from '../../features/rollouts/components/rollout-table';

/** Every staged rollout of a model or configuration version, newest first. */
export function RolloutsRoute() {
  const rollouts = useRollouts();
  return (
    <>
      <PageHeader
        title="Rollouts"
        description="Model and configuration versions deployed in waves, each held for a soak and judged against its baseline."
      />
      <section className="panel">
        <QueryState
          query={rollouts}
          isEmpty={(d) => d.items.length === 0}
          empty={{
            title: 'No rollouts yet',
            hint: (
              <>
                Start one from a model on the <Link to="/models">Models</Link> page, or from a configuration version
                there.
              </>
            ),
          }}
        >
          {(d) => <RolloutTable rollouts={d.items} />}
        </QueryState>
      </section>
    </>
  );
}
