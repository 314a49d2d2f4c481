import type { AssignmentRequest, ModelVersionSummary, TargetMatch } from '@tinymlops/contracts';
import { useState } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useTargetMatch } from '../api/assignment-rules';
import { useDeployModel } from '../api/deploy-model';

type Kind = AssignmentRequest['target']['kind'];

/** How many devices the typed target reaches; a warning when it is none (a typo'd group). */
function TargetPreview(props: { kind: Kind; target: string; match: TargetMatch | undefined }) {
  const m = props.match;
  if (!props.target || !m) return null;
  if (m.matchedDevices === 0)
    return (
      <p className="warning-box small" role="alert">
        No device matches {props.kind} “{props.target}”. Check the spelling: a rule for it would wait until a
        device joins.
      </p>
    );
  const more = m.matchedDevices - m.sample.length;
  return (
    <p className="muted small" role="status">
      Reaches {m.matchedDevices} device{m.matchedDevices === 1 ? '' : 's'}: {m.sample.join(', ')}
      {more > 0 ? ` and ${more} more` : ''}.
    </p>
  );
}

/** Deploys a version (or an alias) of a model to one device, every device with a tag, or a group. */
export function DeployForm(props: { modelId: string; versions: ModelVersionSummary[]; deviceIds: string[] }) {
  const can = usePermission('engineer');
  const deploy = useDeployModel();
  const aliases = [...new Set(props.versions.flatMap((v) => v.aliases))];
  const [kind, setKind] = useState<Kind>('device');
  const [target, setTarget] = useState('');
  const [what, setWhat] = useState(props.versions[0] ? `v:${props.versions[0].version}` : '');
  const t = target.trim();
  const match = useTargetMatch(kind, t).data;
  const none = match !== undefined && t !== '' && match.matchedDevices === 0;
  const submit = () => {
    if (none && !window.confirm(`No device is in ${kind} "${t}" now. Deploy anyway?`)) return;
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
      <TargetPreview kind={kind} target={t} match={match} />
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
