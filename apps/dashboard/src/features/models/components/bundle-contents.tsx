import { QueryState } from '../../../components/query-state';
import { useVersionDetail } from '../api/get-version-detail';

/** The files of a bundle with their sha256, plus input spec and labels. */
export function BundleContents(props: { modelId: string; version: string }) {
  const query = useVersionDetail(props.modelId, props.version);
  return (
    <QueryState query={query}>
      {({ manifest: m }) => (
        <div className="stack">
          <dl className="kv">
            <dt>Model</dt>
            <dd>
              {m.model.path} ({m.model.format})
            </dd>
            <dt>Input</dt>
            <dd>
              {m.input.name} [{m.input.shape.join('×')}] {m.input.dtype}, area resize to {m.input.resize.width}×
              {m.input.resize.height}
            </dd>
            <dt>Feature tensor</dt>
            <dd>
              {m.featureTensor.name} · {m.featureTensor.dim}-d
            </dd>
            <dt>Labels ({m.labels.length})</dt>
            <dd>{m.labels.join(', ')}</dd>
            {m.description ? (
              <>
                <dt>Description</dt>
                <dd>{m.description}</dd>
              </>
            ) : null}
          </dl>
          <table className="table" aria-label="Bundle files">
            <thead>
              <tr>
                <th>File</th>
                <th>Media type</th>
                <th>Size</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {m.files.map((f) => (
                <tr key={f.path}>
                  <td className="mono">{f.path}</td>
                  <td className="muted">{f.mediaType}</td>
                  <td>{f.size.toLocaleString()} B</td>
                  <td className="mono" title={f.sha256}>
                    {f.sha256}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </QueryState>
  );
}
