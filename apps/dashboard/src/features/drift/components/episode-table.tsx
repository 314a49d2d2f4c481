import type { DriftEpisodeSummary } from '@tinymlops/contracts';
import { useNavigate } from 'react-router';
import { AuthImage } from '../../../components/auth-image';
import { Pill } from '../../../components/pill';
import { VirtualTable, type Column } from '../../../components/virtual-table';
import { shortTime, timeAgo } from '../../../lib/format-time';

const COLUMNS: Column<DriftEpisodeSummary>[] = [
  {
    header: 'State',
    width: '90px',
    render: (e) => (e.open ? <Pill tone="bad">open</Pill> : <Pill tone="neutral">ended</Pill>),
  },
  {
    header: '',
    width: '44px',
    render: (e) =>
      e.thumbnail ? (
        <AuthImage
          path={`/api/v1/drift/samples/${e.thumbnail.deviceId}/${e.thumbnail.sampleId}/image`}
          alt={`Thumbnail of ${e.episodeId}`}
          className="mini"
        />
      ) : null,
  },
  {
    header: 'Device',
    width: 'minmax(140px, 1fr)',
    render: (e) => <span title={e.deviceId}>{e.deviceName ?? e.deviceId}</span>,
  },
  { header: 'Detector', width: '140px', render: (e) => e.detector.name },
  { header: 'Started', width: '150px', render: (e) => <span title={e.startedAt ?? ''}>{timeAgo(e.startedAt)}</span> },
  { header: 'Ended', width: '120px', render: (e) => shortTime(e.endedAt) },
  {
    header: 'Pending',
    width: '110px',
    render: (e) =>
      e.pendingSamples ? (
        <Pill tone="warn">
          {e.pendingSamples} / {e.samples}
        </Pill>
      ) : (
        <span className="muted">0 / {e.samples}</span>
      ),
  },
  {
    header: 'Statistic',
    width: 'minmax(120px, 1fr)',
    render: (e) => (
      <span className="muted small">
        {Object.entries(e.statistics)
          .slice(0, 2)
          .map(([k, v]) => `${k} ${v.toFixed(2)}`)
          .join(' · ')}
      </span>
    ),
  },
];

/** Drift episodes, newest first; Enter or click opens the review. */
export function EpisodeTable({ episodes, height }: { episodes: DriftEpisodeSummary[]; height?: number }) {
  const navigate = useNavigate();
  return (
    <VirtualTable
      label="Drift episodes"
      rows={episodes}
      columns={COLUMNS}
      rowKey={(e) => `${e.deviceId}/${e.episodeId}`}
      onOpen={(e) => navigate(`/drift/${e.deviceId}/${e.episodeId}`)}
      height={height ?? 420}
    />
  );
}
