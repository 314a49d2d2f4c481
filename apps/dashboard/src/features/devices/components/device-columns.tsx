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
    header: 'Drift (7 d)',
    width: '110px',
    sortKey: 'drift',
    render: (r) =>
      r.driftEpisodes7d > 0 ? (
        <Pill tone={r.driftEpisodes7d > 3 ? 'bad' : 'warn'}>{(r.driftEpisodes7d / 7).toFixed(1)}/day</Pill>
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
