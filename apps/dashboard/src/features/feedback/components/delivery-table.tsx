import { Link } from 'react-router';
import { QueryState } from '../../../components/query-state';
import { timeAgo } from '../../../lib/format-time';
import { useDeliveries, type DeliveryFilter } from '../api/get-deliveries';
import { DeliveryPill } from './delivery-pill';

/**
 * Everything sent to devices (labels, false alarms, shared labels, reverts, settings) and what
 * each device did with it, one row per item and device.
 */
export function DeliveryTable(props: { filter: DeliveryFilter; title: string }) {
  const query = useDeliveries(props.filter);
  return (
    <section className="panel" aria-label={props.title}>
      <h2>{props.title}</h2>
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={{
          title: 'Nothing sent yet',
          hint: 'Validated labels, reverts and settings appear here with their outcome.',
        }}
      >
        {(d) => (
          <table className="table" aria-label={`${props.title} table`}>
            <thead>
              <tr>
                <th>Sent</th>
                <th>To</th>
                <th>What</th>
                <th>Sample</th>
                <th>Status</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((i) => (
                <tr key={`${i.deviceId}/${i.feedbackId}`} data-sample-id={i.sampleId ?? undefined}>
                  <td className="muted">{timeAgo(i.issuedAt)}</td>
                  <td>
                    <Link to={`/devices/${i.deviceId}`}>{i.deviceName}</Link>
                  </td>
                  <td>
                    {i.kind}
                    {i.label ? `: ${i.label}` : ''}
                    {i.sourceDeviceId ? <span className="muted small"> (shared)</span> : null}
                  </td>
                  <td className="mono small">{i.sampleId ?? '–'}</td>
                  <td>
                    <DeliveryPill status={i.status} reason={i.reason} />
                  </td>
                  <td className="muted small">{i.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
