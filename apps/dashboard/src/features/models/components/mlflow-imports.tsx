import type { MlflowImport } from '@tinymlops/contracts';
import { Pill, type Tone } from '../../../components/pill';
import { shortTime } from '../../../lib/format-time';
import { useMlflowImports, useMlflowStatus } from '../api/get-mlflow';

const TONE: Record<MlflowImport['status'], Tone> = { imported: 'ok', pending: 'info', failed: 'bad' };

/**
 * Where the models come from in MLflow: the followed model URIs and every import, a failed one
 * with the reason in words (the fix is usually in MLflow: a missing file, a bad hash).
 */
export function MlflowImports() {
  const status = useMlflowStatus().data;
  const imports = useMlflowImports().data?.items ?? [];
  if (!status?.enabled && imports.length === 0) return null;
  return (
    <section className="panel stack" style={{ gap: 10 }} aria-label="MLflow imports">
      <h2>MLflow imports</h2>
      <p className="muted small">
        {status?.enabled
          ? `Following ${status.sources.join(', ') || 'no model URIs'} at ${status.trackingUri}` +
            (status.pollSeconds ? `, polled every ${status.pollSeconds} s` : '') +
            (status.webhook ? ', and on MLflow webhooks.' : '.')
          : 'MLflow is not configured on this server; these are earlier imports.'}
      </p>
      {imports.length ? (
        <table className="table" aria-label="MLflow import records">
          <thead>
            <tr>
              <th>MLflow version</th>
              <th>Alias</th>
              <th>Trigger</th>
              <th>Status</th>
              <th>TinySphere version</th>
              <th>Requested</th>
            </tr>
          </thead>
          <tbody>
            {imports.map((i) => (
              <tr key={`${i.name}/${i.version}`}>
                <td>
                  {i.name} v{i.version}
                </td>
                <td>{i.alias ?? <span className="muted">—</span>}</td>
                <td>{i.trigger}</td>
                <td>
                  <Pill tone={TONE[i.status]}>{i.status}</Pill>
                  {i.error ? <div className="small bad-text wrap">{i.error}</div> : null}
                </td>
                <td className="mono">{i.modelId ? `${i.modelId}@${i.modelVersion}` : '—'}</td>
                <td className="muted">{shortTime(i.requestedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No imports yet.</p>
      )}
    </section>
  );
}
