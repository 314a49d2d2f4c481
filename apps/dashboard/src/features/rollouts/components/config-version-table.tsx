import type { ConfigVersionList } from '@tinymlops/contracts';
import { shortTime } from '../../../lib/format-time';

/** Every configuration version: name, version, what it sets, who made it and when. */
export function ConfigVersionTable(props: { items: ConfigVersionList['items'] }) {
  return (
    <table className="table" aria-label="Configuration versions">
      <thead>
        <tr>
          <th>Configuration</th>
          <th>Version</th>
          <th>Sets</th>
          <th>Description</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((c) => (
          <tr key={`${c.configId}@${c.version}`}>
            <td>
              <strong>{c.configId}</strong>
            </td>
            <td>{c.version}</td>
            <td className="mono small" title={JSON.stringify(c.config, null, 2)}>
              {Object.keys(c.config).join(', ') || '—'}
            </td>
            <td className="small">{c.description ?? <span className="muted">—</span>}</td>
            <td className="small">
              {shortTime(c.createdAt)}
              {c.createdBy ? ` by ${c.createdBy}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
