import type { DeviceTablePage } from '@tinymlops/contracts';
import { Pill } from '../../../components/pill';
import type { Column } from '../../../components/virtual-table';
import { timeAgo } from '../../../lib/format-time';

type Row = DeviceTablePage['items'][number];

/** Connectivity and health of a device as one pill. */
export function DeviceStatePill({ online, status }: { online: boolean; status: string | null }) {
  if (!online) return <Pill tone="neutral">offline</Pill>;
  if (status === 'error') return <Pill tone="bad">error</Pill>;
  if (status === 'degraded') return <Pill tone="warn">degraded</Pill>;
  return <Pill tone="ok">online</Pill>;
}

/**
 * Whether the device's drift detector is firing, from its last heartbeat; an offline device's
 * last word is shown as such, since it may have recovered since.
 */
export function DriftNowPill({ device }: { device: Row['device'] }) {
  if (!device.metrics) return <span className="muted">—</span>;
  if (!device.metrics.driftActive) return <span className="muted">no</span>;
  if (!device.online) return <Pill tone="neutral">was drifting</Pill>;
  return <Pill tone="bad">drifting now</Pill>;
}

/** Columns of the device table. */
export const DEVICE_COLUMNS: Column<Row>[] = [
  { header: 'Name', width: 'minmax(160px, 1.4fr)', sortKey: 'name', render: (r) => <strong>{r.device.name}</strong> },
  {
    header: 'Status',
    width: '110px',
    sortKey: 'status',
    render: (r) => <DeviceStatePill online={r.device.online} status={r.device.status} />,
  },
  {
    header: 'Model',
    width: 'minmax(140px, 1fr)',
    sortKey: 'model',
    render: (r) =>
      r.device.model ? `${r.device.model.modelId}@${r.device.model.version}` : <span className="muted">none</span>,
  },
  { header: 'Mode', width: '140px', sortKey: 'mode', render: (r) => r.device.mode ?? <span className="muted">—</span> },
  {
    header: 'Last seen',
    width: '130px',
    sortKey: 'lastSeen',
    render: (r) => <span title={r.device.lastSeenAt ?? ''}>{timeAgo(r.device.lastSeenAt)}</span>,
  },
  {
    header: 'Drift now',
    width: '130px',
    render: (r) => <DriftNowPill device={r.device} />,
  },
  {
    header: 'Episodes (7 d)',
    width: '120px',
    sortKey: 'drift',
    render: (r) =>
      r.driftEpisodes7d > 0 ? (
        <span title={`${(r.driftEpisodes7d / 7).toFixed(1)} a day on average`}>{r.driftEpisodes7d}</span>
      ) : (
        <span className="muted">none</span>
      ),
  },
  {
    header: 'Outbox',
    width: '90px',
    render: (r) => (r.device.metrics ? `${r.device.metrics.outboxPackages} pkg` : <span className="muted">—</span>),
  },
];
