import type { AssignmentRequest, ModelVersionSummary } from '@tinymlops/contracts';
import { useState } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useDeployModel } from '../api/deploy-model';

type Kind = AssignmentRequest['target']['kind'];

/** Deploys a version (or an alias) of a model to one device, every device with a tag, or a group. */
export function DeployForm(props: { modelId: string; versions: ModelVersionSummary[]; deviceIds: string[] }) {
  const can = usePermission('engineer');
  const deploy = useDeployModel();
  const aliases = [...new Set(props.versions.flatMap((v) => v.aliases))];
  const [kind, setKind] = useState<Kind>('device');
  const [target, setTarget] = useState('');
  const [what, setWhat] = useState(props.versions[0] ? `v:${props.versions[0].version}` : '');
  const t = target.trim();
  const submit = () => {
    const targetObj =
      kind === 'device' ? { kind, deviceId: t } : kind === 'tag' ? { kind, tag: t } : { kind, group: t };
    const pick = what.startsWith('a:') ? { alias: what.slice(2) } : { version: what.slice(2) };
    deploy.mutate({ target: targetObj, modelId: props.modelId, ...pick } as AssignmentRequest);
  };
  return (
    <form
      className="stack"
      style={{ gap: 10 }}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="Deploy a model version"
    >
      <PermissionNote role="engineer" />
      <div className="row" style={{ alignItems: 'flex-end' }}>
        <label>
          Version
          <select aria-label="Version" value={what} onChange={(e) => setWhat(e.target.value)} disabled={!can.allowed}>
            {props.versions.map((v) => (
              <option key={v.version} value={`v:${v.version}`}>
                {v.version}
              </option>
            ))}
            {aliases.map((a) => (
              <option key={a} value={`a:${a}`}>
                alias: {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target
          <select
            aria-label="Target kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as Kind)}
            disabled={!can.allowed}
          >
            <option value="device">device</option>
            <option value="tag">tag</option>
            <option value="group">group</option>
          </select>
        </label>
        <label>
          {kind === 'device' ? 'Device id' : kind === 'tag' ? 'Tag' : 'Group'}
          <input
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            list={kind === 'device' ? 'deploy-devices' : undefined}
            disabled={!can.allowed}
            placeholder={kind === 'device' ? 'dev_…' : kind}
            style={{ width: 220 }}
          />
        </label>
        <datalist id="deploy-devices">
          {props.deviceIds.map((d) => (
            <option key={d} value={d} />
          ))}
        </datalist>
        <button
          type="submit"
          className="primary"
          disabled={!can.allowed || !t || !what || deploy.isPending}
          title={can.reason}
        >
          Deploy
        </button>
      </div>
      {deploy.isSuccess && deploy.data ? (
        <p className="notice ok" role="status">
          Assigned {deploy.data.modelId}@{deploy.data.version} to {deploy.data.target.kind} {t}. Devices pick it up at
          their next assignment poll.
        </p>
      ) : null}
      {deploy.isError ? (
        <p className="notice bad" role="alert">
          Deploy failed: {deploy.error.message}
        </p>
      ) : null}
    </form>
  );
}
