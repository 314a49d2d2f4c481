import { QueryState } from '../../../components/query-state';
import { useConfigVersions } from '../api/config-versions';
import { ConfigVersionForm } from './config-version-form';
import { ConfigVersionTable } from './config-version-table';
import { StartRolloutForm } from './start-rollout-form';

/** Configuration versions beside the model versions: the list, a new one, and rolling one out. */
export function ConfigVersionsPanel() {
  const configs = useConfigVersions();
  const choices = (configs.data?.items ?? []).map((c) => ({
    label: `config ${c.configId}@${c.version}`,
    deployable: { kind: 'config' as const, configId: c.configId, version: c.version },
  }));
  return (
    <section className="panel stack" aria-label="Configuration versions">
      <h2>Configuration versions</h2>
      <QueryState
        query={configs}
        isEmpty={(d) => d.items.length === 0}
        empty={{
          title: 'No configuration versions yet',
          hint: 'Create one below: the settings TinySphere may change on a device, rolled out like a model.',
        }}
      >
        {(d) => <ConfigVersionTable items={d.items} />}
      </QueryState>
      <h3>New version</h3>
      <ConfigVersionForm />
      {choices.length ? (
        <>
          <h3>Roll a configuration out</h3>
          <StartRolloutForm key="config" choices={choices} />
        </>
      ) : null}
    </section>
  );
}
