import type { ModelVersionSummary } from '@tinymlops/contracts';
import { Pill } from '../../../components/pill';
import { shortTime } from '../../../lib/format-time';

/** A model's versions: hash, size, signature, aliases; a row click shows its bundle. */
export function VersionTable(props: {
  versions: ModelVersionSummary[];
  selected: string | null;
  onSelect: (version: string) => void;
}) {
  return (
    <table className="table" aria-label="Model versions">
      <thead>
        <tr>
          <th>Version</th>
          <th>Aliases</th>
          <th>Bundle sha256</th>
          <th>Size</th>
          <th>Signed by</th>
          <th>MLflow</th>
          <th>Registered</th>
        </tr>
      </thead>
      <tbody>
        {props.versions.map((v) => (
          <tr
            key={v.version}
            className={`clickable${props.selected === v.version ? ' selected' : ''}`}
            tabIndex={0}
            onClick={() => props.onSelect(v.version)}
            onKeyDown={(e) => e.key === 'Enter' && props.onSelect(v.version)}
            aria-selected={props.selected === v.version}
          >
            <td>
              <strong>{v.version}</strong>
            </td>
            <td>
              {v.aliases.length ? (
                v.aliases.map((a) => (
                  <Pill key={a} tone="info">
                    {a}
                  </Pill>
                ))
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td className="mono" title={v.bundleSha256}>
              {v.bundleSha256.slice(0, 16)}…
            </td>
            <td>{(v.bundleSize / 1024).toFixed(0)} KiB</td>
            <td>{v.signedBy ?? <span className="muted">unsigned</span>}</td>
            <td title={v.mlflow?.runId ? `run ${v.mlflow.runId}` : undefined}>
              {v.mlflow ? `${v.mlflow.name} v${v.mlflow.version}` : <span className="muted">—</span>}
            </td>
            <td className="muted">{shortTime(v.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
