import type { ModelVersionSummary } from '@tinymlops/contracts';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { QueryState } from '../../components/query-state';
import { useDeployments } from '../../features/models/api/get-deployments';
import { useModels } from '../../features/models/api/get-models';
import { useMlflowStatus } from '../../features/models/api/get-mlflow';
import { useVersions } from '../../features/models/api/get-versions';
import { AliasForm } from '../../features/models/components/alias-form';
import { AssignmentRules } from '../../features/models/components/assignment-rules';
import { BundleUpload } from '../../features/models/components/bundle-upload';
import { BundleContents } from '../../features/models/components/bundle-contents';
import { DeployForm } from '../../features/models/components/deploy-form';
import { ExportForm } from '../../features/models/components/export-form';
import { MlflowImports } from '../../features/models/components/mlflow-imports';
import { RolloutTable } from '../../features/models/components/rollout-table';
import { VersionTable } from '../../features/models/components/version-table';
import { ConfigVersionsPanel } from '../../features/rollouts/components/config-versions-panel';
import { StartRolloutForm } from '../../features/rollouts/components/start-rollout-form';

/** A model's versions and aliases as rollout choices. */
function modelChoices(modelId: string, versions: ModelVersionSummary[]) {
  const aliases = [...new Set(versions.flatMap((v) => v.aliases))];
  return [
    ...versions.map((v) => ({ label: v.version, deployable: { kind: 'model' as const, modelId, version: v.version } })),
    ...aliases.map((a) => ({ label: `alias: ${a}`, deployable: { kind: 'model' as const, modelId, alias: a } })),
  ];
}

/** Registry, versions with bundle contents, deployment and rollout status. */
export function ModelsRoute() {
  const models = useModels();
  const params = useParams();
  const navigate = useNavigate();
  const modelId = params.modelId ?? models.data?.items[0]?.modelId ?? null;
  const versions = useVersions(modelId);
  const deviceIds = useDeployments().data?.items.map((d) => d.deviceId) ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  const mlflow = useMlflowStatus().data?.enabled ?? false;
  const version = picked ?? versions.data?.items[0]?.version ?? null;
  return (
    <>
      <PageHeader title="Models" description="Registered model bundles, their versions, and where they run." />
      <div style={{ marginBottom: 16 }}>
        <BundleUpload onUploaded={(id) => navigate(`/models/${id}`)} />
      </div>
      <QueryState
        query={models}
        isEmpty={(d) => d.items.length === 0}
        empty={{
          title: 'No models registered',
          hint: 'Upload a bundle above (or POST /api/v1/models/bundles, see /docs).',
        }}
      >
        {(m) => (
          <div className="grid" style={{ gridTemplateColumns: '200px minmax(0, 1fr)', alignItems: 'start' }}>
            <nav className="panel stack" aria-label="Models" style={{ gap: 4 }}>
              {m.items.map((x) => (
                <Link
                  key={x.modelId}
                  to={`/models/${x.modelId}`}
                  className={`list-link${x.modelId === modelId ? ' active' : ''}`}
                  aria-current={x.modelId === modelId ? 'page' : undefined}
                  onClick={() => setPicked(null)}
                >
                  {x.modelId}
                </Link>
              ))}
            </nav>
            {modelId ? (
              <div className="stack">
                <section className="panel">
                  <h2>{modelId} · versions</h2>
                  <QueryState query={versions}>
                    {(v) => (
                      <>
                        <VersionTable versions={v.items} selected={version} onSelect={setPicked} />
                        {version ? <AliasForm modelId={modelId} version={version} /> : null}
                      </>
                    )}
                  </QueryState>
                </section>
                <section className="panel">
                  <h2>Deploy</h2>
                  {versions.data ? (
                    <DeployForm modelId={modelId} versions={versions.data.items} deviceIds={deviceIds} />
                  ) : null}
                </section>
                <section className="panel">
                  <h2>Staged rollout</h2>
                  {versions.data ? (
                    <StartRolloutForm key={modelId} choices={modelChoices(modelId, versions.data.items)} />
                  ) : null}
                </section>
                <section className="panel">
                  <h2>Assignment rules</h2>
                  <AssignmentRules modelId={modelId} />
                </section>
                <section className="panel">
                  <h2>Rollout · every device</h2>
                  <RolloutTable modelId={modelId} />
                </section>
                <section className="panel">
                  <h2>Export validated samples</h2>
                  <ExportForm modelId={modelId} versions={versions.data?.items ?? []} mlflow={mlflow} />
                </section>
                {version ? (
                  <section className="panel">
                    <h2>
                      Bundle {modelId}@{version}
                    </h2>
                    <BundleContents modelId={modelId} version={version} />
                  </section>
                ) : null}
              </div>
            ) : null}
          </div>
        )}
      </QueryState>
      <div style={{ marginTop: 16 }}>
        <ConfigVersionsPanel />
      </div>
      <div style={{ marginTop: 16 }}>
        <MlflowImports />
      </div>
    </>
  );
}
