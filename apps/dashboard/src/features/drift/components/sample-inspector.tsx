import { AuthImage } from '../../../components/auth-image';
import { QueryState } from '../../../components/query-state';
import { useSampleDetail } from '../api/get-sample-detail';

/** The focused sample, large, next to its nearest known neighbours (with an example image of each class). */
export function SampleInspector(props: { deviceId: string | null; sampleId: string | null }) {
  const query = useSampleDetail(props.deviceId, props.sampleId);
  if (!props.sampleId) return <div className="state">Select a sample to see it next to its neighbours.</div>;
  return (
    <QueryState query={query}>
      {({ sample, neighbours }) => (
        <div className="stack">
          <div className="row" style={{ alignItems: 'flex-start', gap: 16 }}>
            <div style={{ width: 160 }}>
              {sample.hasImage ? (
                <AuthImage
                  path={`/api/v1/drift/samples/${sample.deviceId}/${sample.sampleId}/image`}
                  alt="Drift sample"
                />
              ) : (
                <div className="thumb">no image</div>
              )}
            </div>
            <dl className="kv" style={{ flex: 1 }}>
              <dt>Sample</dt>
              <dd className="mono">{sample.sampleId}</dd>
              <dt>Predicted</dt>
              <dd>
                {sample.predictedLabel} ({Math.round(sample.confidence * 100)}% confident)
              </dd>
              <dt>Captured</dt>
              <dd>{new Date(sample.capturedAt).toLocaleString()}</dd>
              <dt>Status</dt>
              <dd>
                {sample.status}
                {sample.label ? ` · ${sample.label}` : ''}
              </dd>
            </dl>
          </div>
          <div>
            <h2>Nearest known neighbours</h2>
            {neighbours.length === 0 ? (
              <p className="muted small">The device sent no neighbours with this sample.</p>
            ) : (
              <div className="neighbours">
                {neighbours.map((n, i) => (
                  <figure className="neighbour" key={`${n.label}-${i}`} style={{ margin: 0 }}>
                    {n.exemplar ? (
                      <AuthImage
                        path={`/api/v1/drift/samples/${n.exemplar.deviceId}/${n.exemplar.sampleId}/image`}
                        alt={`Example of ${n.label}`}
                      />
                    ) : (
                      <div className="thumb" title="No validated example of this class has an image yet">
                        {n.label}
                      </div>
                    )}
                    <figcaption>
                      <strong>{n.label}</strong> <span className="muted">d={n.distance.toFixed(2)}</span>
                    </figcaption>
                  </figure>
                ))}
              </div>
            )}
          </div>
        </div>
      )}
    </QueryState>
  );
}
