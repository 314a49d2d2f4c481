import type { DeviceTimeline } from '@tinymlops/contracts';
import { AuthImage } from '../../../components/auth-image';
import { shortTime } from '../../../lib/format-time';

/** The newest 15 sampled predictions of a device, each with the frame the model saw (if uploaded). */
export function RecentPredictions({
  deviceId,
  predictions,
}: {
  deviceId: string;
  predictions: DeviceTimeline['predictions'];
}) {
  const rows = predictions.slice(-15).reverse();
  return (
    <section className="panel" aria-labelledby="preds-title">
      <h2 id="preds-title">Recent predictions</h2>
      {rows.length === 0 ? (
        <p className="muted small">No sampled predictions uploaded yet.</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Image</th>
              <th>At</th>
              <th>Label</th>
              <th>Confidence</th>
              <th>KNN distance</th>
              <th>Latency</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((p, i) => (
              <tr key={`${p.seq}-${i}`}>
                <td>
                  {p.hasImage ? (
                    <AuthImage
                      path={`/api/v1/devices/${encodeURIComponent(deviceId)}/predictions/${p.seq}/image`}
                      alt={`Prediction ${p.label} at ${(p.confidence * 100).toFixed(0)}% confidence`}
                      className="tiny"
                    />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="muted">{shortTime(p.at)}</td>
                <td>{p.label}</td>
                <td>{(p.confidence * 100).toFixed(0)}%</td>
                <td>{p.knnDistance?.toFixed(2) ?? '—'}</td>
                <td>{p.latencyMs !== null ? `${p.latencyMs.toFixed(1)} ms` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
